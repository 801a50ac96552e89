import type { MeetingInfo, MeetingStatus, VideoCodec } from '@giaoban/shared';
import { type Outcome, refuse, succeed } from './DomainError.js';

/** Fields an organizer may change on a meeting (the host site is fixed once created). */
export interface MeetingEdit {
  title?: string;
  scheduledAt?: number;
  chairName?: string;
  floorSeconds?: number;
  maxConnections?: number;
  videoCodec?: VideoCodec;
}

/**
 * The transitions a meeting allows. Tech check is not skippable: QĐ 45/2018 asks for a test
 * session before the start, and its timestamp is evidence for the report. Ending from tech
 * check lets the chair call off a meeting whose links do not work.
 */
const NEXT: Readonly<Record<MeetingStatus, readonly MeetingStatus[]>> = {
  scheduled: ['techCheck'],
  techCheck: ['live', 'ended'],
  live: ['ended'],
  ended: [],
};

/** Moves the meeting to `to`, stamping the transition's time; INVALID_STATE for any other path. */
export function transition(meeting: MeetingInfo, to: MeetingStatus, now: number): Outcome<MeetingInfo> {
  if (!NEXT[meeting.status].includes(to)) {
    return refuse('INVALID_STATE', `the meeting cannot go from ${meeting.status} to ${to}`);
  }
  switch (to) {
    case 'scheduled':
      return refuse('INVALID_STATE', 'a meeting never goes back to scheduled');
    case 'techCheck':
      return succeed({ ...meeting, status: to, techCheckAt: now });
    case 'live':
      return succeed({ ...meeting, status: to, liveAt: now });
    case 'ended':
      return succeed({ ...meeting, status: to, endedAt: now });
    default: {
      const never: never = to;
      return never;
    }
  }
}

/** Refuses with INVALID_STATE unless the meeting is in one of `allowed`; `what` names the attempt. */
export function requireStatus(
  meeting: MeetingInfo,
  allowed: readonly MeetingStatus[],
  what: string,
): Outcome<void> {
  if (allowed.includes(meeting.status)) return succeed(undefined);
  return refuse('INVALID_STATE', `cannot ${what} while the meeting is ${meeting.status}`);
}

/** True once the meeting has ended: its record is then history (the workspace's minutes may still change). */
export const isEnded = (meeting: MeetingInfo): boolean => meeting.status === 'ended';

/** Applies an organizer's edit; an ended meeting is history and refuses with INVALID_STATE. */
export function editMeeting(meeting: MeetingInfo, edit: MeetingEdit): Outcome<MeetingInfo> {
  if (isEnded(meeting)) return refuse('INVALID_STATE', 'an ended meeting cannot be edited');
  const next: MeetingInfo = { ...meeting };
  if (edit.title !== undefined) next.title = edit.title;
  if (edit.scheduledAt !== undefined) next.scheduledAt = edit.scheduledAt;
  if (edit.chairName !== undefined) next.chairName = edit.chairName;
  // Changing the default limit affects later grants only; a running turn keeps its expiry.
  if (edit.floorSeconds !== undefined) next.floorSeconds = edit.floorSeconds;
  // Lowering the cap below the current count refuses new joins only; nobody is cut off.
  if (edit.maxConnections !== undefined) next.maxConnections = edit.maxConnections;
  // The meeting's media is set up in its codec at the first join (tech check at the latest).
  if (edit.videoCodec !== undefined && edit.videoCodec !== (meeting.videoCodec ?? 'vp8')) {
    if (meeting.status !== 'scheduled')
      return refuse('INVALID_STATE', 'the video codec can change only before the technical check');
    if (edit.videoCodec === 'h264') next.videoCodec = 'h264';
    else delete next.videoCodec;
  }
  return succeed(next);
}
