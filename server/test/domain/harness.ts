import {
  type AgendaItemId,
  applyChanges,
  type DirectorySite,
  type MeetingId,
  type MeetingSnapshot,
  type ParticipantId,
  type Role,
  type SiteId,
} from '@giaoban/shared';
import { expect } from 'vitest';
import { type Actor, type Principal, SYSTEM } from '../../src/domain/Actor.js';
import type { MeetingCommand } from '../../src/domain/commands.js';
import type { DomainError, Outcome } from '../../src/domain/DomainError.js';
import { execute } from '../../src/domain/execute.js';
import { createMeetingRecord, type MeetingRecord, toSnapshot } from '../../src/domain/MeetingRecord.js';
import type { Executed } from '../../src/domain/Step.js';

/** Sites of the test meeting: the central host and three provinces. */
export const HOST = 'trung-uong' as SiteId;
export const HN = 'ha-noi' as SiteId;
export const HP = 'hai-phong' as SiteId;
export const DN = 'da-nang' as SiteId;
export const NOT_INVITED = 'ca-mau' as SiteId;

const dir = (id: SiteId, name: string, kind: DirectorySite['kind'] = 'province'): DirectorySite => ({
  id,
  name,
  region: name,
  kind,
  mergedFrom: [],
  parentId: null,
});
export const DIRECTORY: Record<string, DirectorySite> = {
  [HOST]: dir(HOST, 'Điểm cầu Trung ương', 'central'),
  [HN]: dir(HN, 'Thành phố Hà Nội', 'city'),
  [HP]: dir(HP, 'Thành phố Hải Phòng', 'city'),
  [DN]: dir(DN, 'Thành phố Đà Nẵng', 'city'),
  [NOT_INVITED]: dir(NOT_INVITED, 'Tỉnh Cà Mau'),
};

/** Builds an actor; ids and names are derived so tests read short. */
export function actor(role: Role, siteId: SiteId | null = null, id = `${role}-${siteId ?? 'x'}`): Actor {
  return { participantId: id as ParticipantId, role, siteId, displayName: `${role} ${siteId ?? ''}`.trim() };
}

/** One actor per role, each at its natural place. */
export const A = {
  organizer: actor('organizer'),
  chair: actor('chair', HOST),
  operator: actor('operator', HOST),
  secretary: actor('secretary'),
  hn: actor('site', HN),
  hp: actor('site', HP),
  dn: actor('site', DN),
  observer: actor('observer'),
} as const;

/** The natural actor for each role, used by the permission tables. */
export const ACTOR_OF_ROLE: Record<Role, Actor> = {
  organizer: A.organizer,
  chair: A.chair,
  operator: A.operator,
  secretary: A.secretary,
  site: A.hn,
  observer: A.observer,
};

/** Freezes a value all the way down, so any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * A meeting under test. Every command runs on a deep-frozen record (so mutation throws), and
 * every success is checked against the protocol's promise: the version moves by one exactly when
 * the record changed, and shared `applyChanges` on the old snapshot gives `toSnapshot(new)`.
 */
export class TestMeeting {
  record: MeetingRecord;
  now = Date.UTC(2025, 6, 1, 1, 0, 0);
  /** Every broadcast batch since the start, for replay tests. */
  readonly batches: { version: number; changes: Executed['changes'] }[] = [];
  readonly initial: MeetingSnapshot;
  private seq = 0;

  constructor(opts: { floorSeconds?: number; maxConnections?: number } = {}) {
    this.record = createMeetingRecord({
      id: 'mtg-1' as MeetingId,
      title: 'Giao ban trực tuyến 6 tháng đầu năm',
      scheduledAt: this.now + 3_600_000,
      hostSite: DIRECTORY[HOST] as DirectorySite,
      chairName: 'Đồng chí Chủ trì',
      floorSeconds: opts.floorSeconds ?? 180,
      maxConnections: opts.maxConnections ?? 1500,
      invitedSites: [HN, HP, DN].map((id) => DIRECTORY[id] as DirectorySite),
    });
    this.initial = toSnapshot(this.record);
  }

  /** Moves the clock. */
  tick(ms: number): this {
    this.now += ms;
    return this;
  }

  /** Runs a command and checks the invariants; the record advances only on success. */
  run(principal: Principal, command: MeetingCommand): Outcome<Executed> {
    const before = deepFreeze(this.record);
    const result = execute(before, principal, command, { now: this.now, newId: () => `id-${++this.seq}` });
    if (!result.ok) return result;
    const { record, changes } = result.value;
    if (record === before) {
      expect(changes).toEqual([]);
    } else {
      expect(record.version).toBe(before.version + 1);
      const applied = applyChanges(toSnapshot(before), { version: record.version, changes });
      expect(applied).toEqual({ kind: 'applied', snapshot: toSnapshot(record) });
      this.batches.push({ version: record.version, changes });
    }
    this.record = record;
    return result;
  }

  /** Runs a command that must succeed and returns its reply. */
  ok<R = unknown>(principal: Principal, command: MeetingCommand): R {
    const result = this.run(principal, command);
    if (!result.ok) throw new Error(`${command.type} refused: ${result.error.code} ${result.error.message}`);
    return result.value.reply as R;
  }

  /** Runs a command that must be refused and returns the error. */
  refused(principal: Principal, command: MeetingCommand): DomainError {
    const version = this.record.version;
    const result = this.run(principal, command);
    if (result.ok) throw new Error(`${command.type} was expected to be refused`);
    expect(this.record.version).toBe(version);
    return result.error;
  }

  /** Connects a participant as the transport would. */
  join(a: Actor): this {
    this.ok(SYSTEM, {
      type: 'participant:joined',
      participant: { id: a.participantId, role: a.role, siteId: a.siteId, displayName: a.displayName },
    });
    return this;
  }

  /** Disconnects a participant as the transport would. */
  leave(a: Actor): this {
    this.ok(SYSTEM, { type: 'participant:left', participantId: a.participantId });
    return this;
  }

  /** The snapshot clients see now. */
  get snapshot(): MeetingSnapshot {
    return toSnapshot(this.record);
  }

  /** Site state by id (throws when missing, to keep tests short). */
  site(id: SiteId) {
    const s = this.record.sites.find((x) => x.id === id);
    if (!s) throw new Error(`no site ${id}`);
    return s;
  }
}

/** Three agenda items a typical briefing has. */
export function addAgenda(m: TestMeeting): AgendaItemId[] {
  return [
    { title: 'Khai mạc', kind: 'opening' as const, presenter: 'Chủ trì', plannedMinutes: 5 },
    { title: 'Báo cáo kết quả 6 tháng', kind: 'report' as const, presenter: 'Văn phòng', plannedMinutes: 20 },
    { title: 'Thảo luận', kind: 'discussion' as const, presenter: '', plannedMinutes: 30 },
  ].map((item) => m.ok<{ id: AgendaItemId }>(A.organizer, { type: 'agenda:addItem', item }).id);
}

/** A meeting in tech check with the chair, operator, secretary and three sites connected, agenda set. */
export function techCheckMeeting(opts?: { floorSeconds?: number }): {
  m: TestMeeting;
  items: AgendaItemId[];
} {
  const m = new TestMeeting(opts);
  const items = addAgenda(m);
  for (const a of [A.chair, A.operator, A.secretary, A.hn, A.hp, A.dn]) m.join(a);
  m.ok(A.operator, { type: 'meeting:openTechCheck' });
  return { m, items };
}

/** A live meeting, past tech check, with nothing on the agenda opened yet. */
export function liveMeeting(opts?: { floorSeconds?: number }): { m: TestMeeting; items: AgendaItemId[] } {
  const { m, items } = techCheckMeeting(opts);
  m.tick(60_000).ok(A.chair, { type: 'meeting:goLive' });
  return { m, items };
}
