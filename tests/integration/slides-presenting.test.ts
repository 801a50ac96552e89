/**
 * Presenting through the real hub: the page is meeting state, so every client (and a late
 * joiner) shows the same page; presenter rights move to a site and back; a site that is not the
 * presenter is refused; the pointer goes only from the presenter to the others; a screen may be
 * shared only by who may present.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SiteId, SlidePointer } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually, must, request } from '../support/meeting.js';
import {
  FIXTURES,
  type SlidesHub,
  settled,
  startSlidesHub,
  upload,
  type Watcher,
  watch,
} from '../support/slides.js';

/** Real conversions on a busy 2-core machine (CI runs other suites alongside): generous limits. */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const HUE = 'hue' as SiteId;
const CAN_THO = 'can-tho' as SiteId;

let h: SlidesHub;
let chair: Watcher;
let operator: Watcher;
let hue: Watcher;
let canTho: Watcher;
let documentId: string;

const page = (w: Watcher) => w.snapshot.slides.showing?.page ?? null;
const everyone = () => [chair, operator, hue, canTho];

beforeAll(async () => {
  h = await startSlidesHub([HUE, CAN_THO], {
    chair: { role: 'chair' },
    operator: { role: 'operator' },
    observer: { role: 'observer' },
    hue: { role: 'site', siteId: HUE },
    canTho: { role: 'site', siteId: CAN_THO },
  });
  chair = await watch(h.url, h.links.chair!.token);
  operator = await watch(h.url, h.links.operator!.token);
  hue = await watch(h.url, h.links.hue!.token);
  canTho = await watch(h.url, h.links.canTho!.token);
  const res = await upload(
    h.url,
    h.orgToken,
    h.meetingId,
    readFileSync(path.join(FIXTURES, 'tong-hop.pdf')),
    'Tổng hợp.pdf',
  );
  documentId = res.json.id;
  expect(await settled(chair, documentId)).toMatchObject({ status: 'ready', pageCount: 4 });
  await must(chair.socket, 'meeting:openTechCheck', {});
  await must(chair.socket, 'meeting:goLive', {});
});

afterAll(async () => {
  for (const w of [chair, operator, hue, canTho]) w?.socket.close();
  await h?.stop();
});

describe('turning pages for everyone', () => {
  it('shows a document at page 1 on every client, and a page turn reaches all of them', async () => {
    await must(chair.socket, 'slides:show', { documentId: documentId as never });
    await eventually(() => everyone().every((w) => page(w) === 1), 'page 1 everywhere');
    expect(hue.snapshot.slides.showing).toEqual({ documentId, page: 1, pageCount: 4 });
    const started = Date.now();
    await must(operator.socket, 'slides:page', { page: 3 });
    await eventually(() => everyone().every((w) => page(w) === 3), 'page 3 everywhere');
    console.log(`slides-presenting | page turn reached every client [ms:${Date.now() - started}]`);
  });

  it('a late joiner lands on the current page from its join snapshot', async () => {
    const late = await watch(h.url, h.links.observer!.token);
    expect(late.snapshot.slides.showing).toEqual({ documentId, page: 3, pageCount: 4 });
    late.socket.close();
  });

  it('refuses page turns with FORBIDDEN for a site that is not the presenter, and out-of-range pages', async () => {
    const refused = await request(hue.socket, 'slides:page', { page: 2 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await request(hue.socket, 'slides:presenter', { siteId: HUE })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await request(chair.socket, 'slides:page', { page: 5 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(await request(chair.socket, 'slides:page', { page: 0 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(page(chair)).toBe(3);
  });

  it('moves presenter rights to a site and back: only that site (and the moderators) may turn pages', async () => {
    await must(chair.socket, 'slides:presenter', { siteId: HUE });
    await eventually(() => hue.snapshot.slides.presenter.kind === 'site', 'presenter change');
    await must(hue.socket, 'slides:page', { page: 2 });
    await eventually(() => everyone().every((w) => page(w) === 2), 'page 2 everywhere');
    expect(await request(canTho.socket, 'slides:page', { page: 4 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await must(chair.socket, 'slides:page', { page: 4 });
    await eventually(() => everyone().every((w) => page(w) === 4), 'moderator override');
    await must(operator.socket, 'slides:presenter', { siteId: null });
    await eventually(() => hue.snapshot.slides.presenter.kind === 'moderator', 'rights back');
    expect(await request(hue.socket, 'slides:page', { page: 1 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('relays the presenter pointer to the others only, and refuses it from anyone else', async () => {
    const got: SlidePointer[] = [];
    canTho.socket.on('slides:pointer', (p) => got.push(p));
    const self: SlidePointer[] = [];
    chair.socket.on('slides:pointer', (p) => self.push(p));
    await must(chair.socket, 'slides:pointer', { x: 0.25, y: 0.75 });
    await eventually(() => got.length === 1, 'pointer at Cần Thơ');
    expect(got[0]).toEqual({ documentId, page: 4, point: { x: 0.25, y: 0.75 } });
    await must(chair.socket, 'slides:pointer', {});
    await eventually(() => got.length === 2, 'pointer hidden');
    expect(got[1]?.point).toBeNull();
    expect(self).toEqual([]);
    expect(await request(canTho.socket, 'slides:pointer', { x: 0.5, y: 0.5 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await request(chair.socket, 'slides:pointer', { x: 2, y: 0.5 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });

  it('lets only who may present share a screen', async () => {
    const screen = { transportId: 'none', kind: 'video', source: 'screen', rtpParameters: {} } as const;
    expect(await request(canTho.socket, 'media:produce', screen)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('stops the presentation for everyone', async () => {
    await must(chair.socket, 'slides:stop', {});
    await eventually(() => everyone().every((w) => w.snapshot.slides.showing === null), 'stopped');
  });
});
