import { useI18n } from '../i18n/i18n';
import { devices } from '../services/actions';
import { useMeeting } from '../state/hooks';
import { dismissNotice } from '../state/meetingState';
import { unlockAudio } from './AudioOutput';

/**
 * "Connection lost — reconnecting…" over the view while socket.io retries, or "Reconnecting
 * media…" while the hub moves the meeting's media to another instance (no frozen picture).
 */
export function ReconnectingBanner() {
  const { t } = useI18n();
  const phase = useMeeting((s) => s.phase);
  const attempts = useMeeting((s) => s.attempts);
  const mediaMoving = useMeeting((s) => s.mediaMoving);
  if (phase !== 'reconnecting') return null;
  if (mediaMoving) {
    return (
      <div className="banner banner--warn" role="alert" data-testid="media-moving-banner">
        <span className="spinner" aria-hidden="true" />
        <strong>{t('conn.mediaMoving')}</strong> <span>{t('conn.mediaMovingBody')}</span>
      </div>
    );
  }
  return (
    <div className="banner banner--warn" role="alert" data-testid="reconnecting-banner">
      <span className="spinner" aria-hidden="true" />
      <strong>{t('conn.lost')}</strong>{' '}
      <span>{t('conn.reconnecting', { attempt: Math.max(1, attempts) })}</span>
    </div>
  );
}

/** Short messages after actions; errors stay until dismissed or timed out. */
export function NoticeList() {
  const { t } = useI18n();
  const notices = useMeeting((s) => s.notices);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice--${n.tone}`} role={n.tone === 'error' ? 'alert' : 'status'}>
          <span>{t(n.key, n.params)}</span>
          <button
            type="button"
            className="notice__close"
            aria-label={t('common.dismiss')}
            onClick={() => dismissNotice(n.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** The browser blocked sound until a click: offer the click. */
export function AudioUnlockBanner() {
  const { t } = useI18n();
  const blocked = useMeeting((s) => s.media.audioBlocked);
  if (!blocked) return null;
  return (
    <div className="banner banner--info" role="alert">
      <span>{t('media.audioBlocked')}</span>
      <button type="button" className="btn btn--primary" onClick={unlockAudio}>
        {t('media.enableSound')}
      </button>
    </div>
  );
}

/** Camera or microphone missing or refused: say so, explain, and offer a retry; the meeting goes on. */
export function DeviceProblemBanner() {
  const { t } = useI18n();
  const publishes = useMeeting((s) => s.media.publishes);
  const camera = useMeeting((s) => s.media.camera);
  const mic = useMeeting((s) => s.media.mic);
  const error = useMeeting((s) => s.media.error);
  if (!publishes && !error) return null;
  const problems: string[] = [];
  if (publishes && (camera === 'denied' || camera === 'missing' || camera === 'error')) {
    problems.push(t(`media.camera.${camera}`));
  }
  if (publishes && (mic === 'denied' || mic === 'missing' || mic === 'error'))
    problems.push(t(`media.mic.${mic}`));
  if (error) problems.push(t(error));
  if (problems.length === 0) return null;
  const denied = camera === 'denied' || mic === 'denied';
  return (
    <div className="banner banner--warn" role="alert" data-testid="device-problem">
      <div>
        {problems.map((p) => (
          <div key={p}>{p}</div>
        ))}
        <div className="banner__hint">{t(denied ? 'media.hint.denied' : 'media.hint.joinAnyway')}</div>
      </div>
      {publishes ? (
        <button type="button" className="btn" onClick={() => void devices.retry()}>
          {t('media.retryDevices')}
        </button>
      ) : null}
    </div>
  );
}
