import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { formatTime } from '../../state/format';
import { useMeeting } from '../../state/hooks';
import { moveItem, siteById } from '../../state/selectors';

/** Time limits offered when granting the floor ('' = the meeting default, 0 = no limit). */
const LIMITS = ['', '60', '120', '180', '300', '600', '0'] as const;

/**
 * The speaking queue (đăng ký phát biểu): requests in grant order with their topics; move them
 * up or down, grant one (its microphone opens and it takes the main stage), or clear the stage pin.
 */
export function QueuePanel() {
  const { t, locale } = useI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const [limit, setLimit] = useState<(typeof LIMITS)[number]>('');
  const requests = snapshot?.queue.requests ?? [];
  const ids = requests.map((r) => r.id);
  const seconds = limit === '' ? undefined : Number(limit);
  const pinned = siteById(snapshot, snapshot?.stage.pinnedSiteId ?? null);

  const move = (index: number, delta: -1 | 1) => {
    const next = moveItem(ids, index, delta);
    if (next !== ids) void moderator.reorderQueue(next);
  };

  return (
    <section className="queue" aria-label={t('queue.title')} data-testid="queue-panel">
      <div className="queue__head">
        <h2 className="panel-title">{t('queue.count', { count: requests.length })}</h2>
        <label className="inline-field">
          <span>{t('queue.limit')}</span>
          <select value={limit} onChange={(e) => setLimit(e.target.value as (typeof LIMITS)[number])}>
            {LIMITS.map((l) => (
              <option key={l} value={l}>
                {l === ''
                  ? t('queue.limitDefault')
                  : l === '0'
                    ? t('floor.noLimit')
                    : t('queue.minutes', { n: Number(l) / 60 })}
              </option>
            ))}
          </select>
        </label>
      </div>
      {pinned ? (
        <div className="queue__pin">
          <span>{t('queue.pinnedNow', { site: pinned.name })}</span>
          <button type="button" className="btn btn--small" onClick={() => void moderator.pinStage(null)}>
            {t('tile.unpin')}
          </button>
        </div>
      ) : null}
      {requests.length === 0 ? <p className="empty">{t('queue.empty')}</p> : null}
      <ol className="queue__list">
        {requests.map((r, index) => {
          const site = siteById(snapshot, r.siteId);
          const name = site?.name ?? r.siteId;
          return (
            <li key={r.id} className="queue__item" data-testid="queue-item" data-site-id={r.siteId}>
              <span className="queue__pos" aria-hidden="true">
                {index + 1}
              </span>
              <div className="queue__text">
                <strong>{name}</strong>
                <span className="queue__topic">{r.topic || t('queue.noTopic')}</span>
                <span className="queue__time">
                  {t('queue.at', { time: formatTime(r.requestedAt, locale) })}
                </span>
              </div>
              <div className="queue__actions">
                <button
                  type="button"
                  className="btn btn--small btn--icon"
                  aria-label={t('queue.upAria', { site: name })}
                  disabled={index === 0}
                  onClick={() => move(index, -1)}
                >
                  ▲
                </button>
                <button
                  type="button"
                  className="btn btn--small btn--icon"
                  aria-label={t('queue.downAria', { site: name })}
                  disabled={index === requests.length - 1}
                  onClick={() => move(index, 1)}
                >
                  ▼
                </button>
                <button
                  type="button"
                  className="btn btn--small btn--primary"
                  aria-label={t('queue.grantAria', { site: name })}
                  onClick={() => void moderator.grantRequest(r.id, seconds)}
                >
                  {t('queue.grant')}
                </button>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
