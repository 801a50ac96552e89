/**
 * Failover during a floor turn, with real processes: instance A is a hub process (server/dist),
 * instance B runs in this process (so the test can publish media on it), both on one Redis, with
 * a TCP proxy in front that sends each new connection to A while it lives, else to B (a load
 * balancer). A holds the meeting's media; Huế (on A) has the floor, Cần Thơ (on A) and Đà Nẵng (on
 * B) wait in the queue. A is killed with SIGKILL. Then:
 *   - B notices the dead owner and takes the media over; Đà Nẵng (on B, media was on A) is told
 *     `media:moving` and rejoins; the clients of A reconnect through the proxy to B and rejoin;
 *   - Huế still holds the same turn, the queue keeps its order, nobody's leaving is recorded,
 *     the program is still Huế; the dead instance's stale connections leave the roster silently;
 *   - the program (Huế's camera) flows again to every client, now from B.
 * Times are printed (they are measured here and written down in docs/REDIS.md), never asserted.
 */
import type { MeetingId, SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { eventually, must } from '../support/meeting.js';
import { startProxy, type TcpProxy } from '../support/proxy.js';
import {
  flowing,
  type HubProcess,
  type LiveClient,
  liveClient,
  prepareMeeting,
  publishOn,
  type RedisServer,
  receive,
  redisHubEnv,
  startHubProcess,
  startRedis,
} from '../support/redis.js';

const SITES = ['hue', 'da-nang', 'can-tho'] as SiteId[];

let redis: RedisServer;
let hubA: HubProcess;
let hubB: Hub;
let proxy: TcpProxy;
let meetingId: MeetingId;
let tokens: Record<string, string>;
const clients: LiveClient[] = [];

const instanceB = (): string => hubB.parts.cluster?.instanceId ?? 'none';
const ownerNow = (): Promise<string | null> =>
  hubB.parts.clusterMedia?.ownerOf(meetingId) ?? Promise.resolve(null);

async function join(url: string, name: string): Promise<LiveClient> {
  const c = await liveClient(url, tokens[name] as string, name);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedis();
  const env = redisHubEnv(redis);
  // A first: the proxy prefers it, and the first join claims the media for its instance.
  hubA = await startHubProcess({ ...env, LOG_LEVEL: 'info' });
  hubB = await startTestHub(env);
  proxy = await startProxy([hubA.port, Number(new URL(hubB.url).port)]);
  const people: Parameters<typeof prepareMeeting>[2] = { chair: { role: 'chair' } };
  for (const s of SITES) people[s] = { role: 'site', siteId: s };
  let id: string;
  ({ meetingId: id, tokens } = await prepareMeeting(hubB.url, SITES, people));
  meetingId = id as MeetingId;
}, 90_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await proxy?.close();
  await hubA?.stop('SIGKILL');
  await hubB?.stop();
  await redis?.stop();
});

describe('the media-owning instance is killed during a floor turn', () => {
  it('the same site keeps the floor, the queue keeps its order, and the program comes back from the survivor', async () => {
    const chair = await join(proxy.url, 'chair');
    const hue = await join(proxy.url, 'hue');
    const canTho = await join(proxy.url, 'can-tho');
    const daNang = await join(hubB.url, 'da-nang');
    const owner = await ownerNow();
    expect(owner).not.toBeNull();
    expect(owner).not.toBe(instanceB());

    await must(chair.socket, 'meeting:openTechCheck', {});
    await must(hue.socket, 'site:declare', { delegates: 25 });
    await must(chair.socket, 'meeting:goLive', {});
    await must(chair.socket, 'agenda:advance', {});
    const { requestId } = await must(hue.socket, 'queue:request', { topic: 'Kiến nghị về vốn đầu tư công' });
    await must(chair.socket, 'floor:grant', { requestId: requestId as never });
    await must(canTho.socket, 'queue:request', { topic: 'Giải ngân' });
    await must(daNang.socket, 'queue:request', { topic: 'Biên chế cấp xã' });
    await eventually(
      () => daNang.snapshot.queue.floor?.siteId === 'hue' && daNang.snapshot.queue.requests.length === 2,
      'Huế speaking and two sites queued, seen on B',
    );
    const before = daNang.snapshot;
    expect(before.stage.programSiteId).toBe('hue');
    const turn = before.queue.floor;
    const queued = before.queue.requests.map((r) => r.siteId);
    expect(queued).toEqual(['can-tho', 'da-nang']);

    let movingAt = 0;
    daNang.socket.on('media:moving', (ack) => {
      movingAt ||= Date.now();
      ack();
    });
    const joins = new Map(clients.map((c) => [c, c.joins]));
    const rejoined = () => clients.every((c) => c.joins > (joins.get(c) ?? 0));

    await hubA.stop('SIGKILL');
    const killedAt = Date.now();

    await eventually(() => movingAt > 0, "Đà Nẵng (on B) told its meeting's media is moving", 20_000);
    expect(await ownerNow()).toBe(instanceB());
    await eventually(rejoined, 'every client rejoined through the proxy or on B', 20_000);
    const rejoinedAt = Date.now();

    // The same turn and the same queue, seen by every client after its rejoin.
    for (const c of clients) {
      expect(c.snapshot.queue.floor, `${c.name} sees Huế's turn`).toEqual(turn);
      expect(c.snapshot.queue.requests.map((r) => r.siteId)).toEqual(queued);
      expect(c.snapshot.queue.history).toEqual(before.queue.history);
      expect(c.snapshot.stage.programSiteId).toBe('hue');
      expect(c.snapshot.sites.find((s) => s.id === 'hue')?.connection).not.toBe('absent');
    }

    // The program flows again, now from B: Huế publishes again (as the site's page does after a
    // rejoin) and every client gets its camera.
    for (const c of clients) await receive(c);
    await publishOn(hubB, meetingId, hue, 7000);
    await eventually(
      () => [chair, canTho, daNang].every((c) => flowing(c, 'hue', 'camera')),
      "Huế's camera flowing again to every client",
      20_000,
    );
    const programAt = Date.now();
    console.log(
      `redis-failover | owner SIGKILLed: media moving announced after ${movingAt - killedAt} ms, ` +
        `every client rejoined after ${rejoinedAt - killedAt} ms, ` +
        `program flowing at every client after ${programAt - killedAt} ms`,
    );

    // The dead instance's connections leave the roster after the grace, without a trace of leaving.
    await eventually(
      () => chair.snapshot.participants.length === clients.length,
      'one roster entry per live connection',
      90_000,
    );
    const record = await hubB.parts.meetings.get(meetingId);
    expect(record.queue.floor).toEqual(turn);
    expect(record.queue.requests.map((r) => r.siteId)).toEqual(queued);
    expect(record.attendance.filter((e) => e.kind === 'leave' && e.at >= killedAt)).toEqual([]);
    expect(record.sites.every((s) => s.id === HOST_SITE || s.connection !== 'absent')).toBe(true);
    console.log(`redis-failover | stale connections cleared after ${Date.now() - killedAt} ms`);
  }, 180_000);
});
