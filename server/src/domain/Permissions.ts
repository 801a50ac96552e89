import type { Role, SiteId } from '@giaoban/shared';
import type { Actor } from './Actor.js';
import { OK, type Outcome, refuse } from './DomainError.js';

/** Every action a person can attempt in or around a meeting; closed so the matrix below is total. */
export const ACTIONS = [
  'openTechCheck',
  'goLive',
  'endMeeting',
  'advanceAgenda',
  'openAgendaItem',
  'requestFloor',
  'withdrawFloorRequest',
  'reorderQueue',
  'grantFloor',
  'revokeFloor',
  'extendFloor',
  'yieldFloor',
  'pinStage',
  'declareAttendance',
  'setSiteMic',
  'talkToSite',
  'selfMute',
  'readMinutes',
  'writeMinutes',
  'confirmConclusion',
  'readConclusions',
  'publishMedia',
  'viewGrid',
  'readRollCall',
  'editMeeting',
  'issueLinks',
  'presentSlides',
  'assignPresenter',
  'uploadDocument',
  'muteAllSites',
  'talkBack',
  'recordMeeting',
  'watchRecordings',
  'openVote',
  'closeVote',
  'castVote',
  'readVoteTally',
  'readChat',
  'sendChat',
  'chatPrivately',
  'moderateChat',
  'readAudit',
  'steerRelay',
  'dialRoomSystem',
] as const;
/** One action of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

/** All roles, in the order of PRODUCT.md's table. */
export const ROLES: readonly Role[] = ['organizer', 'chair', 'operator', 'secretary', 'site', 'observer'];

/**
 * How far a role may take an action: on anything, or only on its own bridge point
 * (a site withdraws its own request, declares its own delegates, mutes its own microphone).
 */
export type Reach = 'any' | 'own';

/**
 * The role × action matrix of PRODUCT.md. A missing role means refused.
 * Organizers prepare and read reports but have no live control; chair and operator share the
 * floor and the stage, but only the chair opens, closes and steers the agenda (the operator
 * runs the technical side); secretaries only write the record; observers only watch.
 */
export const PERMISSIONS: Readonly<Record<Action, Readonly<Partial<Record<Role, Reach>>>>> = {
  // Organizers may also move the meeting over the HTTP API (and the schedule opens the tech check).
  openTechCheck: { organizer: 'any', chair: 'any', operator: 'any' },
  goLive: { organizer: 'any', chair: 'any' },
  endMeeting: { organizer: 'any', chair: 'any' },
  advanceAgenda: { chair: 'any' },
  openAgendaItem: { chair: 'any' },
  requestFloor: { site: 'own' },
  withdrawFloorRequest: { chair: 'any', operator: 'any', site: 'own' },
  reorderQueue: { chair: 'any', operator: 'any' },
  grantFloor: { chair: 'any', operator: 'any' },
  revokeFloor: { chair: 'any', operator: 'any' },
  extendFloor: { chair: 'any', operator: 'any' },
  // Only the speaker gives the floor back; moderators revoke instead.
  yieldFloor: { site: 'own' },
  pinStage: { chair: 'any', operator: 'any' },
  declareAttendance: { chair: 'any', operator: 'any', site: 'own' },
  setSiteMic: { chair: 'any', operator: 'any' },
  // Before the meeting is live, the host's microphone reaches a site only when a moderator opens it to that site.
  talkToSite: { chair: 'any', operator: 'any' },
  // The chair's device is the host room's microphone, so it mutes itself like a site does.
  selfMute: { chair: 'own', site: 'own' },
  readMinutes: { organizer: 'any', chair: 'any', secretary: 'any' },
  writeMinutes: { secretary: 'any' },
  confirmConclusion: { chair: 'any' },
  // The conclusions (not the minutes) are shown live on the console, read-only, to follow the meeting.
  readConclusions: { organizer: 'any', chair: 'any', operator: 'any', secretary: 'any' },
  publishMedia: { chair: 'own', site: 'own' },
  viewGrid: { chair: 'any', operator: 'any' },
  readRollCall: { organizer: 'any', chair: 'any', operator: 'any' },
  editMeeting: { organizer: 'any' },
  issueLinks: { organizer: 'any' },
  // Moderators drive slides; a site turns pages only while it is the presenter (its 'own' target).
  presentSlides: { chair: 'any', operator: 'any', site: 'own' },
  assignPresenter: { chair: 'any', operator: 'any' },
  // Organizers attach reports before the meeting; the presenter may bring one during it.
  uploadDocument: { organizer: 'any', chair: 'any', operator: 'any', site: 'own' },
  muteAllSites: { chair: 'any', operator: 'any' },
  // Talk-back is the technician's line to one room; the chair speaks to the whole meeting instead.
  talkBack: { operator: 'any' },
  // Recording is part of running the room: the chair decides, the operator runs it.
  recordMeeting: { chair: 'any', operator: 'any' },
  // The recordings are read back by those who prepare the meeting and keep its record.
  watchRecordings: { organizer: 'any', secretary: 'any' },
  // The chair puts questions to the vote and closes them; each bridge point votes for itself.
  openVote: { chair: 'any' },
  closeVote: { chair: 'any' },
  castVote: { site: 'own' },
  readVoteTally: { chair: 'any', operator: 'any' },
  readChat: {
    organizer: 'any',
    chair: 'any',
    operator: 'any',
    secretary: 'any',
    site: 'any',
    observer: 'any',
  },
  sendChat: { chair: 'any', operator: 'any', secretary: 'any', site: 'own' },
  // A private thread is one site and the operators: the site writes in its own, an operator in any.
  chatPrivately: { operator: 'any', site: 'own' },
  moderateChat: { chair: 'any', operator: 'any' },
  // Secretaries keep the record the audit log belongs to.
  readAudit: { organizer: 'any', chair: 'any', secretary: 'any' },
  // Linked meetings: the child's chair decides when its sites see the parent or a local segment,
  // and asks the parent's floor for the province.
  steerRelay: { chair: 'any' },
  // Calling a site's room system (SIP dial-out) and hanging it up is part of running the room.
  dialRoomSystem: { chair: 'any', operator: 'any' },
};

/** What an action is about, when ownership matters. */
export interface ActionTarget {
  /** The bridge point the action touches (the request's site, the declared site, the floor holder). */
  siteId: SiteId | null;
}

/** The role's reach for an action, or null when the role may not attempt it at all. */
export function reachOf(role: Role, action: Action): Reach | null {
  return PERMISSIONS[action][role] ?? null;
}

/**
 * Checks the role only, before any lookup, so a refused role learns nothing about what exists
 * (a site asking to withdraw some id gets FORBIDDEN, not NOT_FOUND).
 */
export function mayAttempt(actor: Actor, action: Action): Outcome<void> {
  return reachOf(actor.role, action) === null ? forbidden(actor, action) : OK;
}

/**
 * Decides whether `actor` may do `action` on `target`. For an 'own'-reach role the target must
 * be the actor's own bridge point; without a target such an action is refused (fail closed).
 */
export function authorize(actor: Actor, action: Action, target?: ActionTarget): Outcome<void> {
  const reach = reachOf(actor.role, action);
  if (reach === null) return forbidden(actor, action);
  if (reach === 'any') return OK;
  if (target === undefined || actor.siteId === null || target.siteId !== actor.siteId) {
    return refuse('FORBIDDEN', `a ${actor.role} may ${action} only for its own bridge point`);
  }
  return OK;
}

/** True when authorize() would allow it: for UI hints and media decisions, not for enforcement. */
export function can(actor: Actor, action: Action, target?: ActionTarget): boolean {
  return authorize(actor, action, target).ok;
}

function forbidden(actor: Actor, action: Action): Outcome<void> {
  return refuse('FORBIDDEN', `a ${actor.role} may not ${action}`);
}
