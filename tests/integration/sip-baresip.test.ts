/**
 * Room systems over SIP with a real peer nobody here wrote: two baresips from Debian dial in as
 * Huế and Đà Nẵng (VP8 colour camera, a sine tone, G.722), authenticated with the credentials of
 * their site links. Huế's remote control requests the floor with DTMF `*1`; once the chair grants
 * it, Huế's camera is the program that Đà Nẵng's baresip decodes, and Huế's microphone is in the
 * audio mix Đà Nẵng receives. Hang-up and link revocation clean up.
 */
import dgram from 'node:dgram';
import type { IssuedLink, ParticipantId, SiteId } from '@giaoban/shared';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/src/domain/index.js';
import type { Hub } from '../../server/src/main.js';
import { answerChallenge } from '../../server/src/sip/DigestAuth.js';
import { type Baresip, startBaresip } from '../support/baresip.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { api, createMeeting, issueLink, login } from '../support/meeting.js';
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
let url: string;
let orgToken: string;
let meetingId: string;
let sipPort: number;
const links: Record<string, IssuedLink> = {};
const phones: Baresip[] = [];

async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const callOf = (siteId: SiteId) =>
  [...(hub.parts.sip?.calls.values() ?? [])].find((c) => c.siteId === siteId);

beforeAll(async () => {
  sipPort = await freeUdpPort();
  hub = await startTestHub({ SIP_PORT: String(sipPort) });
  url = hub.url.replace('localhost', '127.0.0.1');
  orgToken = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, orgToken, {
    title: 'Giao ban có điểm cầu SIP',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    invitedSiteIds: [HUE, DA_NANG, CAN_THO],
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

describe('SIP room systems (baresip)', () => {
  it('issuing a site link returns its SIP URI and credential', () => {
    const sip = links[HUE]?.sip;
    expect(sip?.uri).toBe(`sip:${meetingId}.hue@127.0.0.1:${sipPort}`);
    expect(sip?.username).toBe(links[HUE]?.link.id);
    expect(sip?.password.length).toBeGreaterThanOrEqual(16);
  });

  it('refuses wrong credentials with 403, a wrong site with 403 and an unknown address with 404', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const replies: string[] = [];
    sock.on('message', (m) => replies.push(m.toString()));
    const send = (user: string, branch: string, auth?: string) => {
      const uri = `sip:${user}@127.0.0.1:${sipPort}`;
      sock.send(
        `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${sock.address().port};branch=${branch}\r\n` +
          `From: <sip:x@127.0.0.1>;tag=1\r\nTo: <${uri}>\r\nCall-ID: bad-${branch}\r\nCSeq: 1 INVITE\r\n` +
          `${auth ? `Authorization: ${auth}\r\n` : ''}Content-Type: application/sdp\r\nContent-Length: 0\r\n\r\n`,
        sipPort,
        '127.0.0.1',
      );
    };
    const reply = async (n: number) => {
      await until(`reply ${n}`, () => replies.length >= n, 5000);
      return replies[n - 1] as string;
    };
    send(`${meetingId}.hue`, 'z9hG4bKa1');
    const challenge = /WWW-Authenticate: (.*)\r\n/.exec(await reply(1))?.[1] ?? '';
    expect(challenge).toContain('Digest realm="giaoban"');
    const hueUri = `sip:${meetingId}.hue@127.0.0.1:${sipPort}`;
    const hueUser = links[HUE]?.sip?.username ?? '';
    send(
      `${meetingId}.hue`,
      'z9hG4bKa2',
      answerChallenge(challenge, 'INVITE', hueUri, hueUser, 'wrong-password'),
    );
    expect(await reply(2)).toMatch(/^SIP\/2.0 403 /);
    const daNangUri = `sip:${meetingId}.da-nang@127.0.0.1:${sipPort}`;
    send(
      `${meetingId}.da-nang`,
      'z9hG4bKa3',
      answerChallenge(challenge, 'INVITE', daNangUri, hueUser, links[HUE]?.sip?.password ?? ''),
    );
    expect(await reply(3)).toMatch(/^SIP\/2.0 403 .*another meeting or site/);
    send('nobody', 'z9hG4bKa4');
    expect(await reply(4)).toMatch(/^SIP\/2.0 404 /);
    sock.close();
    expect(hub.parts.sip?.calls.size).toBe(0);
  });

  it("two baresips join as sites; DTMF *1 queues Huế; with the floor its camera is the program Đà Nẵng decodes and its voice is in Đà Nẵng's mix; hang-up and revocation clean up", async () => {
    const start = (siteId: SiteId, rtp: string, colour: string, tone: number) => {
      const sip = links[siteId]?.sip;
      if (!sip) throw new Error('no credential');
      return startBaresip({
        rtpPorts: rtp,
        username: sip.username,
        password: sip.password,
        dial: sip.uri,
        colour,
        toneHz: tone,
      });
    };
    const hue = await start(HUE, '31000-31099', 'red', 440);
    phones.push(hue);
    const daNang = await start(DA_NANG, '31100-31199', 'blue', 660);
    phones.push(daNang);
    await hue.waitFor(/Call established/);
    await daNang.waitFor(/Call established/);

    // Both are sites of the meeting, connected, with their camera and microphone in the router.
    await until('both sites connected', async () => {
      const rec = await hub.parts.meetings.get(meetingId);
      return [HUE, DA_NANG].every(
        (s) => (rec.sites.find((x) => x.id === s)?.connection ?? 'absent') !== 'absent',
      );
    });
    await until('Huế camera and mic produced', () => (callOf(HUE)?.media?.producers.length ?? 0) === 2);
    const hueProducers = callOf(HUE)?.media?.producers ?? [];
    expect(hueProducers.map((p) => p.rtpParameters.codecs[0]?.mimeType).sort()).toEqual([
      'audio/G722',
      'video/VP8',
    ]);
    await until('Huế media flowing in the router', async () => {
      const stats = await Promise.all(hueProducers.map((p) => p.getStats()));
      return stats.every((s) => s.some((x) => x.byteCount > 0));
    });

    // The remote control: *1 requests the floor.
    await hue.command('sndcode', '*1');
    await until('Huế in the queue', async () =>
      (await hub.parts.meetings.get(meetingId)).queue.requests.some((r) => r.siteId === HUE),
    );
    await hub.parts.meetings.run(meetingId, chair, { type: 'floor:grant', siteId: HUE });

    // Đà Nẵng receives the program (Huế's camera through the switcher) and decodes it.
    await daNang.waitFor(/video: receiving with resolution 320 x 240/, 20_000);
    const media = await hub.parts.media.get(meetingId as never);
    expect(media.program.sourceProducerId).toBe(hueProducers.find((p) => p.kind === 'video')?.id);
    // Huế, the program itself, is not sent its own picture.
    expect(callOf(HUE)?.media?.programConsumer?.paused).toBe(true);

    // Đà Nẵng's one audio stream mixes Huế's open microphone (not its own), encoded to G.722.
    const hueMic = hueProducers.find((p) => p.kind === 'audio');
    await until(
      "Huế's mic in Đà Nẵng's mix",
      () => callOf(DA_NANG)?.media?.mix?.sourceIds.includes(hueMic?.id ?? '') ?? false,
    );
    expect(callOf(DA_NANG)?.media?.mix?.sourceIds).not.toContain(
      callOf(DA_NANG)?.media?.producers.find((p) => p.kind === 'audio')?.id,
    );
    const sentBefore = callOf(DA_NANG)?.media?.relayStats('audio')?.toPeer ?? 0;
    await until(
      'mix packets flowing to Đà Nẵng',
      () => (callOf(DA_NANG)?.media?.relayStats('audio')?.toPeer ?? 0) > sentBefore + 50,
    );

    // *0 from Huế ends its turn (it holds the floor, so this yields it).
    await hue.command('sndcode', '*0');
    await until('Huế yielded', async () => (await hub.parts.meetings.get(meetingId)).queue.floor === null);

    // Đà Nẵng hangs up: its transports close and the site leaves.
    const daNangMedia = callOf(DA_NANG)?.media;
    await daNang.command('hangup');
    await until('Đà Nẵng left', async () => {
      const rec = await hub.parts.meetings.get(meetingId);
      return rec.sites.find((x) => x.id === DA_NANG)?.connection === 'absent' && !callOf(DA_NANG);
    });
    expect(daNangMedia?.producers.every((p) => p.closed)).toBe(true);

    // Revoking Huế's link ends its call with a BYE.
    await api(url, 'POST', `/api/meetings/${meetingId}/links/${links[HUE]?.link.id}/revoke`, orgToken, {});
    await hue.waitFor(/terminated|Connection reset by peer|closed/i);
    await until('Huế left', () => !callOf(HUE));
    expect(hueProducers.every((p) => p.closed)).toBe(true);
  }, 90_000);

  it('an H.264-only room system (libx264, like hardware codecs) joins with its camera produced as H.264 into the router', async () => {
    const sip = links[CAN_THO]?.sip;
    if (!sip) throw new Error('no credential');
    const canTho = await startBaresip({
      rtpPorts: '31200-31299',
      username: sip.username,
      password: sip.password,
      dial: sip.uri,
      colour: 'green',
      toneHz: 550,
      videoModule: 'avcodec',
    });
    phones.push(canTho);
    await canTho.waitFor(/Call established/);
    await until(
      'Cần Thơ camera and mic produced',
      () => (callOf(CAN_THO)?.media?.producers.length ?? 0) === 2,
    );
    const camera = callOf(CAN_THO)?.media?.producers.find((p) => p.kind === 'video');
    expect(camera?.rtpParameters.codecs[0]?.mimeType).toBe('video/H264');
    await until('H.264 flowing in the router', async () =>
      ((await camera?.getStats()) ?? []).some((s) => s.byteCount > 0),
    );
    // No VP8 to send it: the program is not consumed for an H.264 room system (docs/SIP.md, next step).
    expect(callOf(CAN_THO)?.media?.programConsumer).toBeNull();
    await canTho.command('hangup');
    await until('Cần Thơ left', () => !callOf(CAN_THO));
    expect(camera?.closed).toBe(true);
  }, 60_000);

  it('bad SIP input gets clear answers (405, 481, 488) and a flood of fuzz and INVITEs leaves the hub serving', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const replies: string[] = [];
    sock.on('message', (m) => replies.push(m.toString()));
    const uri = `sip:${meetingId}.hue@127.0.0.1:${sipPort}`;
    let n = 0;
    const request = (method: string, extra = '', body = '') => {
      n++;
      sock.send(
        `${method} ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${sock.address().port};branch=z9hG4bKq${n}\r\n` +
          `From: <sip:x@127.0.0.1>;tag=1\r\nTo: <${uri}>\r\nCall-ID: q-${n}\r\nCSeq: 1 ${method}\r\n${extra}` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        sipPort,
        '127.0.0.1',
      );
    };
    const next = async () => {
      const want = replies.length + 1;
      await until('a reply', () => replies.length >= want, 5000);
      return replies[want - 1] as string;
    };
    request('OPTIONS');
    expect(await next()).toMatch(
      /^SIP\/2.0 200 [\s\S]*Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE/,
    );
    request('SUBSCRIBE');
    expect(await next()).toMatch(/^SIP\/2.0 405 /);
    request('BYE');
    expect(await next()).toMatch(/^SIP\/2.0 481 /);
    request('INFO', 'Content-Type: application/dtmf-relay\r\n', 'Signal=1\r\nDuration=160\r\n');
    expect(await next()).toMatch(/^SIP\/2.0 481 /);
    // An authenticated INVITE whose SDP we cannot use: 488.
    request('INVITE');
    const challenge = /WWW-Authenticate: (.*)\r\n/.exec(await next())?.[1] ?? '';
    const issued = await issueLink(url, orgToken, meetingId, { role: 'site', siteId: HUE });
    const auth = answerChallenge(
      challenge,
      'INVITE',
      uri,
      issued.sip?.username ?? '',
      issued.sip?.password ?? '',
    );
    request(
      'INVITE',
      `Authorization: ${auth}\r\nContent-Type: application/sdp\r\n`,
      'v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 3\r\n',
    );
    expect(await next()).toMatch(/^SIP\/2.0 488 /);

    // Fuzz and a flood: generated garbage and mutated requests, then 300 INVITEs from one address.
    const flood = dgram.createSocket('udp4');
    await new Promise<void>((r) => flood.bind(0, '127.0.0.2', () => r()));
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 1500 }).map((b) => Buffer.from(b)),
        fc.string({ maxLength: 400 }).map((t) => Buffer.from(`INVITE ${uri} SIP/2.0\r\n${t}\r\n\r\n`)),
        fc
          .tuple(fc.nat(2000), fc.string({ maxLength: 20 }))
          .map(([cut, junk]) =>
            Buffer.from(
              `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK${junk}\r\nContent-Length: ${cut}\r\n\r\n`,
            ),
          ),
      ),
      500,
    );
    for (const data of samples) flood.send(data, sipPort, '127.0.0.1');
    for (let i = 0; i < 300; i++) {
      flood.send(
        `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5999;branch=z9hG4bKflood${i}\r\nFrom: <sip:f@x>;tag=${i}\r\n` +
          `To: <${uri}>\r\nCall-ID: flood-${i}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
        sipPort,
        '127.0.0.1',
      );
    }
    await until('the flood throttled', () => (hub.parts.sip?.endpoint.stats.throttled ?? 0) > 200);
    // The hub still answers SIP from elsewhere, and HTTP.
    request('OPTIONS');
    expect(await next()).toMatch(/^SIP\/2.0 200 /);
    const ready = await fetch(`${url}/api/ready`);
    expect(ready.status).toBe(200);
    expect(hub.parts.sip?.calls.size).toBe(0);
    flood.close();
    sock.close();
  }, 30_000);
});
