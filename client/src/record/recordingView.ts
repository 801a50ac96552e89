import { isRecording, type MeetingStatus, type RecordingState, type Role } from '@giaoban/shared';

/** What the recording corner of the header shows for one role (pure: unit-tested). */
export interface RecordingView {
  /** "● Đang ghi hình": everyone sees it while a recording runs. */
  badge: boolean;
  /** The recorder stopped on its own: everyone sees the alert. */
  failed: boolean;
  /** Why it failed (moderators only). */
  failureDetail: boolean;
  /** The start button: 'start', 'restart' after a failure, or none. */
  start: 'start' | 'restart' | null;
  stop: boolean;
  /** Dismisses a failed recording's alert. */
  dismiss: boolean;
}

/** Derives the view from the role, the meeting's status and its recording state. */
export function recordingView(
  role: Role | null,
  status: MeetingStatus | null,
  recording: RecordingState | null,
): RecordingView {
  const moderator = role === 'chair' || role === 'operator';
  const active = isRecording(recording);
  const failed = recording?.failure != null;
  return {
    badge: active,
    failed,
    failureDetail: failed && moderator,
    start: moderator && status === 'live' && !active ? (failed ? 'restart' : 'start') : null,
    stop: moderator && active,
    dismiss: moderator && failed,
  };
}
