import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { useMeeting } from '../../state/hooks';
import { siteById } from '../../state/selectors';

/**
 * A waiting floor request, drawn where the operator looks (beside the program) while the queue
 * tab is not open: who asks, on what, and the two actions — grant now or open the queue. It is a
 * polite live region: announced, never taking the focus from what the operator is doing.
 */
export function RequestAlert({ onShowQueue, queueOpen }: { onShowQueue: () => void; queueOpen: boolean }) {
  const { t } = useI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const requests = snapshot?.queue.requests ?? [];
  const first = requests[0];
  const site = siteById(snapshot, first?.siteId ?? null);
  const name = site?.name ?? first?.siteId ?? '';
  return (
    <section className="request-alert-region" aria-live="polite" aria-label={t('queue.alertRegion')}>
      {first && !queueOpen ? (
        // Keyed by the request: a new first request re-runs the entrance animation.
        <div key={first.id} className="request-alert" data-testid="request-alert" data-site-id={first.siteId}>
          <p className="request-alert__who">{t('console.requestAlert', { site: name })}</p>
          <p className="request-alert__topic">{first.topic || t('queue.noTopic')}</p>
          {requests.length > 1 ? (
            <p className="request-alert__more">{t('console.requestAlertMore', { n: requests.length - 1 })}</p>
          ) : null}
          <div className="request-alert__actions">
            <button
              type="button"
              className="btn btn--small btn--primary"
              aria-label={t('queue.grantAria', { site: name })}
              onClick={() => void moderator.grantRequest(first.id)}
            >
              {t('queue.grant')}
            </button>
            <button type="button" className="btn btn--small" onClick={onShowQueue}>
              {t('console.requestShow')}
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
