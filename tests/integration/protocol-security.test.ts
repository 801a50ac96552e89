/**
 * The socket edge under hostile or careless clients: role refusals, malformed payloads,
 * identity smuggled into payloads, protocol version, expired and revoked join links.
 */
import type { SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../server/src/auth/tokens.js';
import { HOST_SITE, type MeetingFixture, setupMeeting, TEST_JWT_SECRET } from '../support/inProcessHub.js';
import { api, connect, eventually, type HubSocket, must, request } from '../support/meeting.js';

const SITES = ['hue', 'da-nang'] as SiteId[];
let fx: MeetingFixture;
const open: HubSocket[] = [];

async function joined(name: string): Promise<HubSocket> {
  const s = await connect(fx.url, fx.links[name]!.token);
  open.push(s);
  await must(s, 'meeting:join', {});
  return s;
}

beforeAll(async () => {
  fx = await setupMeeting(SITES, {
    chair: { role: 'chair' },
    observer: { role: 'observer' },
    hue: { role: 'site', siteId: 'hue' },
    daNang: { role: 'site', siteId: 'da-nang' },
    revokable: { role: 'site', siteId: 'da-nang' },
  });
});

afterAll(async () => {
  for (const s of open) s.close();
  await fx?.hub.stop();
});

describe('authorisation from the authenticated identity', () => {
  it('floor:grant is refused with FORBIDDEN for a site', async () => {
    const chair = await joined('chair');
    const hue = await joined('hue');
    await must(chair, 'meeting:openTechCheck', {});
    const r = await request(hue, 'floor:grant', { siteId: 'hue' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('FORBIDDEN');
    for (const event of ['meeting:goLive', 'meeting:end', 'agenda:advance', 'floor:revoke'] as const) {
      const x = await request(hue, event, {});
      expect(x.ok ? 'ok' : x.error.code, event).toBe('FORBIDDEN');
    }
    const pin = await request(hue, 'stage:pin', { siteId: 'hue' });
    expect(pin.ok ? 'ok' : pin.error.code).toBe('FORBIDDEN');
  });

  it('an observer can neither request the floor nor read minutes', async () => {
    const obs = await joined('observer');
    const r = await request(obs, 'queue:request', { topic: 'x' });
    expect(r.ok ? 'ok' : r.error.code).toBe('FORBIDDEN');
    const m = await request(obs, 'doc:sync', { stateVector: new Uint8Array([0]) });
    expect(m.ok ? 'ok' : m.error.code).toBe('FORBIDDEN');
  });

  it('identity fields smuggled into payloads do not change who acts', async () => {
    const hue = await joined('hue');
    const daNang = await joined('daNang');
    // Extra identity fields are not part of any schema: the payload is refused as a whole.
    const smuggled = await request(hue, 'queue:request', {
      topic: 'Xin phát biểu',
      siteId: 'da-nang',
      role: 'chair',
    });
    expect(smuggled.ok ? 'ok' : smuggled.error.code).toBe('VALIDATION');
    // A site may name another site where the schema allows it, but ownership is checked from its token.
    const declare = await request(hue, 'site:declare', { delegates: 99, siteId: 'da-nang' });
    expect(declare.ok ? 'ok' : declare.error.code).toBe('FORBIDDEN');
    // Huế cannot withdraw Đà Nẵng's request.
    const { requestId } = await must(daNang, 'queue:request', { topic: 'Giải ngân vốn' });
    const withdraw = await request(hue, 'queue:withdraw', { requestId });
    expect(withdraw.ok ? 'ok' : withdraw.error.code).toBe('FORBIDDEN');
    const snap = await must(hue, 'meeting:sync', {});
    expect(snap.queue.requests.map((r) => r.siteId)).toContain('da-nang');
    expect(snap.sites.find((s) => s.id === 'da-nang')?.declaredDelegates).toBe(0);
  });
});

describe('validation at the edge', () => {
  it('malformed payloads get VALIDATION errors and the hub stays up', async () => {
    const hue = await joined('hue');
    const cases: [Parameters<typeof request>[1], unknown][] = [
      ['queue:request', { topic: 123 }],
      ['queue:request', { topic: 'x'.repeat(301) }],
      ['queue:request', 'not an object'],
      ['queue:request', null],
      ['site:declare', { delegates: -1 }],
      ['site:declare', { delegates: 1.5 }],
      ['floor:grant', { requestId: 'a', siteId: 'b' }],
      ['queue:reorder', { requestIds: 'x' }],
      ['media:produce', { transportId: '', kind: 'video', source: 'camera', rtpParameters: {} }],
      ['media:createTransport', { direction: 'sideways' }],
    ];
    for (const [event, payload] of cases) {
      const r = await request(hue, event, payload);
      expect(r.ok ? 'ok' : r.error.code, `${event} ${JSON.stringify(payload)}`).toBe('VALIDATION');
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
    }
    // Unknown events and events without an ack are dropped without harm.
    const rawEmit = hue.emit.bind(hue) as unknown as (event: string, payload: unknown) => void;
    rawEmit('nonsense:event', {});
    rawEmit('queue:request', { topic: 'no ack' });
    const health = await api<{ ok: boolean }>(fx.url, 'GET', '/api/health', null);
    expect(health.ok).toBe(true);
    const still = await request(hue, 'meeting:sync', {});
    expect(still.ok).toBe(true);
  });

  it('events before meeting:join are refused with INVALID_STATE', async () => {
    const s = await connect(fx.url, fx.links.hue!.token);
    open.push(s);
    const r = await request(s, 'queue:request', { topic: 'x' });
    expect(r.ok ? 'ok' : r.error.code).toBe('INVALID_STATE');
  });
});

describe('handshake: protocol version and join links', () => {
  it('a different protocol version is refused with PROTOCOL_MISMATCH', async () => {
    const err = await connect(fx.url, fx.links.hue!.token, 999).catch((e: unknown) => e);
    expect((err as { data?: { code: string } }).data?.code).toBe('PROTOCOL_MISMATCH');
  });

  it('a forged, expired or foreign-audience token is refused', async () => {
    const tokens = new TokenService(TEST_JWT_SECRET);
    const link = fx.links.hue!;
    const expired = tokens.signJoin(
      {
        sub: link.linkId as never,
        mid: fx.meetingId as never,
        role: 'site',
        sid: 'hue' as SiteId,
        name: 'Huế',
      },
      Date.now() - 60_000,
    );
    const forged = new TokenService('another-secret-another-secret-another-secret').signJoin(
      { sub: link.linkId as never, mid: fx.meetingId as never, role: 'chair', sid: HOST_SITE, name: 'x' },
      Date.now() + 60_000,
    );
    const organizerToken = fx.orgToken;
    for (const token of [expired, forged, organizerToken, 'x'.repeat(40)]) {
      const err = await connect(fx.url, token).catch((e: unknown) => e);
      expect((err as { data?: { code: string } }).data?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('revoking a link cuts its connection and refuses it on reconnect', async () => {
    const s = await joined('revokable');
    let ended: string | null = null;
    s.on('session:ended', ({ reason }) => (ended = reason));
    await api(
      fx.url,
      'POST',
      `/api/meetings/${fx.meetingId}/links/${fx.links.revokable!.linkId}/revoke`,
      fx.orgToken,
    );
    await eventually(() => !s.connected, 'the revoked connection to drop');
    expect(ended).toBe('revoked');
    const err = await connect(fx.url, fx.links.revokable!.token).catch((e: unknown) => e);
    expect((err as { data?: { code: string; message: string } }).data?.code).toBe('UNAUTHENTICATED');
    expect((err as { data: { message: string } }).data.message).toMatch(/revoked/);
    const list = await api<{ id: string; revokedAt: number | null }[]>(
      fx.url,
      'GET',
      `/api/meetings/${fx.meetingId}/links`,
      fx.orgToken,
    );
    expect(list.find((l) => l.id === fx.links.revokable!.linkId)?.revokedAt).not.toBeNull();
  });

  it('a second connection with the same link replaces the first (one device per link)', async () => {
    const first = await joined('daNang');
    let reason: string | null = null;
    first.on('session:ended', (p) => (reason = p.reason));
    const second = await joined('daNang');
    await eventually(() => !first.connected, 'the first connection to be replaced');
    expect(reason).toBe('replaced');
    expect(second.connected).toBe(true);
  });
});
