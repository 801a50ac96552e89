/**
 * Talk-back in real pages, heard through tone probes: Chromium's fake microphone beeps, and each
 * page's receive statistics say whether a stream arrives and how loud it is. While the operator
 * talks back with Đà Nẵng, Đà Nẵng's page receives the operator's microphone with sound in it and
 * Huế's page does not receive it at all; the operators hear Đà Nẵng's answer, the chair's room
 * does not. Closing talk-back stops both directions.
 */
import type { SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { launchChromium } from '../support/browser.js';
import { startTestHub } from '../support/inProcessHub.js';
import { prepareMeeting } from '../support/redis.js';
import {
  type ClientPage,
  clientState,
  forceRequest,
  goLive,
  hearsSite,
  openPage,
  untilState,
} from './client-pages.js';

const DA_NANG = 'da-nang' as SiteId;
const HUE = 'hue' as SiteId;

let hub: Hub;
let browser: Browser;
let chair: ClientPage;
let operator: ClientPage;
let daNang: ClientPage;
let hue: ClientPage;

/** The operator's microphone as a page receives it (a microphone from no room), or null. */
async function operatorVoice(page: Page): Promise<{ flowing: boolean; kbps: number; level: number } | null> {
  const state = await clientState(page);
  const mic = Object.values(state.consumers).find((c) => c.source === 'mic' && c.siteId === null);
  if (!mic) return null;
  const stats = state.trackStats[mic.id];
  return {
    flowing: !mic.paused && !mic.producerPaused,
    kbps: stats?.kbps ?? 0,
    level: stats?.audioLevel ?? 0,
  };
}

/** Polls `probe` until `ok` holds (or a minute passes); returns the last value. */
async function until<T>(
  page: Page,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe().catch(() => null as T);
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await page.waitForTimeout(250);
  }
}

beforeAll(async () => {
  hub = await startTestHub();
  const { tokens } = await prepareMeeting(hub.url, [DA_NANG, HUE], {
    chair: { role: 'chair', displayName: 'Đồng chí Chủ trì' },
    operator: { role: 'operator', displayName: 'Kỹ thuật viên' },
    daNang: { role: 'site', siteId: DA_NANG },
    hue: { role: 'site', siteId: HUE },
  });
  browser = await launchChromium();
  chair = await openPage(browser, `${hub.url}/join#${tokens.chair}`);
  operator = await openPage(browser, `${hub.url}/join#${tokens.operator}`);
  daNang = await openPage(browser, `${hub.url}/join#${tokens.daNang}`);
  hue = await openPage(browser, `${hub.url}/join#${tokens.hue}`);
  for (const p of [chair, operator, daNang, hue])
    await untilState(p.page, (s) => s.phase === 'joined', 'joined');
  await goLive(chair.page);
  for (const p of [daNang, hue])
    await untilState(p.page, (s) => s.media.producerIds.mic !== null, 'the sites publish their microphones');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('talk-back between the operator and one bridge point', () => {
  it('only Đà Nẵng hears the operator, only the operators hear Đà Nẵng, until talk-back closes', async () => {
    const opened = await forceRequest(operator.page, 'talkback:set', { siteId: DA_NANG });
    expect(opened.ok, JSON.stringify(opened)).toBe(true);

    // Đà Nẵng's page receives the operator's microphone, and there is sound in it (the beeps).
    const heard = await until(
      daNang.page,
      () => operatorVoice(daNang.page),
      (v) => v?.flowing === true && v.kbps > 0 && v.level > 0,
      "Đà Nẵng hearing the operator's beeps",
    );
    expect(heard?.level).toBeGreaterThan(0);
    // The operator hears Đà Nẵng's answer; the chair's room does not.
    await until(
      operator.page,
      () => hearsSite(operator.page, DA_NANG),
      (v) => v === true,
      'the operator hearing Đà Nẵng',
    );
    expect(await hearsSite(chair.page, DA_NANG)).toBe(false);
    // Huế is given nothing of it.
    const atHue = await operatorVoice(hue.page);
    expect(atHue === null || !atHue.flowing).toBe(true);
    expect(await hearsSite(hue.page, DA_NANG)).toBe(false);

    const closed = await forceRequest(operator.page, 'talkback:set', { siteId: null });
    expect(closed.ok, JSON.stringify(closed)).toBe(true);
    await until(
      daNang.page,
      () => operatorVoice(daNang.page),
      (v) => v === null || !v.flowing,
      "the operator's microphone stopped at Đà Nẵng",
    );
    await until(
      operator.page,
      () => hearsSite(operator.page, DA_NANG),
      (v) => v === false,
      'Đà Nẵng no longer heard',
    );
  }, 180_000);
});
