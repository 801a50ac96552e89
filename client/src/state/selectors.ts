import type {
  AgendaItem,
  FloorRequest,
  FloorTurn,
  MeetingSnapshot,
  ParentView,
  SiteState,
} from '@giaoban/shared';

/** The site whose camera is the program (main stage) now. */
export function programSiteId(snapshot: MeetingSnapshot | null): string | null {
  return snapshot?.stage.programSiteId ?? snapshot?.meeting.hostSiteId ?? null;
}

/**
 * The parent meeting whose program this (linked) meeting relays now, or null: linked, the link up,
 * no local segment, and the province not itself on the parent's stage (then its own stage goes up).
 * While it relays, the main stage is the parent's program for every room here, the host's too.
 */
export function relayingParent(snapshot: MeetingSnapshot | null): ParentView | null {
  const parent = snapshot?.parent ?? null;
  if (!parent || parent.link !== 'connected' || parent.localSegment || parent.province.onStage) return null;
  return parent;
}

/** The site with the given id, or null. */
export function siteById(snapshot: MeetingSnapshot | null, siteId: string | null): SiteState | null {
  if (!snapshot || !siteId) return null;
  return snapshot.sites.find((s) => s.id === siteId) ?? null;
}

/** The current agenda item, or null before the first one is opened. */
export function currentAgendaItem(snapshot: MeetingSnapshot | null): AgendaItem | null {
  if (!snapshot?.agenda.currentItemId) return null;
  return snapshot.agenda.items.find((i) => i.id === snapshot.agenda.currentItemId) ?? null;
}

/** The pending floor request of a site, or null. */
export function pendingRequestOf(
  snapshot: MeetingSnapshot | null,
  siteId: string | null,
): FloorRequest | null {
  if (!snapshot || !siteId) return null;
  return snapshot.queue.requests.find((r) => r.siteId === siteId) ?? null;
}

/** 1-based position of a site's request in the queue, or null. */
export function queuePositionOf(snapshot: MeetingSnapshot | null, siteId: string | null): number | null {
  if (!snapshot || !siteId) return null;
  const index = snapshot.queue.requests.findIndex((r) => r.siteId === siteId);
  return index < 0 ? null : index + 1;
}

/** The floor turn running now, or null. */
export function activeFloor(snapshot: MeetingSnapshot | null): FloorTurn | null {
  const floor = snapshot?.queue.floor ?? null;
  return floor && floor.endedAt === null ? floor : null;
}

/** Milliseconds left of a timed floor turn (never negative); null for an open-ended one. */
export function floorRemainingMs(floor: FloorTurn, localNow: number, skewMs: number): number | null {
  if (floor.expiresAt === null) return null;
  return Math.max(0, floor.expiresAt - (localNow + skewMs));
}

/** Multiview order: the host first, then the other sites as the organizer listed them. */
export function tileOrder(sites: SiteState[]): SiteState[] {
  return [...sites.filter((s) => s.isHost), ...sites.filter((s) => !s.isHost)];
}

/** The number of pages of `count` items at `pageSize` per page (at least 1). */
export function pageCount(count: number, pageSize: number): number {
  return Math.max(1, Math.ceil(count / Math.max(1, pageSize)));
}

/** The items on a page, with the page clamped into range. */
export function pageOf<T>(items: T[], pageSize: number, page: number): { items: T[]; page: number } {
  const last = pageCount(items.length, pageSize) - 1;
  const clamped = Math.min(Math.max(0, page), last);
  return { items: items.slice(clamped * pageSize, (clamped + 1) * pageSize), page: clamped };
}

/** Moves an element of a list one step up (-1) or down (+1); unchanged at the ends. */
export function moveItem<T>(list: T[], index: number, delta: -1 | 1): T[] {
  const target = index + delta;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) return list;
  const next = [...list];
  const [item] = next.splice(index, 1);
  next.splice(target, 0, item as T);
  return next;
}

/** Elapsed ms of an agenda item (running or finished), or null if not started. */
export function agendaElapsedMs(item: AgendaItem, localNow: number, skewMs: number): number | null {
  if (item.startedAt === null) return null;
  const end = item.endedAt ?? localNow + skewMs;
  return Math.max(0, end - item.startedAt);
}
