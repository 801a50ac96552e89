/**
 * The mediasoup worker carrying a meeting is killed (`kill -9`) while a site has the floor, with
 * real pages. The hub rebuilds the meeting's media on the respawned worker and tells the pages
 * (`media:moving`); they rebuild their transports without a reload: the observer's page shows
 * "reconnecting media", Huế publishes again, the chair's and the observer's main stages decode
 * Huế's camera again, and the floor turn is the same turn. The times are printed
 * (docs/FAULTS.md), never asserted.
 */
import type { MeetingId, SiteId } from '@giaoban/shared';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { launchChromium } from '../support/browser.js';
import { startTestHub } from '../support/inProcessHub.js';
import { prepareMeeting } from '../support/redis.js';
import {
  type ClientPage,
  clientState,
  goLive,
  grantFloor,
  openPage,
  untilDecoding,
  untilState,
} from './client-pages.js';

const HUE = 'hue' as SiteId;

let hub: Hub;
let browser: Browser;
let meetingId: MeetingId;
let tokens: Record<string, string>;

beforeAll(async () => {
  hub = await startTestHub();
  let id: string;
  ({ meetingId: id, tokens } = await prepareMeeting(hub.url, [HUE], {
    chair: { role: 'chair', displayName: 'Đồng chí Chủ trì' },
    hue: { role: 'site', siteId: HUE },
    observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
  }));
  meetingId = id as MeetingId;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('the worker carrying the meeting is killed while a site has the floor', () => {
  it('every page rebuilds its media without a reload and decodes the same turn again', async () => {
    const chair: ClientPage = await openPage(browser, `${hub.url}/join#${tokens.chair}`);
    const hue = await openPage(browser, `${hub.url}/join#${tokens.hue}`);
    const observer = await openPage(browser, `${hub.url}/join#${tokens.observer}`);
    for (const p of [chair, hue, observer]) await untilState(p.page, (s) => s.phase === 'joined', 'joined');
    await goLive(chair.page);
    await untilState(hue.page, (s) => s.media.producerIds.camera !== null, "Huế's camera published");
    await grantFloor(chair.page, hue.page, 'Tình hình sản xuất vụ đông');
    const firstCamera = (await clientState(hue.page)).media.producerIds.camera;
    const firstStream = await untilDecoding(observer.page, HUE, null, "the observer decoding Huế's camera");
    const turn = (await hub.parts.meetings.get(meetingId)).queue.floor;
    expect(turn).toMatchObject({ siteId: HUE, endedAt: null });
    // Each page marks the load it came from: a reload would lose the mark.
    for (const p of [chair, hue, observer])
      await p.page.evaluate(() => {
        (globalThis as unknown as { loadMark: string }).loadMark = 'first load';
      });
    await observer.page.evaluate(() => {
      const w = globalThis as unknown as { movingBannerAt: number };
      w.movingBannerAt = 0;
      new MutationObserver(() => {
        if (!w.movingBannerAt && document.querySelector('[data-testid="media-moving-banner"]'))
          w.movingBannerAt = Date.now();
      }).observe(document.body, { childList: true, subtree: true });
    });

    const worker = hub.parts.pool.workers[0];
    if (!worker) throw new Error('no mediasoup worker');
    const deadPid = worker.pid;
    const killedAt = Date.now();
    process.kill(deadPid, 'SIGKILL');

    await untilState(
      hue.page,
      (s) =>
        s.phase === 'joined' &&
        s.media.producerIds.camera !== null &&
        s.media.producerIds.camera !== firstCamera,
      'Huế publishes again on the rebuilt media',
    );
    const hueBackAt = Date.now();
    await untilDecoding(observer.page, HUE, firstStream, "the observer decoding Huế's camera again");
    const observerBackAt = Date.now();
    await untilDecoding(chair.page, HUE, null, "the chair decoding Huế's camera again");
    const chairBackAt = Date.now();

    expect(hub.parts.pool.workers[0]?.pid).not.toBe(deadPid);
    const bannerAt = await observer.page.evaluate(
      () => (globalThis as unknown as { movingBannerAt: number }).movingBannerAt,
    );
    expect(bannerAt, 'the observer page showed "reconnecting media"').toBeGreaterThan(0);
    for (const p of [chair, hue, observer])
      expect(await p.page.evaluate(() => (globalThis as unknown as { loadMark?: string }).loadMark)).toBe(
        'first load',
      );
    const record = await hub.parts.meetings.get(meetingId);
    expect(record.queue.floor).toEqual(turn);
    expect(
      record.attendance.filter((e) => e.siteId === HUE && e.kind === 'leave' && e.at >= killedAt),
    ).toEqual([]);
    console.log(
      `worker-death | kill -9 → Huế publishing again ${hueBackAt - killedAt} ms, ` +
        `decoded again by the observer ${observerBackAt - killedAt} ms, by the chair ${chairBackAt - killedAt} ms`,
    );
  }, 240_000);
});
