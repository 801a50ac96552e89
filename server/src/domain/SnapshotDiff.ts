import type { MeetingChange, MeetingSnapshot, ParticipantState } from '@giaoban/shared';

/** Structural equality of plain JSON-like data (what records and snapshots are made of). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((v, i) => v === b[i]);
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

/**
 * The changes that turn `before` into `after` under shared `applyChange`. Deriving them from
 * the two snapshots, rather than having each command list its own, means a handler cannot
 * forget one: what a client applies is by construction what the hub holds.
 */
export function diffSnapshots(before: MeetingSnapshot, after: MeetingSnapshot): MeetingChange[] {
  const changes: MeetingChange[] = [];
  if (!deepEqual(before.meeting, after.meeting)) changes.push({ type: 'meeting', meeting: after.meeting });
  changes.push(...diffSites(before, after));
  changes.push(...diffParticipants(before.participants, after.participants));
  if (!deepEqual(before.agenda, after.agenda)) changes.push({ type: 'agenda', agenda: after.agenda });
  if (!deepEqual(before.queue, after.queue)) changes.push({ type: 'queue', queue: after.queue });
  if (!deepEqual(before.stage, after.stage)) changes.push({ type: 'stage', stage: after.stage });
  if (!deepEqual(before.totals, after.totals)) changes.push({ type: 'totals', totals: after.totals });
  if (!deepEqual(before.slides, after.slides)) changes.push({ type: 'slides', slides: after.slides });
  if (!deepEqual(before.votes, after.votes)) changes.push({ type: 'votes', votes: after.votes });
  if (!deepEqual(before.moderation, after.moderation))
    changes.push({ type: 'moderation', moderation: after.moderation });
  if (!deepEqual(before.parent, after.parent)) changes.push({ type: 'parent', parent: after.parent });
  return changes;
}

/** One 'site' change per changed site; the whole list when sites were added, removed or moved. */
function diffSites(before: MeetingSnapshot, after: MeetingSnapshot): MeetingChange[] {
  const sameIds =
    before.sites.length === after.sites.length && before.sites.every((s, i) => s.id === after.sites[i]?.id);
  if (!sameIds) return [{ type: 'sitesInvited', sites: after.sites }];
  return after.sites.filter((s, i) => !deepEqual(before.sites[i], s)).map((site) => ({ type: 'site', site }));
}

/**
 * Leaves for the ids that are gone, then joins from the first position where the lists differ:
 * applyChange moves a joined participant to the end, so re-joining the tail in order rebuilds
 * the exact list. The hub only ever appends, so the tail is just the new or changed entries.
 */
function diffParticipants(
  before: readonly ParticipantState[],
  after: readonly ParticipantState[],
): MeetingChange[] {
  const afterIds = new Set(after.map((p) => p.id));
  const changes: MeetingChange[] = before
    .filter((p) => !afterIds.has(p.id))
    .map((p) => ({ type: 'participantLeft', participantId: p.id }));
  const kept = before.filter((p) => afterIds.has(p.id));
  let i = 0;
  while (i < after.length && i < kept.length && deepEqual(kept[i], after[i])) i += 1;
  for (const participant of after.slice(i)) changes.push({ type: 'participantJoined', participant });
  return changes;
}
