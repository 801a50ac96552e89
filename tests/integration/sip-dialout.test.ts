/**
 * Dial-out (issue #15): the operator calls a site's room system from the console. A real baresip
 * from Debian that auto-answers becomes Huế's media exactly like a dial-in (camera and microphone
 * produced into the router, the site connected); the operator's hang-up sends BYE and the site
 * leaves. A baresip that rings and is hung up (CANCEL from the hub) or rejects the call (486) makes
 * the command's error say why.
 */
import type { ErrorCode, SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { type Baresip, startBaresip } from '../support/baresip.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import {
  connect,
  createMeeting,
  type HubSocket,
  issueLink,
  login,
  must,
  request,
} from '../support/meeting.js';
import { freeUdpPort } from '../support/ports.js';

const HUE = 'hue' as SiteId;
const DA_NANG = 'da-nang' as SiteId;

let hub: Hub;
let url: string;
let meetingId: string;
let operator: HubSocket;
let observer: HubSocket;
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

const connection = async (siteId: SiteId) =>
  (await hub.parts.meetings.get(meetingId)).sites.find((x) => x.id === siteId)?.connection ?? 'absent';

async function refused(
  socket: HubSocket,
  payload: { siteId: string; uri: string },
): Promise<{ code: ErrorCode; message: string }> {
  const r = await request(socket, 'sip:dialOut', payload);
  if (r.ok) throw new Error(`sip:dialOut ${JSON.stringify(payload)} was not refused`);
  return r.error;
}

beforeAll(async () => {
  hub = await startTestHub({ SIP_PORT: String(await freeUdpPort()) });
  url = hub.url.replace('localhost', '127.0.0.1');
  const orgToken = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, orgToken, {
    title: 'Giao ban gọi thiết bị phòng họp',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    invitedSiteIds: [HUE, DA_NANG],
  });
  meetingId = summary.meeting.id;
  const join = async (body: Parameters<typeof issueLink>[3]) => {
    const link = await issueLink(url, orgToken, meetingId, body);
    const socket = await connect(url, link.token);
    await must(socket, 'meeting:join', {});
    return socket;
  };
  operator = await join({ role: 'operator', displayName: 'Kỹ thuật viên' });
  observer = await join({ role: 'observer', displayName: 'Theo dõi' });
  await must(operator, 'meeting:openTechCheck', {});
}, 30_000);

afterAll(async () => {
  for (const p of phones) p.stop();
  operator?.close();
  observer?.close();
  await hub?.stop();
});

describe('SIP dial-out from the console (baresip)', () => {
  it('refuses with clear codes: not a moderator, site not invited, bad address', async () => {
    expect((await refused(observer, { siteId: HUE, uri: 'sip:room@127.0.0.1:5062' })).code).toBe('FORBIDDEN');
    expect((await refused(operator, { siteId: 'ha-noi', uri: 'sip:room@127.0.0.1:5062' })).code).toBe(
      'NOT_FOUND',
    );
    for (const uri of [
      'http://127.0.0.1/',
      'sip:room@127.0.0.1:99999',
      'sip:room@host name',
      'sip:a@b;transport=tcp',
    ])
      expect((await refused(operator, { siteId: HUE, uri })).code).toBe('VALIDATION');
    expect(hub.parts.sip?.calls.size).toBe(0);
  });

  it("the operator calls Huế's room system: it answers, becomes Huế's media (camera and mic in the router), and the operator's hang-up ends it", async () => {
    const room = await startBaresip({
      rtpPorts: '31400-31499',
      username: 'hue-room',
      password: 'unused-password',
      colour: 'red',
      toneHz: 440,
    });
    phones.push(room);
    const { callId } = await must(operator, 'sip:dialOut', {
      siteId: HUE,
      uri: `sip:hue-room@127.0.0.1:${room.sipPort}`,
    });
    expect(callId).toBeTruthy();
    await room.waitFor(/Call established/);
    expect(await connection(HUE)).not.toBe('absent');
    await until('Huế camera and mic produced', () => (callOf(HUE)?.media?.producers.length ?? 0) === 2);
    const producers = callOf(HUE)?.media?.producers ?? [];
    expect(producers.map((p) => p.rtpParameters.codecs[0]?.mimeType).sort()).toEqual([
      'audio/G722',
      'video/VP8',
    ]);
    await until('Huế media flowing in the router', async () => {
      const stats = await Promise.all(producers.map((p) => p.getStats()));
      return stats.every((s) => s.some((x) => x.byteCount > 0));
    });
    // The program and the mix go back to it like to a dial-in.
    expect(callOf(HUE)?.media?.programConsumer).not.toBeNull();
    expect(callOf(HUE)?.media?.mix).not.toBeNull();

    // A second call for the same site is a conflict.
    expect(
      (await refused(operator, { siteId: HUE, uri: `sip:hue-room@127.0.0.1:${room.sipPort}` })).code,
    ).toBe('CONFLICT');

    await must(operator, 'sip:hangUp', { siteId: HUE });
    await room.waitFor(/terminated|closed/i);
    await until('Huế left', async () => !callOf(HUE) && (await connection(HUE)) === 'absent');
    expect(producers.every((p) => p.closed)).toBe(true);

    const audit = await hub.parts.meetings.audit.list(meetingId);
    expect(audit.filter((e) => e.target === HUE).map((e) => e.action)).toEqual(['sip:dialOut', 'sip:hangUp']);
  }, 60_000);

  it('a room system that rings is cancelled by the hang-up, and one that rejects makes the command say why', async () => {
    const room = await startBaresip({
      rtpPorts: '31500-31599',
      username: 'da-nang-room',
      password: 'unused-password',
      colour: 'blue',
      toneHz: 660,
      answerMode: 'manual',
    });
    phones.push(room);
    const uri = `sip:da-nang-room@127.0.0.1:${room.sipPort}`;

    // Ringing, then the operator hangs up: CANCEL, the command answers why.
    const first = request(operator, 'sip:dialOut', { siteId: DA_NANG, uri });
    await room.waitFor(/Incoming call/);
    await must(operator, 'sip:hangUp', { siteId: DA_NANG });
    const cancelled = await first;
    expect(cancelled.ok).toBe(false);
    if (!cancelled.ok) {
      expect(cancelled.error.code).toBe('UNAVAILABLE');
      expect(cancelled.error.message).toMatch(/hung up before the room system answered/);
    }

    // Ringing again, and the room system rejects it.
    const before = room.output().match(/Incoming call/g)?.length ?? 0;
    const second = request(operator, 'sip:dialOut', { siteId: DA_NANG, uri });
    await until('the second call rings', () => (room.output().match(/Incoming call/g)?.length ?? 0) > before);
    await room.command('hangup');
    const rejected = await second;
    expect(rejected.ok).toBe(false);
    if (!rejected.ok) {
      expect(rejected.error.code).toBe('UNAVAILABLE');
      expect(rejected.error.message).toMatch(/the room system answered (486|603)/);
    }
    expect(callOf(DA_NANG)).toBeUndefined();
    expect(await connection(DA_NANG)).toBe('absent');
  }, 60_000);

  it('a hub without SIP (SIP_PORT=0) answers UNAVAILABLE', async () => {
    const plain = await startTestHub();
    try {
      const base = plain.url.replace('localhost', '127.0.0.1');
      const orgToken = await login(base, 'org', 'org-password');
      const summary = await createMeeting(base, orgToken, {
        title: 'Giao ban không có SIP',
        scheduledAt: Date.now() + 3600_000,
        hostSiteId: HOST_SITE,
        invitedSiteIds: [HUE],
      });
      const link = await issueLink(base, orgToken, summary.meeting.id, {
        role: 'operator',
        displayName: 'KTV',
      });
      const socket = await connect(base, link.token);
      try {
        await must(socket, 'meeting:join', {});
        const error = await refused(socket, { siteId: HUE, uri: 'sip:room@127.0.0.1:5062' });
        expect(error.code).toBe('UNAVAILABLE');
        expect(error.message).toMatch(/SIP/);
      } finally {
        socket.close();
      }
    } finally {
      await plain.stop();
    }
  }, 30_000);
});
