import type { AgendaItem, AgendaItemId, AgendaItemKind, AgendaState, SiteId } from '@giaoban/shared';
import { type Outcome, refuse, succeed } from './DomainError.js';

/** What an organizer writes for an item; ids and timing are the hub's. */
export interface AgendaItemDraft {
  title: string;
  kind: AgendaItemKind;
  presenter: string;
  /** The invited site that presents the item; null or absent: the host. */
  presenterSiteId?: SiteId | null;
  plannedMinutes: number;
}

/** Planned against actual time of one item, for the report. */
export interface ItemTiming {
  itemId: AgendaItemId;
  title: string;
  plannedMinutes: number;
  /** Minutes from first start to last end (to `now` while open); null if never opened. */
  actualMinutes: number | null;
  /** actual − planned; positive when the item ran over. Null if never opened. */
  overrunMinutes: number | null;
}

/** An empty agenda. */
export const emptyAgenda = (): AgendaState => ({ items: [], currentItemId: null });

/** The item with this id, or NOT_FOUND. */
export function getItem(agenda: AgendaState, itemId: AgendaItemId): Outcome<AgendaItem> {
  const item = agenda.items.find((i) => i.id === itemId);
  return item ? succeed(item) : refuse('NOT_FOUND', `agenda item ${itemId} does not exist`);
}

/** The item being dealt with now, if any. */
export function currentItem(agenda: AgendaState): AgendaItem | null {
  return agenda.items.find((i) => i.id === agenda.currentItemId) ?? null;
}

/** Closes the current item (stamps its end) and leaves no item current. */
export function closeCurrent(agenda: AgendaState, now: number): AgendaState {
  if (agenda.currentItemId === null) return agenda;
  const id = agenda.currentItemId;
  return { items: agenda.items.map((i) => (i.id === id ? { ...i, endedAt: now } : i)), currentItemId: null };
}

/**
 * Makes `itemId` the current item, closing the one before. The chair may jump or go back:
 * re-opening a finished item keeps its first start and clears its end, so its actual time
 * spans first start to last end. Opening the current item again changes nothing.
 */
export function openItem(agenda: AgendaState, itemId: AgendaItemId, now: number): Outcome<AgendaState> {
  const found = getItem(agenda, itemId);
  if (!found.ok) return found;
  if (agenda.currentItemId === itemId) return succeed(agenda);
  const closed = closeCurrent(agenda, now);
  return succeed({
    items: closed.items.map((i) =>
      i.id === itemId ? { ...i, startedAt: i.startedAt ?? now, endedAt: null } : i,
    ),
    currentItemId: itemId,
  });
}

/**
 * Moves to the next item: the one after the current, or (with none current) the first never
 * opened. Advancing past the last item closes it and leaves the agenda finished.
 */
export function advance(agenda: AgendaState, now: number): Outcome<AgendaState> {
  if (agenda.items.length === 0) return refuse('INVALID_STATE', 'the agenda is empty');
  if (agenda.currentItemId === null) {
    const next = agenda.items.find((i) => i.startedAt === null);
    if (!next) return refuse('INVALID_STATE', 'every agenda item has been dealt with');
    return openItem(agenda, next.id, now);
  }
  const at = agenda.items.findIndex((i) => i.id === agenda.currentItemId);
  const next = agenda.items[at + 1];
  return next ? openItem(agenda, next.id, now) : succeed(closeCurrent(agenda, now));
}

/** Adds an item at `index` (default: the end). */
export function addItem(
  agenda: AgendaState,
  id: AgendaItemId,
  draft: AgendaItemDraft,
  index?: number,
): AgendaState {
  const item: AgendaItem = {
    id,
    ...draft,
    presenterSiteId: draft.presenterSiteId ?? null,
    startedAt: null,
    endedAt: null,
  };
  const items = [...agenda.items];
  items.splice(index === undefined ? items.length : Math.max(0, Math.min(index, items.length)), 0, item);
  return { ...agenda, items };
}

/** Changes an item's text or planned time; its actual timing is the hub's and cannot be edited. */
export function updateItem(
  agenda: AgendaState,
  itemId: AgendaItemId,
  patch: Partial<AgendaItemDraft>,
): Outcome<AgendaState> {
  const found = getItem(agenda, itemId);
  if (!found.ok) return found;
  const next: AgendaItem = { ...found.value };
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.kind !== undefined) next.kind = patch.kind;
  if (patch.presenter !== undefined) next.presenter = patch.presenter;
  if (patch.presenterSiteId !== undefined) next.presenterSiteId = patch.presenterSiteId;
  if (patch.plannedMinutes !== undefined) next.plannedMinutes = patch.plannedMinutes;
  return succeed({ ...agenda, items: agenda.items.map((i) => (i.id === itemId ? next : i)) });
}

/**
 * Removes an item that has not started. Started items are part of the meeting's history, and an
 * item the secretaries have written for (minutes, conclusions, petitions in the workspace) would
 * orphan what they wrote: both refuse with INVALID_STATE.
 */
export function removeItem(
  agenda: AgendaState,
  itemId: AgendaItemId,
  workspaceContent: boolean,
): Outcome<AgendaState> {
  const found = getItem(agenda, itemId);
  if (!found.ok) return found;
  if (found.value.startedAt !== null)
    return refuse('INVALID_STATE', 'an item that has started cannot be removed');
  if (workspaceContent)
    return refuse(
      'INVALID_STATE',
      "the secretaries' workspace has minutes, conclusions or petitions for this item; it cannot be removed",
    );
  return succeed({ ...agenda, items: agenda.items.filter((i) => i.id !== itemId) });
}

/** Puts the items in a new order; `itemIds` must be a permutation of all item ids (else VALIDATION). */
export function reorderItems(agenda: AgendaState, itemIds: readonly string[]): Outcome<AgendaState> {
  const byId = new Map(agenda.items.map((i) => [i.id as string, i]));
  if (itemIds.length !== byId.size || new Set(itemIds).size !== itemIds.length) {
    return refuse('VALIDATION', 'give every agenda item id exactly once');
  }
  const items: AgendaItem[] = [];
  for (const id of itemIds) {
    const item = byId.get(id);
    if (!item) return refuse('VALIDATION', `agenda item ${id} does not exist`);
    items.push(item);
  }
  return succeed({ ...agenda, items });
}

/** Actual minutes of an item (first start to last end, or to `now` while open); null if never opened. */
export function actualMinutes(item: AgendaItem, now: number): number | null {
  if (item.startedAt === null) return null;
  return ((item.endedAt ?? now) - item.startedAt) / 60_000;
}

/** Planned vs actual time per item, in agenda order, for the report. */
export function agendaTiming(agenda: AgendaState, now: number): ItemTiming[] {
  return agenda.items.map((item) => {
    const actual = actualMinutes(item, now);
    return {
      itemId: item.id,
      title: item.title,
      plannedMinutes: item.plannedMinutes,
      actualMinutes: actual,
      overrunMinutes: actual === null ? null : actual - item.plannedMinutes,
    };
  });
}
