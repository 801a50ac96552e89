import { isRecording } from '@giaoban/shared';
import { localeStore } from '../i18n/i18n';
import { formatTime } from '../state/format';
import { useMeeting } from '../state/hooks';
import { useStore } from '../state/store';
import { useRecordI18n } from './i18n';
import { recordActions } from './recordService';
import './recording.css';

/**
 * Whether the meeting is being recorded, on every page: the "● Đang ghi hình" badge for everyone,
 * an alert when the recorder stopped on its own, and for the chair and the operator the start
 * and stop buttons (the hub checks the role again).
 */
export function RecordingStatus() {
  const { t } = useRecordI18n();
  const locale = useStore(localeStore, (s) => s.locale);
  const role = useMeeting((s) => s.self?.role ?? null);
  const live = useMeeting((s) => s.snapshot?.meeting.status === 'live');
  const recording = useMeeting((s) => s.snapshot?.moderation.recording ?? null);
  const moderator = role === 'chair' || role === 'operator';
  const active = isRecording(recording);
  return (
    <div className="recording-status" data-testid="recording-status">
      {active && recording ? (
        <span
          className="recording-badge"
          role="status"
          data-testid="recording-badge"
          title={t('recording.badge.title', {
            time: formatTime(recording.startedAt, locale),
            by: recording.by,
          })}
        >
          {t('recording.badge')}
        </span>
      ) : null}
      {recording?.failure ? (
        <span className="recording-badge recording-badge--failed" role="alert" data-testid="recording-failed">
          {t('recording.failed')}
          {moderator ? (
            <span className="recording-badge__detail">
              {' '}
              {t('recording.failed.detail', {
                time: formatTime(recording.failure.at, locale),
                message: recording.failure.message,
              })}
            </span>
          ) : null}
        </span>
      ) : null}
      {moderator && live && !active ? (
        <button type="button" className="btn btn--small" onClick={() => void recordActions.startRecording()}>
          {recording?.failure ? t('recording.restart') : t('recording.start')}
        </button>
      ) : null}
      {moderator && active ? (
        <button type="button" className="btn btn--small" onClick={() => void recordActions.stopRecording()}>
          {t('recording.stop')}
        </button>
      ) : null}
      {moderator && recording?.failure ? (
        <button
          type="button"
          className="btn btn--small"
          aria-label={t('recording.dismiss')}
          onClick={() => void recordActions.stopRecording()}
        >
          ×
        </button>
      ) : null}
    </div>
  );
}
