/**
 * Failover seen from real pages (headless Chromium, fake camera): two hub instances on one Redis
 * (in this process) with a TCP proxy in front, as a load balancer. The chair and Huế open their
 * links through the proxy and land on instance A, which then holds the meeting's media; an
 * observer opens hers on instance B (her media is hosted on A). Huế gets the floor and every page
 * decodes Huế's camera. Then A stops: the observer's page shows "reconnecting media" instead of a
 * frozen frame, the chair's and Huế's pages reconnect through the proxy to B, Huế publishes again,
 * Huế still holds the same turn, and the observer's and the chair's main stages decode Huế's camera
 * again, now from B. The times are printed (docs/REDIS.md), never asserted.
 */
import type { MeetingId, SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { launchChromium } from '../support/browser.js';
import { startTestHub } from '../support/inProcessHub.js';
import { startProxy, type TcpProxy } from '../support/proxy.js';
import { prepareMeeting, type RedisServer, redisHubEnv, startRedis } from '../support/redis.js';
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

let redis: RedisServer;
let hubA: Hub;
let hubB: Hub;
let proxy: TcpProxy;
let browser: Browser;
let meetingId: MeetingId;
let tokens: Record<string, string>;

/** Prints where the test is, so a timeout on a CI machine says which step hung. */
const t0 = Date.now();
const step = (what: string) => console.log(`failover-program | +${Date.now() - t0} ms ${what}`);

/** The floor turn a page's snapshot shows. */
const floorOf = (page: Page) =>
  page.evaluate(() => {
    const state = (
      globalThis as unknown as {
        giaoban: {
          state(): { snapshot: { queue: { floor: { siteId: string; grantedAt: number } | null } } | null };
        };
      }
    ).giaoban.state();
    return state.snapshot?.queue.floor ?? null;
  });

beforeAll(async () => {
  redis = await startRedis();
  const env = redisHubEnv(redis);
  hubA = await startTestHub(env);
  hubB = await startTestHub(env);
  proxy = await startProxy([Number(new URL(hubA.url).port), Number(new URL(hubB.url).port)]);
  let id: string;
  ({ meetingId: id, tokens } = await prepareMeeting(hubB.url, [HUE], {
    chair: { role: 'chair', displayName: 'Đồng chí Chủ trì' },
    hue: { role: 'site', siteId: HUE },
    observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
  }));
  meetingId = id as MeetingId;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await hubA?.stop();
  await hubB?.stop();
  await redis?.stop();
});

describe('the instance holding the media stops while a site has the floor', () => {
  it('the observer sees "reconnecting media", the site keeps its turn, and every page decodes it again', async () => {
    step('opening the chair');
    const chair: ClientPage = await openPage(browser, `${proxy.url}/join#${tokens.chair}`);
    await untilState(chair.page, (s) => s.phase === 'joined', 'the chair joined');
    // The first join claimed the media for A (the proxy's first choice).
    expect(await hubB.parts.clusterMedia?.ownerOf(meetingId)).toBe(hubA.parts.cluster?.instanceId);
    step('chair joined; opening Huế and the observer');
    const hue = await openPage(browser, `${proxy.url}/join#${tokens.hue}`);
    const observer = await openPage(browser, `${hubB.url}/join#${tokens.observer}`);
    for (const p of [hue, observer]) await untilState(p.page, (s) => s.phase === 'joined', 'joined');

    step('all joined; going live');
    await goLive(chair.page);
    await untilState(hue.page, (s) => s.media.producerIds.camera !== null, "Huế's camera published");
    await grantFloor(chair.page, hue.page, 'Kiến nghị về vốn đầu tư công');
    step('Huế has the floor');
    const firstCamera = (await clientState(hue.page)).media.producerIds.camera;
    const firstStream = await untilDecoding(observer.page, HUE, null, "the observer decoding Huế's program");
    const turn = await floorOf(observer.page);
    expect(turn?.siteId).toBe(HUE);

    // Notice the banner however briefly it shows.
    await observer.page.evaluate(() => {
      const w = globalThis as unknown as { movingBannerAt: number };
      w.movingBannerAt = 0;
      new MutationObserver(() => {
        if (!w.movingBannerAt && document.querySelector('[data-testid="media-moving-banner"]'))
          w.movingBannerAt = Date.now();
      }).observe(document.body, { childList: true, subtree: true });
    });
    step('observer decodes Huế; stopping A');
    const stoppedAt = Date.now();
    await hubA.stop();
    step('A stopped');

    let bannerAt = 0;
    for (let i = 0; i < 100 && !bannerAt; i++) {
      bannerAt = await observer.page.evaluate(
        () => (globalThis as unknown as { movingBannerAt: number }).movingBannerAt,
      );
      if (!bannerAt) await observer.page.waitForTimeout(200);
    }
    expect(bannerAt, 'the observer page showed "reconnecting media"').toBeGreaterThan(0);

    step('banner seen');
    // Huế is back through the proxy on B and publishes again; the turn is the same turn.
    await untilState(
      hue.page,
      (s) =>
        s.phase === 'joined' &&
        s.media.producerIds.camera !== null &&
        s.media.producerIds.camera !== firstCamera,
      'Huế rejoined on B and publishes again',
    );
    step('Huế publishes again on B');
    await untilDecoding(observer.page, HUE, firstStream, "the observer decoding Huế's program again, from B");
    const observerBackAt = Date.now();
    step('observer decodes Huế again');
    await untilDecoding(chair.page, HUE, null, "the chair decoding Huế's program again");
    const chairBackAt = Date.now();
    expect(await hubB.parts.clusterMedia?.ownerOf(meetingId)).toBe(hubB.parts.cluster?.instanceId);
    expect(await floorOf(observer.page)).toEqual(turn);
    expect(await floorOf(chair.page)).toEqual(turn);
    const record = await hubB.parts.meetings.get(meetingId);
    expect(record.queue.floor).toMatchObject({ siteId: HUE, grantedAt: turn?.grantedAt, endedAt: null });
    expect(record.attendance.filter((e) => e.kind === 'leave' && e.at >= stoppedAt)).toEqual([]);
    console.log(
      `failover-program | media owner stopped: "reconnecting media" on the observer page after ${bannerAt - stoppedAt} ms, ` +
        `Huế's camera decoded again by the observer after ${observerBackAt - stoppedAt} ms, by the chair after ${chairBackAt - stoppedAt} ms`,
    );
  }, 300_000);
});
