/**
 * Redis trouble under load: two hub instances on one real redis-server (AOF, appendfsync always)
 * while secretaries on both keep writing minutes (workspace updates). Redis is killed (SIGKILL, no goodbye) and comes
 * back from its AOF: the hubs stay up, writes made meanwhile are refused at once with UNAVAILABLE
 * (never left hanging), writing works again by itself, and every acknowledged write is still there.
 */
import type { SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Hub } from '../../server/src/main.js';
import { startTestHub } from '../support/inProcessHub.js';
import { eventually, must, request } from '../support/meeting.js';
import {
  type LiveClient,
  liveClient,
  prepareMeeting,
  type RedisServer,
  redisHubEnv,
  startRedis,
} from '../support/redis.js';

let redis: RedisServer;
let hubA: Hub;
let hubB: Hub;
const clients: LiveClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const env = redisHubEnv(redis);
  hubA = await startTestHub(env);
  hubB = await startTestHub(env);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await hubA?.stop();
  await hubB?.stop();
  await redis?.stop();
});

/** One secretary's line of minutes, as the update of a page's own Y.Doc. */
function minutesLine(itemId: string, text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText(`minutes:${itemId}`).insert(0, `${text}\n`);
  return Y.encodeStateAsUpdate(doc);
}

interface Attempt {
  text: string;
  ok: boolean;
  code: string | null;
  ms: number;
}

describe('Redis killed and restarted during a stream of writes', () => {
  it('refuses writes with UNAVAILABLE while it is down, recovers by itself, and loses no acknowledged write', async () => {
    const { tokens } = await prepareMeeting(hubA.url, ['hue'] as SiteId[], {
      chair: { role: 'chair' },
      secA: { role: 'secretary' },
      secB: { role: 'secretary' },
    });
    const join = async (hub: Hub, name: string) => {
      const c = await liveClient(hub.url, tokens[name] as string, name);
      clients.push(c);
      return c;
    };
    const chair = await join(hubA, 'chair');
    const secA = await join(hubA, 'secA');
    const secB = await join(hubB, 'secB');
    await must(chair.socket, 'meeting:openTechCheck', {});
    await must(chair.socket, 'meeting:goLive', {});
    await must(chair.socket, 'agenda:advance', {});
    await eventually(() => secB.snapshot.agenda.currentItemId !== null, 'item open');
    const agendaItemId = secB.snapshot.agenda.currentItemId as string;

    const attempts: Attempt[] = [];
    let stop = false;
    const writer = async (c: LiveClient, tag: string): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const text = `${tag}-${i}`;
        const t0 = Date.now();
        const r = await request(c.socket, 'doc:update', { update: minutesLine(agendaItemId, text) });
        attempts.push({ text, ok: r.ok, code: r.ok ? null : r.error.code, ms: Date.now() - t0 });
        // About a secretary's pace of saved edits (and inside the hub's per-connection budget).
        await new Promise((res) => setTimeout(res, 80));
      }
    };
    const writers = [writer(secA, 'A'), writer(secB, 'B')];

    await new Promise((res) => setTimeout(res, 400));
    const beforeCrash = attempts.filter((a) => a.ok).length;
    await redis.crash(1_500);
    // Writing works again by itself once Redis is back.
    const restartedAt = attempts.length;
    await eventually(
      () =>
        attempts.slice(restartedAt).filter((a) => a.ok && a.text.startsWith('A')).length >= 3 &&
        attempts.slice(restartedAt).filter((a) => a.ok && a.text.startsWith('B')).length >= 3,
      'writes acknowledged again on both instances',
      20_000,
    );
    stop = true;
    await Promise.all(writers);

    const acked = attempts.filter((a) => a.ok);
    const refused = attempts.filter((a) => !a.ok);
    expect(beforeCrash).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((a) => a.code))).toEqual(new Set(['UNAVAILABLE']));
    // Refused, not hung: every attempt was answered (a hang would stop its writer). How long a
    // refusal took is reported, not asserted.
    console.log(`redis-outage | slowest refusal [ms:${Math.max(...refused.map((a) => a.ms))}]`);

    const synced = await must(chair.socket, 'doc:sync', { stateVector: Y.encodeStateVector(new Y.Doc()) });
    const doc = new Y.Doc();
    Y.applyUpdate(doc, synced.update instanceof Uint8Array ? synced.update : new Uint8Array(synced.update));
    const stored = new Set(doc.getText(`minutes:${agendaItemId}`).toString().split('\n'));
    const lost = acked.filter((a) => !stored.has(a.text)).map((a) => a.text);
    expect(lost).toEqual([]);
    console.log(
      `redis-outage | writes acknowledged:${acked.length} refused:${refused.length} ` +
        `slowest refusal:${Math.max(...refused.map((a) => a.ms))}ms lost:${lost.length}`,
    );
    // The hubs never went down: the same connections still work on both instances.
    await must(secA.socket, 'doc:update', { update: minutesLine(agendaItemId, 'sau sự cố A') });
    await must(secB.socket, 'doc:update', { update: minutesLine(agendaItemId, 'sau sự cố B') });
  }, 90_000);
});
