/**
 * Two hub instances on one real Redis (Debian's redis-server, AOF on, started here) serving one
 * meeting, with clients on each: state fans out through the socket.io Redis Streams adapter, a
 * floor request made on one instance is granted from the other, and media follows the floor for
 * clients of both (the meeting's media lives on one owner instance; the other forwards its
 * clients' media signalling there). Then the owner stops and starts again: the state is intact,
 * the media moves to the surviving instance and every client is back by itself; the stopped
 * instance's connections leave the roster only after the failover grace (their clients came
 * back meanwhile, so nobody's leaving is recorded). Media RTP is injected through PlainTransports
 * as in meeting-script.test.ts. (A SIGKILLed owner during a floor turn: redis-failover.test.ts.)
 */
import type { SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { eventually, must } from '../support/meeting.js';
import {
  flowing,
  type LiveClient,
  liveClient,
  prepareMeeting,
  publishOn,
  type RedisServer,
  receive,
  redisHubEnv,
  startRedis,
} from '../support/redis.js';

const SITES = ['hue', 'da-nang', 'can-tho'] as SiteId[];

let redis: RedisServer;
let env: Record<string, string>;
let hubA: Hub;
let hubB: Hub;
let portA: number;
let meetingId: string;
let tokens: Record<string, string>;
const clients: LiveClient[] = [];

const instanceOf = (hub: Hub): string => hub.parts.cluster?.instanceId ?? 'none';
const owner = (): Promise<string | null> =>
  hubA.parts.clusterMedia?.ownerOf(meetingId as never) ?? Promise.resolve(null);

async function join(hub: Hub, name: string): Promise<LiveClient> {
  const c = await liveClient(hub.url, tokens[name] as string, name);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedis();
  env = redisHubEnv(redis);
  hubA = await startTestHub(env);
  hubB = await startTestHub(env);
  portA = Number(new URL(hubA.url).port);
  const people: Parameters<typeof prepareMeeting>[2] = {
    chair: { role: 'chair' },
    secretaryA: { role: 'secretary' },
    secretaryB: { role: 'secretary' },
  };
  for (const s of SITES) people[s] = { role: 'site', siteId: s };
  ({ meetingId, tokens } = await prepareMeeting(hubA.url, SITES, people));
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await hubA?.stop();
  await hubB?.stop();
  await redis?.stop();
});

describe('two hub instances, one meeting', () => {
  let chair: LiveClient;
  let hue: LiveClient;
  let daNang: LiveClient;
  let canTho: LiveClient;

  it('fans state out to both, grants on A a request made on B, and media follows for clients of both', async () => {
    chair = await join(hubA, 'chair');
    // The first join claims the media for its instance.
    expect(await owner()).toBe(instanceOf(hubA));
    hue = await join(hubB, 'hue');
    daNang = await join(hubB, 'da-nang');
    canTho = await join(hubA, 'can-tho');
    expect(hue.join.snapshot.sites.map((s) => s.id)).toEqual([HOST_SITE, ...SITES]);

    // Media of B's clients is hosted on A: B forwards their signalling.
    for (const c of [chair, hue, daNang, canTho]) await receive(c);
    for (const [i, c] of [chair, hue, daNang, canTho].entries())
      await publishOn(hubA, meetingId, c, 1000 * (i + 1));

    await must(chair.socket, 'meeting:openTechCheck', {});
    await must(hue.socket, 'site:declare', { delegates: 25 });
    await must(canTho.socket, 'site:declare', { delegates: 12 });
    await eventually(
      () => chair.snapshot.totals.delegates === 37,
      'totals declared on both instances, seen on A',
    );
    await eventually(() => hue.snapshot.totals.delegates === 37, 'and on B');
    await must(chair.socket, 'meeting:goLive', {});
    await must(chair.socket, 'agenda:advance', {});
    await eventually(() => daNang.snapshot.agenda.currentItemId !== null, 'item opened on A, seen on B');

    await eventually(() => flowing(daNang, HOST_SITE, 'camera'), 'host camera flowing to a client of B');
    await eventually(() => flowing(hue, HOST_SITE, 'mic'), 'host heard by a client of B');

    // Huế (on B) asks; the chair (on A) sees the queue and grants.
    const { requestId } = await must(hue.socket, 'queue:request', { topic: 'Kiến nghị về vốn đầu tư công' });
    await eventually(() => chair.snapshot.queue.requests.length === 1, 'request made on B in the queue on A');
    const grantedAt = Date.now();
    await must(chair.socket, 'floor:grant', { requestId: requestId as never });
    await eventually(() => daNang.snapshot.queue.floor?.siteId === 'hue', 'floor holder seen on B');
    const seenOnB = Date.now() - grantedAt;
    // A client of A learns it from A's own batch, which may come a moment after B's.
    await eventually(
      () => canTho.snapshot.stage.programSiteId === 'hue',
      'the program follows the floor on A',
    );

    // Media follows the floor for clients of both instances.
    await eventually(
      () => flowing(daNang, 'hue', 'camera') && flowing(canTho, 'hue', 'camera'),
      "Huế's camera flowing to a client of B and a client of A",
    );
    console.log(
      `redis-cluster | floor granted on A: seen by a client of B after ${seenOnB} ms, ` +
        `its camera flowing to clients of both after ${Date.now() - grantedAt} ms`,
    );
    await eventually(
      () => flowing(chair, 'hue', 'mic') && flowing(daNang, 'hue', 'mic'),
      'Huế heard on both',
    );
    await eventually(() => hue.mic?.open === true, 'Huế (on B) told its microphone is open');
    expect(flowing(chair, 'da-nang', 'mic')).toBe(false);

    await must(chair.socket, 'floor:revoke', {});
    await eventually(() => !flowing(daNang, 'hue', 'camera'), "Huế's camera paused again for B's client");
    expect(hue.snapshot.queue.history.at(-1)?.endReason).toBe('revoked');
  });

  it('runs each floor expiry on exactly one instance', async () => {
    const claims = await Promise.all([
      hubA.parts.cluster?.claimExpiry('expiry-test', 1234),
      hubB.parts.cluster?.claimExpiry('expiry-test', 1234),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    // The winner may ask again (a retry after storage trouble); the loser still may not.
    const winner = claims[0] ? hubA : hubB;
    const loser = claims[0] ? hubB : hubA;
    expect(await winner.parts.cluster?.claimExpiry('expiry-test', 1234)).toBe(true);
    expect(await loser.parts.cluster?.claimExpiry('expiry-test', 1234)).toBe(false);
  });

  it('the media owner stops and starts again: state intact, media moves, every client is back by itself', {
    timeout: 180_000,
  }, async () => {
    const before = chair.snapshot;
    const joins = new Map(clients.map((c) => [c, c.joins]));
    let moving = 0;
    for (const c of [hue, daNang])
      c.socket.on('media:moving', (ack) => {
        moving++;
        ack();
      });
    const stoppedAt = Date.now();
    await hubA.stop();

    // B's clients were told the media moves and to rejoin; the first rejoin claimed the media for B.
    await eventually(() => moving === 2, "B's clients told the media is moving", 15_000);
    await eventually(
      () => hue.joins > (joins.get(hue) ?? 0) && daNang.joins > (joins.get(daNang) ?? 0),
      'B rejoined',
      15_000,
    );
    console.log(
      `redis-cluster | media owner stopped: B's clients rejoined with media on B after ${Date.now() - stoppedAt} ms`,
    );
    expect(await hubB.parts.clusterMedia?.ownerOf(meetingId as never)).toBe(instanceOf(hubB));

    // The same instance address comes back; its clients reconnect there by themselves.
    hubA = await startTestHub({ ...env, PORT: String(portA) });
    await eventually(
      () => chair.joins > (joins.get(chair) ?? 0) && canTho.joins > (joins.get(canTho) ?? 0),
      'A clients rejoined',
      20_000,
    );

    // Nothing of the meeting was lost; the connections of the stopped instance left the roster
    // after the grace, and no site's leaving was recorded (every one came back within it).
    const after = chair.snapshot;
    expect(after.meeting.status).toBe('live');
    expect(after.agenda.currentItemId).toBe(before.agenda.currentItemId);
    expect(after.queue.history).toEqual(before.queue.history);
    expect(after.totals.delegates).toBe(37);
    await eventually(
      () => chair.snapshot.participants.length === 4,
      'one roster entry per live connection',
      90_000,
    );
    const record = await hubB.parts.meetings.get(meetingId);
    expect(record.attendance.filter((e) => e.kind === 'leave' && e.at >= stoppedAt)).toEqual([]);

    // Media works again, now hosted on B, for clients of both instances.
    for (const c of [chair, hue, daNang, canTho]) await receive(c);
    for (const [i, c] of [chair, hue, daNang, canTho].entries())
      await publishOn(hubB, meetingId, c, 5000 + 100 * i);
    const { requestId } = await must(canTho.socket, 'queue:request', { topic: 'Giải ngân' });
    await must(chair.socket, 'floor:grant', { requestId: requestId as never });
    await eventually(
      () => flowing(hue, 'can-tho', 'camera') && flowing(chair, 'can-tho', 'camera'),
      "Cần Thơ's camera flowing to clients of both instances after the move",
    );
    await eventually(
      () => canTho.mic?.open === true,
      'Cần Thơ (on A, media on B) told its microphone is open',
    );
  });
});
