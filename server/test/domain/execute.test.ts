import {
  type AgendaItemId,
  applyChanges,
  type FloorRequestId,
  type MeetingSnapshot,
  MeetingSnapshot as MeetingSnapshotSchema,
  type Role,
  type SiteId,
} from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { type Actor, type Principal, SYSTEM } from '../../src/domain/Actor.js';
import type { MeetingCommand } from '../../src/domain/commands.js';
import { commandFromClient } from '../../src/domain/commands.js';
import { isDomainError } from '../../src/domain/DomainError.js';
import { execute } from '../../src/domain/execute.js';
import { MeetingRecord, toSnapshot } from '../../src/domain/MeetingRecord.js';
import { A, actor, addAgenda, DIRECTORY, DN, HN, HOST, HP, NOT_INVITED, TestMeeting } from './harness.js';

/** Replays every broadcast batch on the first snapshot, as a client that never missed one would. */
function replay(initial: MeetingSnapshot, batches: TestMeeting['batches']): MeetingSnapshot {
  return batches.reduce((snap, batch) => {
    const out = applyChanges(snap, batch);
    if (out.kind !== 'applied') throw new Error(`batch ${batch.version} was ${out.kind}`);
    return out.snapshot;
  }, initial);
}

describe('execute() — a whole briefing, start to finish', () => {
  it('keeps every client in step: replaying the batches gives the final snapshot', () => {
    const m = new TestMeeting({ floorSeconds: 120 });
    const items = addAgenda(m);
    m.ok(A.organizer, { type: 'sites:invite', sites: [DIRECTORY[NOT_INVITED] as never] });
    const camau = actor('site', NOT_INVITED);

    // Tech check: rooms connect, media flows, one link is poor, delegates are declared.
    m.join(A.operator).join(A.chair).join(A.secretary).join(A.observer);
    m.ok(A.operator, { type: 'meeting:openTechCheck' });
    for (const s of [A.hn, A.hp, A.dn, camau]) m.tick(5_000).join(s);
    for (const id of [HOST, HN, HP, DN])
      m.ok(SYSTEM, { type: 'site:mediaFlowing', siteId: id, flowing: true });
    m.ok(SYSTEM, { type: 'site:quality', siteId: DN, poor: true });
    m.ok(A.hn, { type: 'site:declare', delegates: 45 });
    m.ok(A.hp, { type: 'site:declare', delegates: 30 });
    m.ok(A.operator, { type: 'site:declare', siteId: DN, delegates: 28 });
    m.ok(A.chair, { type: 'site:declare', delegates: 60 });
    m.ok(A.operator, { type: 'mic:set', siteId: DN, open: true });
    m.tick(20_000).ok(A.operator, { type: 'mic:set', siteId: DN, open: false });
    m.ok(A.hp, { type: 'queue:request', topic: 'Đăng ký sớm' });

    // Live: opening, report, discussion with the floor passing around.
    m.tick(60_000).ok(A.chair, { type: 'meeting:goLive' });
    m.ok(A.chair, { type: 'agenda:advance' });
    m.tick(5 * 60_000).ok(A.chair, { type: 'agenda:advance' });
    m.ok(A.operator, { type: 'stage:pin', siteId: HN });
    m.tick(20 * 60_000).ok(A.operator, { type: 'stage:pin', siteId: null });
    m.ok(A.chair, { type: 'agenda:advance' });
    const hn = m.ok<{ requestId: FloorRequestId }>(A.hn, {
      type: 'queue:request',
      topic: 'Vốn đầu tư',
    }).requestId;
    const dn = m.ok<{ requestId: FloorRequestId }>(A.dn, {
      type: 'queue:request',
      topic: 'Nhân sự',
    }).requestId;
    const hp = m.record.queue.requests[0]?.id as FloorRequestId;
    m.ok(A.operator, { type: 'queue:reorder', requestIds: [hn, dn, hp] });
    m.ok(A.operator, { type: 'floor:grant', requestId: hn });
    m.tick(60_000).ok(A.operator, { type: 'floor:extend', seconds: 60 });
    m.tick(125_000).ok(SYSTEM, { type: 'floor:expire' });
    m.ok(A.chair, { type: 'floor:grant', requestId: dn, seconds: 0 });
    m.tick(30_000).leave(A.dn);
    m.tick(10_000).join(A.dn);
    m.ok(A.chair, { type: 'floor:grant', siteId: DN });
    m.tick(40_000).ok(A.dn, { type: 'floor:yield' });
    m.ok(A.hp, { type: 'queue:withdraw', requestId: hp });
    m.ok(A.organizer, {
      type: 'agenda:addItem',
      item: { title: 'Kết luận', kind: 'conclusion', presenter: 'Chủ trì', plannedMinutes: 10 },
    });
    m.ok(A.chair, { type: 'agenda:advance' });
    m.ok(A.chair, { type: 'floor:grant', siteId: HP, seconds: 60 });
    m.tick(15 * 60_000).ok(A.chair, { type: 'meeting:end' });
    for (const a of [A.hn, A.hp, A.dn, camau, A.observer]) m.tick(1000).leave(a);

    const final = m.snapshot;
    expect(replay(m.initial, m.batches)).toEqual(final);
    expect(final.version).toBe(m.batches.length);
    expect(MeetingSnapshotSchema.parse(final)).toEqual(final);
    expect(MeetingRecord.parse(JSON.parse(JSON.stringify(m.record)))).toEqual(m.record);
    expect(m.record.queue.history.map((t) => [t.siteId, t.endReason])).toEqual([
      [HN, 'expired'],
      [DN, 'left'],
      [DN, 'yielded'],
      [HP, 'meetingEnded'],
    ]);
    expect(final.totals).toEqual({ invitedSites: 5, connectedSites: 1, mediaSites: 1, delegates: 60 });
  });

  it('never mutates the record it is given', () => {
    const m = new TestMeeting();
    addAgenda(m);
    const before = structuredClone(m.record);
    const frozenCopy = m.record;
    execute(
      frozenCopy,
      SYSTEM,
      { type: 'participant:joined', participant: { ...A.hn, id: A.hn.participantId } },
      {
        now: 1,
        newId: () => 'x',
      },
    );
    expect(frozenCopy).toEqual(before);
  });

  it('commandFromClient() turns a validated event payload into a command', () => {
    expect(commandFromClient('queue:request', { topic: 'Kiến nghị' })).toEqual({
      type: 'queue:request',
      topic: 'Kiến nghị',
    });
    expect(commandFromClient('meeting:goLive', {})).toEqual({ type: 'meeting:goLive' });
  });
});

/** Small deterministic PRNG (mulberry32), so a failing walk can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('execute() — random walks keep the invariants', () => {
  const ALL_SITES: SiteId[] = [HOST, HN, HP, DN, NOT_INVITED];
  const ROLES: Role[] = ['organizer', 'chair', 'operator', 'secretary', 'site', 'observer'];

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: 400 random commands', (seed) => {
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const m = new TestMeeting({ floorSeconds: pick([0, 30, 180]) });
    addAgenda(m);
    const devices: Actor[] = [
      A.chair,
      A.operator,
      A.secretary,
      A.observer,
      A.hn,
      A.hp,
      A.dn,
      actor('site', HN, 'hn-2'),
      actor('site', NOT_INVITED),
    ];
    const randomCommand = (step: number): { who: Principal; cmd: MeetingCommand } => {
      const r = m.record;
      const reqId = (): FloorRequestId =>
        (rnd() < 0.9 && r.queue.requests.length > 0 ? pick(r.queue.requests).id : 'ghost') as FloorRequestId;
      const itemId = (): AgendaItemId => pick([...r.agenda.items.map((i) => i.id), 'ghost']) as AgendaItemId;
      // Mostly real devices (moderators weighted up), sometimes an arbitrary role at an arbitrary site.
      const person =
        rnd() < 0.85
          ? pick([...devices, A.chair, A.operator, A.chair])
          : actor(pick(ROLES), pick([...ALL_SITES, null]));
      const dev = pick(devices);
      const cmds: (() => { who: Principal; cmd: MeetingCommand })[] = [
        () => ({
          who: SYSTEM,
          cmd: { type: 'participant:joined', participant: { ...dev, id: dev.participantId } },
        }),
        () => ({ who: SYSTEM, cmd: { type: 'participant:left', participantId: dev.participantId } }),
        () => ({
          who: SYSTEM,
          cmd: { type: 'site:mediaFlowing', siteId: pick(ALL_SITES), flowing: rnd() < 0.7 },
        }),
        () => ({ who: SYSTEM, cmd: { type: 'site:quality', siteId: pick(ALL_SITES), poor: rnd() < 0.5 } }),
        () => ({ who: SYSTEM, cmd: { type: 'floor:expire' } }),
        // Ending is kept for the last stretch, so most of the walk happens in a running meeting.
        () => ({
          who: person,
          cmd: {
            type: pick([
              'meeting:openTechCheck',
              'meeting:goLive',
              ...(step > 340 ? ['meeting:end' as const] : []),
            ]),
          },
        }),
        () => ({ who: person, cmd: { type: 'agenda:advance' } }),
        () => ({ who: person, cmd: { type: 'agenda:open', itemId: itemId() } }),
        () => ({ who: person, cmd: { type: 'queue:request', topic: 'Chủ đề' } }),
        () => ({ who: person, cmd: { type: 'queue:withdraw', requestId: reqId() } }),
        () => ({
          who: person,
          cmd: {
            type: 'queue:reorder',
            requestIds: [...r.queue.requests.map((q) => q.id)].sort(() => rnd() - 0.5),
          },
        }),
        () => ({
          who: person,
          cmd:
            rnd() < 0.5
              ? { type: 'floor:grant', requestId: reqId(), seconds: pick([0, 10, 60]) }
              : { type: 'floor:grant', siteId: pick(ALL_SITES) },
        }),
        () => ({ who: person, cmd: { type: 'floor:revoke' } }),
        () => ({ who: person, cmd: { type: 'floor:extend', seconds: 30 } }),
        () => ({ who: person, cmd: { type: 'floor:yield' } }),
        () => ({ who: person, cmd: { type: 'stage:pin', siteId: pick([...ALL_SITES, null]) } }),
        () => ({ who: person, cmd: { type: 'site:declare', delegates: Math.floor(rnd() * 100) } }),
        () => ({ who: person, cmd: { type: 'mic:set', siteId: pick(ALL_SITES), open: rnd() < 0.5 } }),
        () => ({ who: person, cmd: { type: 'mic:selfMute', muted: rnd() < 0.5 } }),
        () => ({ who: A.organizer, cmd: { type: 'sites:uninvite', siteIds: [pick(ALL_SITES)] } }),
        () => ({
          who: A.organizer,
          cmd: { type: 'sites:invite', sites: [DIRECTORY[pick(ALL_SITES)] as never] },
        }),
        () => ({
          who: A.organizer,
          cmd: { type: 'agenda:removeItem', itemId: itemId(), workspaceContent: rnd() < 0.3 },
        }),
        () => ({
          who: A.organizer,
          cmd: {
            type: 'agenda:addItem',
            item: { title: 'Mục', kind: 'other', presenter: '', plannedMinutes: 5 },
          },
        }),
      ];
      return pick(cmds)();
    };

    const seen = new Set<string>();
    for (let step = 0; step < 400; step += 1) {
      m.tick(Math.floor(rnd() * 20_000));
      const { who, cmd } = randomCommand(step);
      const result = m.run(who, cmd); // checks version and applyChanges equality on success
      if (result.ok && result.value.changes.length > 0) seen.add(cmd.type);
      if (!result.ok) {
        expect(isDomainError(result.error)).toBe(true);
        expect(result.error.code).not.toBe('INTERNAL');
      }
      const { queue, sites, meeting } = m.record;
      const pendingSites = queue.requests.map((q) => q.siteId);
      expect(new Set(pendingSites).size).toBe(pendingSites.length);
      if (queue.floor) expect(pendingSites).not.toContain(queue.floor.siteId);
      expect(queue.history.every((t) => t.endedAt !== null && t.endReason !== null)).toBe(true);
      expect(sites.filter((s) => s.isHost).map((s) => s.id)).toEqual([meeting.hostSiteId]);
      if (meeting.status === 'ended') expect(queue.floor).toBeNull();
    }
    // The walk must really move the meeting, not bounce off refusals.
    expect(m.batches.length).toBeGreaterThan(40);
    expect(seen.size).toBeGreaterThan(10);
    // Close the walk the way a meeting ends, and check the end state too.
    if (m.record.meeting.status === 'live' || m.record.meeting.status === 'techCheck') {
      m.ok(A.chair, { type: 'meeting:end' });
    }
    expect(m.record.queue.floor).toBeNull();
    expect(replay(m.initial, m.batches)).toEqual(toSnapshot(m.record));
    expect(MeetingRecord.safeParse(m.record).success).toBe(true);
  });
});
