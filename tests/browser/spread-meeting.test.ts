/**
 * One meeting over two mediasoup workers, in real pages (issue 12 step 4). The hub runs two workers
 * and puts one peer per router (MEDIA_PEERS_PER_ROUTER=1), so the chair's page lands on the
 * meeting's home worker, Huế's on the other one (its WebRtcServer, its own port) and the observer's
 * back home: every picture crosses between workers through pipeToRouter. Huế decodes the chair's
 * program from across the pipe; given the floor, the chair and the observer decode Huế's camera
 * piped home into the program. Then Huế's worker is killed: only Huế's page rebuilds (no reload,
 * the same floor turn), the observer's media never moves, and the chair decodes Huế again.
 */
import type { MeetingId, SiteId } from '@giaoban/shared';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import type { MeetingMedia } from '../../server/src/media/index.js';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { eventually } from '../support/meeting.js';
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
  hub = await startTestHub({ MEDIA_WORKERS: '2', MEDIA_PEERS_PER_ROUTER: '1' });
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

/** The worker slot a page's media peer is on, as the hub placed it. */
async function workerOf(media: MeetingMedia, page: ClientPage): Promise<number | undefined> {
  const self = (await clientState(page.page)).self as { participantId?: string } | null;
  const peer = [...media.peers.values()].find((p) => p.participantId === self?.participantId);
  return peer ? media.workerIndexOfPeer(peer) : undefined;
}

describe('a meeting spread over two workers, in real pages', () => {
  it('carries pictures both ways between the workers, and a dead worker moves only its own pages', async () => {
    const chair = await openPage(browser, `${hub.url}/join#${tokens.chair}`);
    await untilState(chair.page, (s) => s.phase === 'joined', 'the chair joined');
    const media = await hub.parts.media.get(meetingId);
    await eventually(
      () => media.workerIndexes.length === 2,
      'the meeting opened a router on the second worker',
    );
    const [home, other] = media.workerIndexes;

    const hue = await openPage(browser, `${hub.url}/join#${tokens.hue}`);
    await untilState(hue.page, (s) => s.phase === 'joined', 'Huế joined');
    const observer = await openPage(browser, `${hub.url}/join#${tokens.observer}`);
    await untilState(observer.page, (s) => s.phase === 'joined', 'the observer joined');
    expect(await workerOf(media, chair)).toBe(home);
    expect(await workerOf(media, hue)).toBe(other);
    expect(await workerOf(media, observer)).toBe(home);

    await goLive(chair.page);
    // The host's camera (home) reaches Huế's page on the other worker.
    await untilDecoding(hue.page, HOST_SITE, null, "Huế decoding the chair's program across the pipe");
    await untilState(hue.page, (s) => s.media.producerIds.camera !== null, "Huế's camera published");
    await grantFloor(chair.page, hue.page, 'Tình hình sản xuất vụ đông');
    // Huế's camera (other worker) is piped home into the program: the chair and the observer see it.
    const observerStream = await untilDecoding(
      observer.page,
      HUE,
      null,
      "the observer decoding Huế's camera",
    );
    await untilDecoding(chair.page, HUE, null, "the chair decoding Huế's camera");
    const turn = (await hub.parts.meetings.get(meetingId)).queue.floor;
    expect(turn).toMatchObject({ siteId: HUE, endedAt: null });

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
    const firstCamera = (await clientState(hue.page)).media.producerIds.camera;
    const victim = hub.parts.pool.workers.find((w) => (w.appData as { index?: number }).index === other);
    if (!victim) throw new Error("no worker for Huế's share");
    process.kill(victim.pid, 'SIGKILL');

    await untilState(
      hue.page,
      (s) =>
        s.phase === 'joined' &&
        s.media.producerIds.camera !== null &&
        s.media.producerIds.camera !== firstCamera,
      'Huế publishes again after its worker died',
    );
    await untilDecoding(chair.page, HUE, null, "the chair decoding Huế's camera again");
    // The observer's media stayed where it was: the same stream, never told to move.
    expect(await untilDecoding(observer.page, HUE, null, 'the observer still decoding Huế')).toBe(
      observerStream,
    );
    expect(
      await observer.page.evaluate(
        () => (globalThis as unknown as { movingBannerAt: number }).movingBannerAt,
      ),
    ).toBe(0);
    for (const p of [chair, hue, observer])
      expect(await p.page.evaluate(() => (globalThis as unknown as { loadMark?: string }).loadMark)).toBe(
        'first load',
      );
    const record = await hub.parts.meetings.get(meetingId);
    expect(record.queue.floor).toEqual(turn);
  }, 240_000);
});
