/**
 * The H.264 program end to end (issue 15): in a meeting set to H.264, a site's browser page
 * publishes its camera as H.264 (OpenH264, three simulcast layers), and an H.264-only room system
 * (baresip, libx264) receives the program as one H.264 stream: Huế's browser camera while Huế has
 * the floor, Đà Nẵng's room-system camera (blue 352x288) when the floor moves there, and Huế again.
 *
 * The second test compares what publishing costs the page in each codec (CPU of Chromium's
 * processes, printed for docs/SIP.md — not asserted) and asserts the codec each meeting's page
 * encodes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { IssuedLink, ParticipantId, SiteId, VideoCodec } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/src/domain/index.js';
import type { Hub } from '../../server/src/main.js';
import { type Baresip, startBaresip } from '../support/baresip.js';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { createMeeting, issueLink, login } from '../support/meeting.js';
import { freeUdpPort } from '../support/ports.js';
import { untilState } from './client-pages.js';

const HUE = 'hue' as SiteId;
const DA_NANG = 'da-nang' as SiteId;
const CAN_THO = 'can-tho' as SiteId;
const chair: Actor = {
  participantId: 'chair-test' as ParticipantId,
  role: 'chair',
  siteId: HOST_SITE,
  displayName: 'Chủ trì',
};

let hub: Hub;
let url: string;
let orgToken: string;
let browser: Browser;
const phones: Baresip[] = [];

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A live meeting in `codec` with links for the given sites. */
async function liveMeeting(codec: VideoCodec, sites: SiteId[]) {
  const summary = await createMeeting(url, orgToken, {
    title: `Giao ban ${codec}`,
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    invitedSiteIds: sites,
    videoCodec: codec,
  });
  const meetingId = summary.meeting.id;
  const links: Record<string, IssuedLink> = {};
  for (const siteId of sites)
    links[siteId] = await issueLink(url, orgToken, meetingId, { role: 'site', siteId });
  await hub.parts.meetings.run(meetingId, chair, { type: 'meeting:openTechCheck' });
  await hub.parts.meetings.run(meetingId, chair, { type: 'meeting:goLive' });
  return { meetingId, links };
}

/** The codec and encoder of the page's outgoing camera (outbound-rtp of every simulcast layer). */
function pageEncoder(page: Page): Promise<{
  mimeTypes: string[];
  encoders: string[];
  rids: string[];
  encodeSeconds: number;
  frames: number;
}> {
  return page.evaluate(async () => {
    const pcs = (globalThis as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections;
    const mimeTypes = new Set<string>();
    const encoders = new Set<string>();
    const rids: string[] = [];
    let encodeSeconds = 0;
    let frames = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, { mimeType?: string }>();
      stats.forEach((s) => {
        byId.set(s.id, s);
      });
      stats.forEach((s) => {
        if (s.type !== 'outbound-rtp' || s.kind !== 'video' || !s.framesEncoded) return;
        rids.push(String(s.rid ?? ''));
        encodeSeconds += Number(s.totalEncodeTime ?? 0);
        frames += Number(s.framesEncoded ?? 0);
        if (s.encoderImplementation) encoders.add(String(s.encoderImplementation));
        const codec = byId.get(s.codecId);
        if (codec) mimeTypes.add(String(codec.mimeType));
      });
    }
    return { mimeTypes: [...mimeTypes], encoders: [...encoders], rids, encodeSeconds, frames };
  });
}

/** Opens a site page whose RTCPeerConnections the test can read. */
async function sitePage(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'vi-VN' });
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
  const page = await context.newPage();
  await page.goto(`${url}/join#${token}`);
  await untilState(
    page,
    (s) => s.phase === 'joined' && s.media.producerIds.camera !== null,
    'the site publishes',
  );
  return page;
}

/** CPU seconds (user + system) so far of this process's Chromium descendants. */
function chromiumCpuSeconds(): number {
  const tick = 100; // USER_HZ on Linux
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  const name = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const pid = Number(entry);
      parent.set(pid, Number(fields[1]));
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / tick);
      name.set(pid, stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  for (const [pid, seconds] of cpu) {
    if (!/chrom/i.test(name.get(pid) ?? '')) continue;
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += seconds;
        break;
      }
    }
  }
  return total;
}

beforeAll(async () => {
  hub = await startTestHub({ SIP_PORT: String(await freeUdpPort()) });
  url = hub.url.replace('localhost', '127.0.0.1');
  orgToken = await login(url, 'org', 'org-password');
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const p of phones) p.stop();
  await browser?.close();
  await hub?.stop();
});

const callOf = (siteId: SiteId) =>
  [...(hub.parts.sip?.calls.values() ?? [])].find((c) => c.siteId === siteId);

describe('the H.264 program from browsers to room systems', () => {
  it("a browser site publishes H.264; an H.264-only room system decodes it from the program, then another site's, then it again", async () => {
    const { meetingId, links } = await liveMeeting('h264', [HUE, DA_NANG, CAN_THO]);
    const hue = await sitePage(links[HUE]?.token ?? '');
    const encoder = await pageEncoder(hue);
    expect(encoder.mimeTypes).toEqual(['video/H264']);

    const dial = (siteId: SiteId, rtp: string, colour: string, size: string) => {
      const sip = links[siteId]?.sip;
      if (!sip) throw new Error('no credential');
      return startBaresip({
        rtpPorts: rtp,
        username: sip.username,
        password: sip.password,
        dial: sip.uri,
        colour,
        toneHz: 440,
        videoModule: 'avcodec',
        videoSize: size,
      });
    };
    const daNang = await dial(DA_NANG, '33000-33099', 'blue', '352x288');
    phones.push(daNang);
    const canTho = await dial(CAN_THO, '33100-33199', 'green', '320x240');
    phones.push(canTho);
    for (const p of [daNang, canTho]) await p.waitFor(/Call established/);
    await until('Đà Nẵng camera produced', () =>
      (callOf(DA_NANG)?.media?.producers ?? []).some((p) => p.kind === 'video'),
    );
    const program = callOf(CAN_THO)?.media?.programConsumer;
    expect(program?.rtpParameters.codecs[0]?.mimeType).toBe('video/H264');
    const media = await hub.parts.media.get(meetingId as never);
    const decodedSize = async (): Promise<(string | undefined)[]> =>
      /vidisp: fakevideo (\d+ x \d+) frames=(\d+)/.exec(await canTho.command('video_debug')) ?? [];
    /** Waits until Cần Thơ's decoder outputs frames of `size` (or, with `not`, of another size). */
    const untilDecodes = async (what: string, size: string, not = false) => {
      let seen: (string | undefined)[] = [];
      await until(
        what,
        async () => {
          seen = await decodedSize();
          const [, now, frames] = seen;
          return Number(frames ?? 0) > 0 && now !== undefined && (now === size) !== not;
        },
        45_000,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}; decoder: ${seen[0] ?? 'nothing'}; program: ${media.program.sourceProducerId}`,
        );
      });
    };

    // Huế's browser camera (H.264 simulcast, top layer) is the program Cần Thơ decodes.
    await hub.parts.meetings.run(meetingId, chair, { type: 'floor:grant', siteId: HUE });
    const hueCamera = (await untilHueCamera(hue)) as string;
    await until('program on Huế', () => media.program.sourceProducerId === hueCamera);
    await untilDecodes("Cần Thơ decodes Huế's browser camera", '352 x 288', true);

    // The floor to Đà Nẵng (a room system): the same H.264 stream switches to its blue 352x288.
    await hub.parts.meetings.run(meetingId, chair, { type: 'floor:grant', siteId: DA_NANG });
    await untilDecodes("Cần Thơ decodes Đà Nẵng's camera", '352 x 288');

    // Back to Huế: the switch waits for the browser's IDR (asked for at once) and decodes again.
    await hub.parts.meetings.run(meetingId, chair, { type: 'floor:grant', siteId: HUE });
    await until('program on Huế again', () => media.program.sourceProducerId === hueCamera);
    await untilDecodes("Cần Thơ decodes Huế's browser camera again", '352 x 288', true);
    expect(callOf(CAN_THO)?.media?.programConsumer).toBe(program);
    expect(program?.closed).toBe(false);

    for (const p of [daNang, canTho]) await p.command('hangup');
    await hue.context().close();
  }, 240_000);

  it("a site page publishes in its meeting's codec; what each costs it (printed)", async () => {
    const costs: string[] = [];
    for (const codec of ['h264', 'vp8'] as const) {
      const { meetingId, links } = await liveMeeting(codec, [HUE]);
      const page = await sitePage(links[HUE]?.token ?? '');
      // On stage: the hub asks the page for all three encodings.
      await hub.parts.meetings.run(meetingId, chair, { type: 'stage:pin', siteId: HUE });
      await until('three encodings', async () => (await pageEncoder(page)).rids.length === 3, 45_000);
      const encoder = await pageEncoder(page);
      expect(encoder.mimeTypes).toEqual([codec === 'h264' ? 'video/H264' : 'video/VP8']);
      await new Promise((r) => setTimeout(r, 3000));
      const before = chromiumCpuSeconds();
      const encA = await pageEncoder(page);
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, 15_000));
      const encB = await pageEncoder(page);
      const seconds = (Date.now() - t0) / 1000;
      const pct = ((chromiumCpuSeconds() - before) / seconds) * 100;
      const encodePct = ((encB.encodeSeconds - encA.encodeSeconds) / seconds) * 100;
      const fps = (encB.frames - encA.frames) / seconds;
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      costs.push(
        `${codec}: Chromium ${pct.toFixed(1)} % of one core, encoder busy ${encodePct.toFixed(1)} % (${encoder.encoders.join(',')}, ${fps.toFixed(0)} frames/s over 3 layers, load ${load})`,
      );
      await page.context().close();
      await hub.parts.meetings.run(meetingId, chair, { type: 'meeting:end' });
    }
    console.log(`publishing one camera, three layers, 15 s:\n  ${costs.join('\n  ')}`);
  }, 240_000);
});

/** The camera producer id Huế's page published. */
async function untilHueCamera(page: Page): Promise<string | null> {
  let id: string | null = null;
  await untilState(
    page,
    (s) => {
      id = s.media.producerIds.camera;
      return id !== null;
    },
    'Huế camera',
  );
  return id;
}
