/**
 * A rolling restart of one of two instances (issue 16.7, docs/ROLLING-RESTART.md), with real
 * processes: instance A is a hub process (server/dist) holding the meeting's media, instance B runs
 * in this process (so the test can publish media on it), both on one Redis, behind a TCP proxy that
 * sends each new connection to A while it lives, else to B (a load balancer). Huế (on A) has the
 * floor, Cần Thơ (on A) and Đà Nẵng (on B) wait in the queue. A is restarted the way
 * infra/rolling-restart.sh does it: SIGTERM (A stops answering /api/ready, leaves the roster with a
 * grace, releases the media), then started again on its port and ready. Asserted: B holds the media,
 * every client is back by itself, Huế keeps the same turn, the queue its order, no site's leaving
 * is recorded and no site shows absent; the program (Huế's camera) flows again to every client; the
 * restarted A serves a newcomer the same state. Times are printed, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
let envA: Record<string, string>;
let hubA: HubProcess;
let hubB: Hub;
let proxy: TcpProxy;
let dirA: string;
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

const ready = async (url: string): Promise<number> => (await fetch(`${url}/api/ready`)).status;

/** Polls an async condition (a Redis read, an HTTP probe) until it holds. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  redis = await startRedis();
  const env = redisHubEnv(redis);
  dirA = mkdtempSync(path.join(tmpdir(), 'giaoban-rolling-'));
  envA = { ...env, GIAOBAN_DATA_DIR: dirA, SIP_PORT: '0', LOG_LEVEL: 'info' };
  // A first: the proxy prefers it, and the first join claims the media for its instance.
  hubA = await startHubProcess(envA);
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
  if (dirA) rmSync(dirA, { recursive: true, force: true });
});

describe('rolling restart of the instance holding the meeting', () => {
  it('the floor, the queue and every site stay while A drains, restarts and is ready again', async () => {
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
    const turn = before.queue.floor;
    const queued = before.queue.requests.map((r) => r.siteId);
    expect(queued).toEqual(['can-tho', 'da-nang']);
    expect(await ready(hubB.url)).toBe(200);

    const joins = new Map(clients.map((c) => [c, c.joins]));
    const rejoined = () => clients.every((c) => c.joins > (joins.get(c) ?? 0));

    // Step 1 of the procedure: SIGTERM, and A exits cleanly after handing its meetings over.
    const drainAt = Date.now();
    expect(await hubA.stop('SIGTERM')).toBe(0);
    const exitedAt = Date.now();
    await until(async () => (await ownerNow()) === instanceB(), 'B holds the media', 20_000);
    await eventually(rejoined, 'every client rejoined through the proxy or on B', 30_000);
    const rejoinedAt = Date.now();

    // Step 2: A starts again on its port and becomes ready; the proxy may send newcomers to it.
    hubA = await startHubProcess(envA, hubA.port);
    await until(async () => (await ready(hubA.url)) === 200, 'A ready again', 30_000);
    const readyAt = Date.now();

    for (const c of clients) {
      expect(c.snapshot.queue.floor, `${c.name} sees Huế's turn`).toEqual(turn);
      expect(c.snapshot.queue.requests.map((r) => r.siteId)).toEqual(queued);
      expect(c.snapshot.stage.programSiteId).toBe('hue');
    }
    // The program flows again, now from B: Huế publishes again (as its page does after a rejoin).
    for (const c of clients) await receive(c);
    await publishOn(hubB, meetingId, hue, 7000);
    await eventually(
      () => [chair, canTho, daNang].every((c) => flowing(c, 'hue', 'camera')),
      "Huế's camera flowing again to every client",
      20_000,
    );
    const programAt = Date.now();

    // A newcomer through the load balancer lands on the restarted A and sees the same meeting.
    const observer = await liveClient(proxy.url, tokens.chair as string, 'chair-again');
    clients.push(observer);
    await eventually(() => observer.joins > 0, 'the chair joins again through the restarted A');
    expect(observer.snapshot.queue.floor).toEqual(turn);

    const record = await hubB.parts.meetings.get(meetingId);
    expect(record.queue.floor).toEqual(turn);
    expect(record.queue.requests.map((r) => r.siteId)).toEqual(queued);
    expect(record.attendance.filter((e) => e.kind === 'leave' && e.at >= drainAt)).toEqual([]);
    expect(record.sites.every((s) => s.id === HOST_SITE || s.connection !== 'absent')).toBe(true);
    console.log(
      `rolling-restart | A (media owner) drained and exited in ${exitedAt - drainAt} ms; every client back ` +
        `${rejoinedAt - drainAt} ms after SIGTERM; A ready again after ${readyAt - drainAt} ms; program ` +
        `flowing at every client after ${programAt - drainAt} ms`,
    );
  }, 180_000);
});
