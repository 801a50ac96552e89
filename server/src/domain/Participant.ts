import type { ParticipantId, ParticipantState, Role, SiteId } from '@giaoban/shared';
import { publishesMedia } from '@giaoban/shared';

/** A connection as the transport knows it from the authenticated token; the hub stamps the time. */
export interface ParticipantJoin {
  id: ParticipantId;
  role: Role;
  siteId: SiteId | null;
  displayName: string;
}

/**
 * Adds (or replaces, on reconnect) a connection. It goes to the end of the list — the same rule
 * the client's applyChange uses, so both sides keep the same order.
 */
export function addParticipant(list: readonly ParticipantState[], p: ParticipantState): ParticipantState[] {
  return [...list.filter((x) => x.id !== p.id), p];
}

/** Removes a connection; unknown ids leave the list unchanged. */
export function removeParticipant(list: readonly ParticipantState[], id: ParticipantId): ParticipantState[] {
  return list.filter((x) => x.id !== id);
}

/**
 * True when this connection is the room device of its site. Only publishing roles (the site's
 * device, the chair's at the host) make a bridge point "connected": an operator's or secretary's
 * laptop at the host hall is not the hall's camera.
 */
export function isRoomDevice(
  p: Pick<ParticipantState, 'role' | 'siteId'>,
): p is { role: Role; siteId: SiteId } {
  return p.siteId !== null && publishesMedia(p.role);
}

/** True while some room device of the site is connected. */
export function siteHasRoomDevice(list: readonly ParticipantState[], siteId: SiteId): boolean {
  return list.some((p) => p.siteId === siteId && isRoomDevice(p));
}
