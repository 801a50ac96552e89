/**
 * Hubs as real processes (server/dist/main.js, as `npm start` runs it), killed the hard way:
 *   - without REDIS_URL the hub runs a private redis-server (AOF in its data dir) and uses it:
 *     meetings survive a restart, SIGINT/SIGTERM stop Redis with the hub, and a Redis left over
 *     by a SIGKILLed hub is stopped by the next start, which finds every write in it;
 *   - two instances on one Redis, one SIGKILLed: the survivor clears the dead instance's
 *     connections from the roster, and when it comes back its clients rejoin by themselves.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MeetingSummary, SiteId } from '@giaoban/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { api, eventually } from '../support/meeting.js';
import {
  type HubProcess,
  type LiveClient,
  liveClient,
  prepareMeeting,
  processAlive,
  type RedisServer,
  redisHubEnv,
  startHubProcess,
  startRedis,
} from '../support/redis.js';

const hubs: HubProcess[] = [];
const clients: LiveClient[] = [];
const dirs: string[] = [];
let redis: RedisServer | null = null;

afterAll(async () => {
  for (const c of clients) c.close();
  for (const h of hubs) await h.stop('SIGKILL');
  await redis?.stop();
  for (const d of dirs) {
    // A private Redis orphaned by a SIGKILLed hub of a failed run.
    try {
      process.kill(redisPid(d), 'SIGKILL');
    } catch {
      // not running
    }
    rmSync(d, { recursive: true, force: true });
  }
});

async function start(env: Record<string, string>, port?: number): Promise<HubProcess> {
  const hub = await startHubProcess(env, port);
  hubs.push(hub);
  return hub;
}

const redisPid = (dataDir: string): number =>
  Number(readFileSync(path.join(dataDir, 'redis', 'redis.pid'), 'utf8').trim());

describe('npm start without REDIS_URL', () => {
  it('runs a private Redis: durable across restarts, stopped with the hub, a leftover one stopped by the next start', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'giaoban-private-redis-'));
    dirs.push(dataDir);
    const env = { GIAOBAN_DATA_DIR: dataDir, GIAOBAN_STORE: '', REDIS_URL: '' };

    const first = await start(env);
    expect(first.output()).toMatch(/storage: private Redis on 127\.0\.0\.1:\d+, AOF in .*redis/);
    expect(first.output()).not.toMatch(/storage is in memory/);
    const { meetingId, orgToken } = await prepareMeeting(first.url, ['hue'] as SiteId[], {});
    const pid1 = redisPid(dataDir);
    expect(processAlive(pid1)).toBe(true);
    expect(await first.stop('SIGINT')).toBe(0);
    // No orphan: the hub stopped its Redis before exiting.
    expect(processAlive(pid1)).toBe(false);

    const second = await start(env);
    const listed = await api<MeetingSummary[]>(second.url, 'GET', '/api/meetings', orgToken);
    expect(listed.map((m) => m.meeting.id)).toContain(meetingId);
    await api(second.url, 'POST', `/api/meetings/${meetingId}/agenda`, orgToken, {
      title: 'Kết luận',
      kind: 'report',
      plannedMinutes: 5,
    });
    const pid2 = redisPid(dataDir);
    // A SIGKILLed hub cannot stop anything: its Redis is left running...
    await second.stop('SIGKILL');
    expect(processAlive(pid2)).toBe(true);

    // ...until the next start, which stops it and reopens the same data.
    const third = await start(env);
    expect(processAlive(pid2)).toBe(false);
    const meeting = await api<MeetingSummary & { agenda?: { items: unknown[] } }>(
      third.url,
      'GET',
      `/api/meetings/${meetingId}`,
      orgToken,
    );
    expect(JSON.stringify(meeting)).toContain('Kết luận');
    const pid3 = redisPid(dataDir);
    expect(await third.stop('SIGTERM')).toBe(0);
    expect(processAlive(pid3)).toBe(false);
  }, 180_000);
});

describe('two instances on one Redis, one killed', () => {
  it('clears the dead instance connections on the survivor; its clients come back when it restarts', async () => {
    redis = await startRedis();
    const env = redisHubEnv(redis);
    const p = await start(env);
    const q = await start(env);
    const { tokens } = await prepareMeeting(p.url, ['hue'] as SiteId[], {
      chair: { role: 'chair' },
      hue: { role: 'site', siteId: 'hue' },
    });
    const chair = await liveClient(p.url, tokens.chair as string, 'chair');
    const hue = await liveClient(q.url, tokens.hue as string, 'hue');
    clients.push(chair, hue);
    const hueOnChair = () => chair.snapshot.sites.find((s) => s.id === 'hue')?.connection;
    await eventually(() => hueOnChair() === 'connected', 'Huế connected, seen from the other instance');

    await q.stop('SIGKILL');
    const killedAt = Date.now();
    // Its heartbeat lapses (6 s), the survivor sweeps (every 2 s) once the failover grace (30 s) is over.
    await eventually(() => hueOnChair() === 'absent', 'the dead instance connection cleared', 60_000);
    const sweptMs = Date.now() - killedAt;

    await start(env, q.port);
    await eventually(() => hue.joins >= 2 && hueOnChair() === 'connected', 'Huế back by itself', 30_000);
    expect(chair.snapshot.participants).toHaveLength(2);
    console.log(`redis-process | dead instance's connections cleared after ${sweptMs} ms`);
  }, 120_000);
});
