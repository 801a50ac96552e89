import type { ParticipantId, Role, SiteId } from '@giaoban/shared';

/**
 * Who is acting: always built by the server from the authenticated token or session,
 * never from a payload (several CVEs in this field were servers trusting a user id sent by the client).
 */
export interface Actor {
  readonly participantId: ParticipantId;
  readonly role: Role;
  /** The bridge point this device stands for; null for people not tied to a room. */
  readonly siteId: SiteId | null;
  readonly displayName: string;
}

/** The hub itself (timers, media and connection events): the only principal allowed to run system commands. */
export const SYSTEM = Object.freeze({ system: true as const });
/** Type of {@link SYSTEM}. */
export type SystemActor = typeof SYSTEM;

/** Anyone who can issue a command: a person's device or the hub itself. */
export type Principal = Actor | SystemActor;

/** True when the principal is the hub rather than a person. */
export const isSystem = (p: Principal): p is SystemActor => 'system' in p && p.system === true;
