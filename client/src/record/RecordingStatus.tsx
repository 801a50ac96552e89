import { localeStore } from '../i18n/i18n';
import { formatTime } from '../state/format';
import { useMeeting } from '../state/hooks';
import { useStore } from '../state/store';
import { useRecordI18n } from './i18n';
import { recordingView } from './recordingView';
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
  const status = useMeeting((s) => s.snapshot?.meeting.status ?? null);
  const recording = useMeeting((s) => s.snapshot?.moderation.recording ?? null);
  const view = recordingView(role, status, recording);
  return (
    <div className="recording-status" data-testid="recording-status">
      {view.badge && recording ? (
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
      {view.failed && recording?.failure ? (
        <span className="recording-badge recording-badge--failed" role="alert" data-testid="recording-failed">
          {t('recording.failed')}
          {view.failureDetail ? (
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
      {view.start ? (
        <button type="button" className="btn btn--small" onClick={() => void recordActions.startRecording()}>
          {view.start === 'restart' ? t('recording.restart') : t('recording.start')}
        </button>
      ) : null}
      {view.stop ? (
        <button type="button" className="btn btn--small" onClick={() => void recordActions.stopRecording()}>
          {t('recording.stop')}
        </button>
      ) : null}
      {view.dismiss ? (
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
