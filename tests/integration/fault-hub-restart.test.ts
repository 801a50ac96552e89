/**
 * Faults survived: the hub process is killed (SIGKILL: nothing flushed, nothing said goodbye)
 * during a floor turn while sites and the chair keep sending changes, then started again on the
 * same Redis. Every change the hub acknowledged before it died is there afterwards; clients come
 * back by themselves. The times are measured and written to test-results/faults/ (docs/FAULTS.md
 * records them); they are reported, never asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MeetingSnapshot, SiteId } from '@giaoban/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/hub.js';
import { eventually, must, request } from '../support/meeting.js';
import {
  type HubProcess,
  type LiveClient,
  liveClient,
  prepareMeeting,
  type RedisServer,
  redisHubEnv,
  startHubProcess,
  startRedis,
} from '../support/redis.js';

const HUE = 'hue' as SiteId;
const SITES = [HUE, 'da-nang', 'hai-phong', 'can-tho'] as SiteId[];

const hubs: HubProcess[] = [];
const clients: LiveClient[] = [];
let redis: RedisServer | null = null;

afterAll(async () => {
  for (const c of clients) c.close();
  for (const h of hubs) await h.stop('SIGKILL');
  await redis?.stop();
});

describe('the hub killed during a floor turn, restarted on the same Redis', () => {
  it('keeps every acknowledged change; the clients rejoin by themselves', async () => {
    redis = await startRedis();
    const env = redisHubEnv(redis);
    const first = await startHubProcess(env);
    hubs.push(first);
    const people = Object.fromEntries([
      ['chair', { role: 'chair' as const }],
      ...SITES.map((s) => [s, { role: 'site' as const, siteId: s }]),
    ]);
    const { tokens } = await prepareMeeting(first.url, SITES, people);
    const chair = await liveClient(first.url, tokens.chair as string, 'chair');
    clients.push(chair);
    const sites: Record<string, LiveClient> = {};
    for (const s of SITES) {
      sites[s] = await liveClient(first.url, tokens[s] as string, s);
      clients.push(sites[s]);
    }
    await must(chair.socket, 'meeting:openTechCheck', {});
    await must(chair.socket, 'meeting:goLive', {});
    await must(chair.socket, 'agenda:advance', {});
    const hue = sites[HUE] as LiveClient;
    const { requestId } = await must(hue.socket, 'queue:request', { topic: 'Giải ngân vốn đầu tư công' });
    await must(chair.socket, 'floor:grant', { requestId: requestId as never });
    const granted = (await must(chair.socket, 'meeting:sync', {})).queue.floor;
    expect(granted?.siteId).toBe(HUE);

    // The turn runs; every other site keeps declaring its delegates (rising numbers) and asking for
    // the floor, until the hub dies under them. Each acknowledged value is remembered.
    const acked: Record<string, number> = {};
    const sent: Record<string, number> = {};
    const requested = new Set<string>();
    let alive = true;
    const talkers = SITES.filter((s) => s !== HUE).map(async (s) => {
      const c = sites[s] as LiveClient;
      for (let n = 1; alive; n++) {
        sent[s] = n;
        const r = await Promise.race([
          request(c.socket, 'site:declare', { delegates: n }),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 2_000)),
        ]);
        if (!alive) break;
        if (r?.ok) acked[s] = n;
        if (n === 5) {
          const q = await request(c.socket, 'queue:request', { topic: `Kiến nghị của ${s}` });
          if (q.ok) requested.add(s);
        }
      }
    });
    await eventually(
      () => SITES.filter((s) => s !== HUE).every((s) => (acked[s] ?? 0) >= 10),
      'changes flowing',
      30_000,
    );

    await first.stop('SIGKILL');
    const killedAt = Date.now();
    alive = false;
    await Promise.all(talkers);
    const joinsBefore = new Map(clients.map((c) => [c.name, c.joins]));

    const second = await startHubProcess(env, first.port);
    hubs.push(second);
    const readyMs = Date.now() - killedAt;
    await eventually(
      () => clients.every((c) => c.joins > (joinsBefore.get(c.name) ?? 0)),
      'every client rejoined',
      60_000,
    );
    const rejoinedMs = Date.now() - killedAt;

    const after: MeetingSnapshot = await must(chair.socket, 'meeting:sync', {});
    // The meeting, its agenda position and the delegates each site had declared when acknowledged.
    expect(after.meeting.status).toBe('live');
    expect(after.agenda.currentItemId).toBe(after.agenda.items[0]?.id);
    for (const s of SITES.filter((x) => x !== HUE)) {
      const declared = after.sites.find((x) => x.id === s)?.declaredDelegates ?? -1;
      // At least the last acknowledged value; at most the last one sent (it may have landed unacknowledged).
      expect(declared, s).toBeGreaterThanOrEqual(acked[s] ?? 0);
      expect(declared, s).toBeLessThanOrEqual(sent[s] ?? 0);
    }
    expect(after.sites.find((x) => x.id === HUE)?.declaredDelegates).toBe(0);
    // Every acknowledged floor request is still in the queue.
    const queued = new Set(after.queue.requests.map((r) => r.siteId as string));
    for (const s of requested) expect(queued.has(s), `${s} still queued`).toBe(true);
    // The granted turn is kept: still running, or ended and recorded with its original grant time.
    const turn =
      after.queue.floor?.grantedAt === granted?.grantedAt
        ? after.queue.floor
        : after.queue.history.find((t) => t.siteId === HUE && t.grantedAt === granted?.grantedAt);
    expect(turn?.siteId).toBe(HUE);

    const result = {
      scenario: 'hub SIGKILLed during a floor turn, restarted on the same Redis (external redis-server)',
      at: new Date().toISOString(),
      sites: SITES.length,
      acknowledgedDeclarations: Object.values(acked).reduce((a, b) => a + b, 0),
      killToReadyMs: readyMs,
      killToAllClientsRejoinedMs: rejoinedMs,
      floorAfterRestart: after.queue.floor?.siteId === HUE ? 'still running' : `ended (${turn?.endReason})`,
    };
    const dir = path.join(repoRoot, 'test-results', 'faults');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'hub-restart.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.info(`fault-hub-restart | ${JSON.stringify(result)}`);
  }, 180_000);
});
