import type { AgendaItemId, MinuteEntry, MinuteEntryId, MinuteKind } from '@giaoban/shared';
import type { Actor } from './Actor.js';
import { type Outcome, refuse, succeed } from './DomainError.js';

/** What a secretary writes; author and time come from the server. */
export interface MinuteDraft {
  agendaItemId: AgendaItemId;
  kind: MinuteKind;
  text: string;
}

/** Builds an entry stamped with its author (from the authenticated actor) and time. */
export function newMinuteEntry(
  id: MinuteEntryId,
  draft: MinuteDraft,
  author: Actor,
  now: number,
): MinuteEntry {
  return {
    id,
    agendaItemId: draft.agendaItemId,
    kind: draft.kind,
    text: draft.text,
    authorName: author.displayName,
    authorRole: author.role,
    at: now,
    confirmed: false,
  };
}

/** The entry with this id, or NOT_FOUND. */
export function getMinute(minutes: readonly MinuteEntry[], entryId: MinuteEntryId): Outcome<MinuteEntry> {
  const entry = minutes.find((m) => m.id === entryId);
  return entry ? succeed(entry) : refuse('NOT_FOUND', `minute entry ${entryId} does not exist`);
}

/**
 * The chair confirms a conclusion (it then goes into the conclusion notice). Only conclusions
 * are confirmed (INVALID_STATE otherwise); confirming twice returns the entry unchanged.
 */
export function confirmConclusion(
  minutes: readonly MinuteEntry[],
  entryId: MinuteEntryId,
): Outcome<{ minutes: MinuteEntry[]; entry: MinuteEntry }> {
  const found = getMinute(minutes, entryId);
  if (!found.ok) return found;
  if (found.value.kind !== 'conclusion') return refuse('INVALID_STATE', 'only conclusions are confirmed');
  if (found.value.confirmed) return succeed({ minutes: [...minutes], entry: found.value });
  const entry: MinuteEntry = { ...found.value, confirmed: true };
  return succeed({ minutes: minutes.map((m) => (m.id === entryId ? entry : m)), entry });
}

/** Entries of one agenda item, in the order they were written. */
export function minutesOfItem(minutes: readonly MinuteEntry[], itemId: AgendaItemId): MinuteEntry[] {
  return minutes.filter((m) => m.agendaItemId === itemId);
}

/** The confirmed conclusions, in agenda order then writing order: the body of the conclusion notice. */
export function confirmedConclusions(
  minutes: readonly MinuteEntry[],
  itemOrder: readonly AgendaItemId[],
): MinuteEntry[] {
  const rank = new Map(itemOrder.map((id, i) => [id, i]));
  return minutes
    .filter((m) => m.kind === 'conclusion' && m.confirmed)
    .map((m, i) => ({ m, i }))
    .sort(
      (a, b) =>
        (rank.get(a.m.agendaItemId) ?? Infinity) - (rank.get(b.m.agendaItemId) ?? Infinity) || a.i - b.i,
    )
    .map(({ m }) => m);
}
