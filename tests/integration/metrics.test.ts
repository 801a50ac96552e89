/**
 * Prometheus metrics scraped during a meeting (real socket.io clients, real mediasoup, RTP sent
 * from a UDP socket into a PlainTransport), /api/ready, and the Redis latency metric on a real
 * redis-server with METRICS_TOKEN set.
 */
import dgram from 'node:dgram';
import type { MeetingId, ParticipantId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { setupMeeting, startTestHub } from '../support/inProcessHub.js';
import { api, connect, eventually, type HubSocket, login, must } from '../support/meeting.js';
import { type RedisServer, redisHubEnv, startRedis } from '../support/redis.js';

/** The value of one sample of the exposition text, or null when absent. */
function sample(text: string, name: string, labels = ''): number | null {
  const escaped = `${name}${labels ? `{${labels}}` : ''}`.replace(/[{}.*+?^$()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m?.[1] === undefined ? null : Number(m[1]);
}

async function scrape(url: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/api/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, text: await res.text() };
}

/** A minimal RTP packet (Opus payload type 100). */
function rtp(seq: number, ssrc: number): Buffer {
  const b = Buffer.alloc(12 + 20);
  b[0] = 0x80;
  b[1] = 100;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(seq * 960, 4);
  b.writeUInt32BE(ssrc, 8);
  b.fill(0x11, 12);
  return b;
}

describe('metrics during a meeting (memory store)', () => {
  let hub: Hub;
  let url: string;
  let meetingId: string;
  const sockets: HubSocket[] = [];
  const udp = dgram.createSocket('udp4');

  beforeAll(async () => {
    const fx = await setupMeeting(['hue', 'da-nang'] as never, {
      chair: { role: 'chair' },
      hue: { role: 'site', siteId: 'hue' as never },
    });
    hub = fx.hub;
    url = fx.url;
    meetingId = fx.meetingId;
    const org = fx.orgToken;
    await api(url, 'POST', `/api/meetings/${meetingId}/openTechCheck`, org);
    await api(url, 'POST', `/api/meetings/${meetingId}/goLive`, org);
    for (const name of ['chair', 'hue']) sockets.push(await connect(url, fx.links[name]?.token ?? ''));
  });
  afterAll(async () => {
    udp.close();
    for (const s of sockets) s.disconnect();
    await hub?.stop();
  });

  it('reports meetings, sites connected, consumers, packets per meeting, workers and documents', async () => {
    const [chair, hue] = sockets as [HubSocket, HubSocket];
    const chairJoin = await must(chair, 'meeting:join', {});
    chair.on('media:newConsumers', (infos, ack) => ack(infos.map(() => ({ ok: true, data: null }))));
    const hueJoin = await must(hue, 'meeting:join', {});

    const before = await scrape(url);
    expect(before.status).toBe(200);
    expect(sample(before.text, 'giaoban_meetings', 'status="live"')).toBe(1);
    expect(sample(before.text, 'giaoban_meeting_sites_connected', `meeting="${meetingId}"`)).toBe(2);
    expect(sample(before.text, 'giaoban_meeting_connections', `meeting="${meetingId}"`)).toBe(2);
    expect(sample(before.text, 'giaoban_documents', 'status="ready"')).toBe(0);

    // The chair receives; the site publishes a microphone through a PlainTransport and sends RTP.
    await must(chair, 'media:setRtpCapabilities', { rtpCapabilities: chairJoin.routerRtpCapabilities });
    await must(chair, 'media:createTransport', { direction: 'recv' });
    const media = await hub.parts.media.get(meetingId as MeetingId);
    const peer = media.getPeer(hueJoin.self.participantId as ParticipantId);
    if (!peer) throw new Error('no media peer for the site');
    const transport = await peer.createPlainTransportForTesting('send', { comedia: true, rtcpMux: true });
    await peer.produce({
      transportId: transport.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 4242 }],
      },
    });
    for (let seq = 1; seq <= 60; seq++) {
      await new Promise<void>((resolve, reject) =>
        udp.send(rtp(seq, 4242), transport.tuple.localPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
    }

    let text = '';
    await eventually(
      () => {
        void scrape(url).then((s) => (text = s.text));
        return (sample(text, 'giaoban_meeting_rtp_packets_received', `meeting="${meetingId}"`) ?? 0) >= 60;
      },
      'the site’s 60 packets in the metrics',
      10_000,
    );
    expect(sample(text, 'giaoban_meeting_producers', `meeting="${meetingId}"`)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'giaoban_meeting_consumers', `meeting="${meetingId}"`)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'giaoban_meeting_rtp_packets_lost', `meeting="${meetingId}"`)).toBeGreaterThanOrEqual(
      0,
    );
    expect(sample(text, 'giaoban_meeting_rtp_loss_ratio', `meeting="${meetingId}"`)).toBeLessThan(1);
    expect(sample(text, 'giaoban_worker_up', 'worker="0"')).toBe(1);
    expect(sample(text, 'giaoban_worker_cpu_seconds_total', 'worker="0"')).toBeGreaterThan(0);
    expect(sample(text, 'giaoban_worker_memory_bytes', 'worker="0"')).toBeGreaterThan(1_000_000);
    expect(text).toContain('giaoban_process_process_resident_memory_bytes');
    // Without Redis there is no Redis metric to report.
    expect(sample(text, 'giaoban_redis_up')).toBeNull();
    expect(sample(text, 'giaoban_store_up')).toBe(1);
  });

  it('/api/ready answers 200 while the store and a worker serve', async () => {
    const res = await fetch(`${url}/api/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, checks: { serving: true, store: true, media: true } });
  });
});

describe('metrics on Redis with METRICS_TOKEN', () => {
  let redis: RedisServer;
  let hub: Hub;
  let url: string;

  beforeAll(async () => {
    redis = await startRedis();
    hub = await startTestHub({ ...redisHubEnv(redis), METRICS_TOKEN: 'scrape-secret-123' });
    url = hub.url;
    await login(url, 'org', 'org-password');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('refuses a scrape without the token and reports Redis latency with it', async () => {
    expect((await scrape(url)).status).toBe(401);
    expect((await scrape(url, 'wrong-token')).status).toBe(401);
    const ok = await scrape(url, 'scrape-secret-123');
    expect(ok.status).toBe(200);
    expect(sample(ok.text, 'giaoban_redis_up')).toBe(1);
    expect(sample(ok.text, 'giaoban_redis_ping_seconds_count')).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${url}/api/ready`)).status).toBe(200);
  });

  it('/api/ready answers 503 naming the store once Redis is gone, and the scrape says Redis is down', async () => {
    await redis.stop();
    const res = await fetch(`${url}/api/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, checks: { store: false, media: true } });
    const down = await scrape(url, 'scrape-secret-123');
    expect(down.status).toBe(200);
    expect(sample(down.text, 'giaoban_redis_up')).toBe(0);
    expect(sample(down.text, 'giaoban_store_up')).toBe(0);
  });
});
