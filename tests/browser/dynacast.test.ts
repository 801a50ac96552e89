/**
 * Dynacast in real pages: a site's page sends only the camera encodings someone consumes and no
 * audio while the hub would not forward its microphone. Read from Chromium's own RTCRtpSenders
 * (`getParameters().encodings[].active`, the audio transceiver's direction): off stage Huế encodes the
 * lowest layer alone and sends no audio; given the floor it encodes all three layers and sends its
 * microphone; when the turn ends it goes back.
 */
import type { SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { launchChromium } from '../support/browser.js';
import { startTestHub } from '../support/inProcessHub.js';
import { prepareMeeting } from '../support/redis.js';
import { type ClientPage, forceRequest, goLive, grantFloor, openPage, untilState } from './client-pages.js';

const HUE = 'hue' as SiteId;

let hub: Hub;
let browser: Browser;
let chair: ClientPage;
let hue: Page;

/** What Huế's page sends: each camera encoding's `active`, and whether its audio sender has a track. */
interface Sending {
  camera: boolean[];
  audio: boolean;
}

function sending(page: Page): Promise<Sending | null> {
  return page.evaluate(() => {
    const pcs = (globalThis as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections;
    // The sending connection is the one whose camera sender has a track; its audio transceiver
    // turns inactive while the microphone is paused (nothing is sent).
    const send = pcs.find(
      (pc) => pc.connectionState !== 'closed' && pc.getSenders().some((s) => s.track?.kind === 'video'),
    );
    const video = send?.getSenders().find((s) => s.track?.kind === 'video');
    const audio = send?.getTransceivers().find((t) => t.receiver.track.kind === 'audio');
    if (!video || !audio) return null;
    return {
      camera: video.getParameters().encodings.map((e) => e.active !== false),
      audio: audio.direction !== 'inactive',
    };
  });
}

/** Waits until what Huë's page sends is `want`. */
async function sends(want: Sending, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  let last: Sending | null = null;
  for (;;) {
    last = await sending(hue).catch(() => null);
    if (last && JSON.stringify(last) === JSON.stringify(want)) return;
    if (Date.now() > deadline) {
      const all = await hue.evaluate(() =>
        (globalThis as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections.map(
          (pc) => ({
            state: pc.connectionState,
            senders: pc.getSenders().map((s) => ({
              kind: s.track?.kind ?? null,
              enc: s.getParameters().encodings.map((e) => e.active),
            })),
          }),
        ),
      );
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)} ${JSON.stringify(all)}`);
    }
    await hue.waitForTimeout(200);
  }
}

beforeAll(async () => {
  hub = await startTestHub();
  const { tokens } = await prepareMeeting(hub.url, [HUE], {
    chair: { role: 'chair', displayName: 'Đồng chí Chủ trì' },
    hue: { role: 'site', siteId: HUE },
  });
  browser = await launchChromium();
  chair = await openPage(browser, `${hub.url}/join#${tokens.chair}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'vi-VN' });
  // Keeps every RTCPeerConnection the page makes, so the test can read its senders.
  await context.addInitScript(() => {
    const g = globalThis as unknown as { testPeerConnections: RTCPeerConnection[] };
    g.testPeerConnections = [];
    const Native = RTCPeerConnection;
    globalThis.RTCPeerConnection = class extends Native {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        g.testPeerConnections.push(this);
      }
    };
  });
  hue = await context.newPage();
  hue.on('console', (m) => {
    if (/setPublishLayers|setMicOpen|produce\(\)/.test(m.text())) console.log(`Huế | ${m.text()}`);
  });
  await hue.goto(`${hub.url}/join#${tokens.hue}`);
  for (const page of [chair.page, hue]) await untilState(page, (s) => s.phase === 'joined', 'joined');
  await goLive(chair.page);
  await untilState(
    hue,
    (s) => s.media.producerIds.camera !== null && s.media.producerIds.mic !== null,
    'Huế publishes',
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('a site sends only what the hub forwards', () => {
  it('off stage: the lowest camera layer and no audio; with the floor: every layer and its microphone', async () => {
    await sends({ camera: [true, false, false], audio: false }, 'Huế off stage');

    await grantFloor(chair.page, hue, 'Tình hình giải ngân vốn đầu tư');
    await sends({ camera: [true, true, true], audio: true }, 'Huế with the floor');

    expect((await forceRequest(chair.page, 'floor:revoke', {})).ok).toBe(true);
    await sends({ camera: [true, false, false], audio: false }, 'Huế after its turn');
  }, 120_000);
});
