/**
 * The H.264 program for room systems (issue 15): a meeting set to H.264, three H.264-only
 * baresips from Debian (libx264, packetization-mode 1, no VP8 — like hardware room codecs) dial in
 * as Huế (red, 320x240), Đà Nẵng (blue, 352x288) and Cần Thơ (green). The program is one H.264
 * stream sent to Cần Thơ without transcoding: when the floor goes to Huế, Cần Thơ's decoder shows
 * Huế's red picture; when it goes to Đà Nẵng, the same stream (one consumer, one SSRC) switches at
 * Đà Nẵng's IDR and Cần Thơ decodes its blue 352x288 picture.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IssuedLink, ParticipantId, SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/src/domain/index.js';
import type { Hub } from '../../server/src/main.js';
import { type Baresip, startBaresip } from '../support/baresip.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { createMeeting, issueLink, login } from '../support/meeting.js';
import { freeUdpPort } from '../support/ports.js';

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
let meetingId: string;
const links: Record<string, IssuedLink> = {};
const phones: Baresip[] = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'sip-h264-'));

async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const callOf = (siteId: SiteId) =>
  [...(hub.parts.sip?.calls.values() ?? [])].find((c) => c.siteId === siteId);

/** The average colour of a PNG baresip wrote from the picture it decoded, through ffmpeg. */
function averageColour(png: string): { r: number; g: number; b: number } {
  const rgb = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', png, '-vf', 'scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { timeout: 10_000 },
  );
  return { r: rgb[0] ?? 0, g: rgb[1] ?? 0, b: rgb[2] ?? 0 };
}

let snapshots = 0;
/** Asks Cần Thơ's baresip for the next picture it decodes; resolves with its average colour. */
async function decodedColour(phone: Baresip): Promise<{ r: number; g: number; b: number }> {
  const file = path.join(scratch, `decoded-${++snapshots}.png`);
  await phone.command('snapshot_recv', file);
  await phone.waitFor(new RegExp(`png: wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 10_000);
  readFileSync(file); // written completely before the line is printed
  return averageColour(file);
}

beforeAll(async () => {
  const sipPort = await freeUdpPort();
  hub = await startTestHub({ SIP_PORT: String(sipPort) });
  const url = hub.url.replace('localhost', '127.0.0.1');
  const orgToken = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, orgToken, {
    title: 'Giao ban với thiết bị phòng họp H.264',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    invitedSiteIds: [HUE, DA_NANG, CAN_THO],
    videoCodec: 'h264',
  });
  meetingId = summary.meeting.id;
  for (const siteId of [HUE, DA_NANG, CAN_THO])
    links[siteId] = await issueLink(url, orgToken, meetingId, { role: 'site', siteId });
  await hub.parts.meetings.run(meetingId, chair, { type: 'meeting:openTechCheck' });
  await hub.parts.meetings.run(meetingId, chair, { type: 'meeting:goLive' });
}, 30_000);

afterAll(async () => {
  for (const p of phones) p.stop();
  await hub?.stop();
});

describe('the H.264 program for room systems (baresip, H.264 only)', () => {
  it('an H.264-only room system receives the program as one H.264 stream whose picture follows the floor', async () => {
    const record = await hub.parts.meetings.get(meetingId);
    expect(record.meeting.videoCodec).toBe('h264');
    const start = (siteId: SiteId, rtp: string, colour: string, size: string, snapshot = false) => {
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
        snapshot,
      });
    };
    const hue = await start(HUE, '32000-32099', 'red', '320x240');
    phones.push(hue);
    const daNang = await start(DA_NANG, '32100-32199', 'blue', '352x288');
    phones.push(daNang);
    const canTho = await start(CAN_THO, '32200-32299', 'green', '320x240', true);
    phones.push(canTho);
    for (const p of [hue, daNang, canTho]) await p.waitFor(/Call established/);

    // The meeting's program is H.264; every room system's camera goes into the router as H.264.
    const media = await hub.parts.media.get(meetingId as never);
    expect(media.program.codec).toBe('h264');
    expect(media.program.producer.rtpParameters.codecs[0]?.mimeType).toBe('video/H264');
    for (const site of [HUE, DA_NANG, CAN_THO])
      await until(
        `${site} camera and mic produced`,
        () => (callOf(site)?.media?.producers.length ?? 0) === 2,
      );
    const cameraOf = (site: SiteId) => callOf(site)?.media?.producers.find((p) => p.kind === 'video');
    for (const site of [HUE, DA_NANG])
      expect(cameraOf(site)?.rtpParameters.codecs[0]?.mimeType).toBe('video/H264');

    // Cần Thơ is sent the program, as H.264, on one consumer for the whole call.
    const program = callOf(CAN_THO)?.media?.programConsumer;
    expect(program?.rtpParameters.codecs[0]?.mimeType).toBe('video/H264');
    expect(program?.rtpParameters.codecs[0]?.parameters).toMatchObject({ 'packetization-mode': 1 });
    const programSsrc = program?.rtpParameters.encodings?.[0]?.ssrc;

    // The floor to Huế: the program is Huế's camera, and Cần Thơ decodes Huế's red 320x240.
    await hub.parts.meetings.run(meetingId, chair, { type: 'floor:grant', siteId: HUE });
    await until('program on Huế', () => media.program.sourceProducerId === cameraOf(HUE)?.id);
    await canTho.waitFor(/video: receiving with resolution 320 x 240/, 20_000);
    const red = await decodedColour(canTho);
    expect(red.r).toBeGreaterThan(180);
    expect(red.g + red.b).toBeLessThan(120);
    const sentOnHue = callOf(CAN_THO)?.media?.relayStats('video')?.toPeer ?? 0;
    expect(sentOnHue).toBeGreaterThan(0);

    // The floor to Đà Nẵng: the same stream switches at Đà Nẵng's key frame; Cần Thơ's decoder
    // now shows Đà Nẵng's blue 352x288 picture.
    const switchedAt = new Promise<number>((resolve) => {
      const onSwitched = (id: string | null) => {
        if (id !== cameraOf(DA_NANG)?.id) return;
        media.program.off('switched', onSwitched);
        resolve(Date.now());
      };
      media.program.on('switched', onSwitched);
    });
    const grantedAt = Date.now();
    await hub.parts.meetings.run(meetingId, chair, { type: 'floor:grant', siteId: DA_NANG });
    await until('program on Đà Nẵng', () => media.program.sourceProducerId === cameraOf(DA_NANG)?.id);
    // Measured, not asserted: grant → the program switched at Đà Nẵng's IDR (docs/SIP.md).
    console.log(`floor change → program switched at the new IDR: ${(await switchedAt) - grantedAt} ms`);
    // baresip reports the resolution only for the first frame: read the pictures it decodes.
    let blue = await decodedColour(canTho);
    const since = Date.now();
    while (blue.b < 180 && Date.now() - since < 20_000) blue = await decodedColour(canTho);
    expect(blue.b).toBeGreaterThan(180);
    expect(blue.r + blue.g).toBeLessThan(120);
    // Its decoder now outputs Đà Nẵng's size: the SPS/PPS of the new source came with its IDR.
    expect(await canTho.command('video_debug')).toMatch(/vidisp: fakevideo 352 x 288/);

    // No new consumer, no new SSRC: one continuous stream to the room system.
    expect(callOf(CAN_THO)?.media?.programConsumer).toBe(program);
    expect(program?.closed).toBe(false);
    expect(program?.rtpParameters.encodings?.[0]?.ssrc).toBe(programSsrc);
    expect(callOf(CAN_THO)?.media?.relayStats('video')?.toPeer ?? 0).toBeGreaterThan(sentOnHue);
    // Đà Nẵng, now the program itself, is not sent its own picture.
    expect(callOf(DA_NANG)?.media?.programConsumer?.paused).toBe(true);

    for (const p of [hue, daNang, canTho]) await p.command('hangup');
    await until('all left', () => !callOf(HUE) && !callOf(DA_NANG) && !callOf(CAN_THO));
  }, 120_000);

  it("a room system's hold and resume (re-INVITE a=sendonly, then sendrecv) stop and restart what the hub sends it", async () => {
    const sip = links[HUE]?.sip;
    if (!sip) throw new Error('no credential');
    const hue = await startBaresip({
      rtpPorts: '32300-32399',
      username: sip.username,
      password: sip.password,
      dial: sip.uri,
      colour: 'red',
      toneHz: 440,
      videoModule: 'avcodec',
    });
    phones.push(hue);
    await hue.waitFor(/Call established/);
    await until('Huế call up', () => callOf(HUE)?.media?.sending('audio') === true);
    const media = () => callOf(HUE)?.media;
    // The mix sends Huế 20 ms audio packets all the time (silence when nobody speaks).
    const audioSent = () => media()?.relayStats('audio')?.toPeer ?? 0;
    const before = audioSent();
    await until('the mix reaches Huế', () => audioSent() > before + 10);

    await hue.command('hold');
    await until(
      'Huế on hold',
      () => media()?.sending('audio') === false && media()?.sending('video') === false,
    );
    const held = audioSent();
    // Still one call, still the site's: hold is not a hang-up.
    expect(callOf(HUE)).toBeDefined();
    // The mix keeps ticking meanwhile; none of it goes to the held room system.
    await new Promise((r) => setTimeout(r, 1000));
    expect(audioSent()).toBe(held);

    await hue.command('resume');
    await until(
      'Huế resumed',
      () => media()?.sending('audio') === true && media()?.sending('video') === true,
    );
    await until('the mix reaches Huế again', () => audioSent() > held + 10);
    await hue.command('hangup');
    await until('Huế left', () => !callOf(HUE));
  }, 60_000);
});
