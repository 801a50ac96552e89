import type { MeetingInfo, MicState, QueueState, Role, SiteId, SiteState } from '@giaoban/shared';
import { isModerator } from '@giaoban/shared';

/** The parts of a meeting record the media policy reads (a record or a snapshot both fit). */
export interface PolicyInput {
  meeting: Pick<MeetingInfo, 'hostSiteId' | 'status' | 'techCheckTalkTo'>;
  sites: readonly (Pick<SiteState, 'id' | 'selfMuted' | 'micOpenedByModerator'> & {
    mutedByModerator?: boolean;
  })[];
  queue: Pick<QueueState, 'floor'>;
  stage: { pinnedSiteId: SiteId | null };
  /** The operator's talk-back line to one site, if open (absent: none). */
  moderation?: { talkBack: { siteId: SiteId } | null };
}

/** Who watches: the viewer's role decides whether it sees the grid, its site is not sent back to it. */
export interface Viewer {
  role: Role;
  siteId: SiteId | null;
}

/** What the main screen shows: the program, and the chair in a corner while someone else is on. */
export interface ProgramView {
  programSiteId: SiteId | null;
  /** The host site shown small while another site has the program; null when the host is the program. */
  cornerSiteId: SiteId | null;
}

/** Whether a viewer's consumer of a site's camera should flow, and at which simulcast layer. */
export interface VideoDecision {
  resume: boolean;
  /** 0 = lowest (grid thumbnails), 1 = medium (the chair's corner), 2 = highest (program). */
  spatialLayer: 0 | 1 | 2;
}

/** Simulcast layers chosen by tile size: a thumbnail never needs more than the lowest. */
const LAYER = { program: 2, corner: 1, grid: 0 } as const;

/** The main stage: a pinned site, else the floor holder, else the host where the chair presides. */
export function programSiteId(input: Pick<PolicyInput, 'meeting' | 'queue' | 'stage'>): SiteId | null {
  return input.stage.pinnedSiteId ?? input.queue.floor?.siteId ?? input.meeting.hostSiteId;
}

/** The program and the corner picture, as every main screen shows them. */
export function programView(input: Pick<PolicyInput, 'meeting' | 'queue' | 'stage'>): ProgramView {
  const program = programSiteId(input);
  const host = input.meeting.hostSiteId;
  return { programSiteId: program, cornerSiteId: program === host ? null : host };
}

/**
 * Whether a site's microphone may be heard: the host (the chair speaks any time), the floor
 * holder, a site a moderator opened, or — before the meeting is live — the site the technical
 * check is opened to (it answers the chair). Nothing is heard once the meeting has ended.
 */
export function isMicAllowed(input: PolicyInput, siteId: SiteId): boolean {
  if (input.meeting.status === 'ended') return false;
  if (siteId === input.meeting.hostSiteId) return true;
  if (openedInMeeting(input, siteId)) return true;
  // The talk-back site speaks to the operators only (see micHeardBy).
  if (talkBackSiteId(input) === siteId) return true;
  return input.meeting.status !== 'live' && input.meeting.techCheckTalkTo === siteId;
}

/** The site on the operator's talk-back line, or null. */
export function talkBackSiteId(input: Pick<PolicyInput, 'moderation'>): SiteId | null {
  return input.moderation?.talkBack?.siteId ?? null;
}

/** The floor holder or a site a moderator opened: heard by the whole meeting. */
function openedInMeeting(input: PolicyInput, siteId: SiteId): boolean {
  const site = input.sites.find((s) => s.id === siteId);
  if (site?.micOpenedByModerator) return true;
  // Muted by a moderator ("mute all"): not heard, not even on the floor, until a moderator opens it.
  if (site?.mutedByModerator) return false;
  return input.queue.floor?.siteId === siteId;
}

/**
 * Who hears an allowed microphone. Once the meeting is live, everyone. Before, the technical check
 * is private: the host's microphone reaches the moderators and only the site it was opened to on
 * purpose (`techCheck:talkTo`) — a waiting room never hears the chair by accident — and that
 * site's answer reaches only the moderators.
 */
export function micHeardBy(input: PolicyInput, producerSiteId: SiteId, viewer: Viewer): boolean {
  // Talk-back: the site's answer reaches the operators only (not the chair's room), unless the
  // meeting hears it anyway (it holds the floor or a moderator opened it).
  if (producerSiteId === talkBackSiteId(input) && !openedInMeeting(input, producerSiteId))
    return viewer.role === 'operator';
  if (input.meeting.status === 'live' || isModerator(viewer.role)) return true;
  if (producerSiteId === input.meeting.hostSiteId)
    return viewer.siteId !== null && viewer.siteId === input.meeting.techCheckTalkTo;
  if (producerSiteId === input.meeting.techCheckTalkTo) return openedInMeeting(input, producerSiteId);
  return true;
}

/** The microphone state the hub tells a site's device: allowed by policy, and its own mute. */
export function micState(input: PolicyInput, siteId: SiteId): MicState {
  const allowed = isMicAllowed(input, siteId);
  const selfMuted = input.sites.find((s) => s.id === siteId)?.selfMuted ?? false;
  return { allowed, selfMuted, open: allowed && !selfMuted };
}

/**
 * Decides one video consumer. Everyone gets the program in high quality and the chair's corner
 * in medium; only moderators (chair, operator) see the grid, at the lowest layer, and only its
 * visible tiles flow — hidden tiles are paused at the hub so they cost no bandwidth. A viewer is
 * never sent its own room back.
 */
export function videoWanted(
  viewer: Viewer,
  producerSiteId: SiteId | null,
  program: ProgramView,
  visibleTiles: ReadonlySet<SiteId>,
): VideoDecision {
  const paused: VideoDecision = { resume: false, spatialLayer: LAYER.grid };
  if (producerSiteId === null || producerSiteId === viewer.siteId) return paused;
  if (producerSiteId === program.programSiteId) return { resume: true, spatialLayer: LAYER.program };
  if (producerSiteId === program.cornerSiteId) return { resume: true, spatialLayer: LAYER.corner };
  if (isModerator(viewer.role) && visibleTiles.has(producerSiteId))
    return { resume: true, spatialLayer: LAYER.grid };
  return paused;
}

/** Whether a viewer should receive a site's audio: every allowed microphone it may hear, except its own room's (no echo). */
export function audioWanted(input: PolicyInput, viewer: Viewer, producerSiteId: SiteId | null): boolean {
  if (producerSiteId === null || producerSiteId === viewer.siteId) return false;
  return isMicAllowed(input, producerSiteId) && micHeardBy(input, producerSiteId, viewer);
}
