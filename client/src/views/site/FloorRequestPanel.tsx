import { type FormEvent, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { formatCountdown } from '../../state/format';
import { useMeeting, useNow } from '../../state/hooks';
import { activeFloor, floorRemainingMs, pendingRequestOf, queuePositionOf } from '../../state/selectors';
import { localSiteActions, type SiteActions } from './siteActions';

/** "Bạn đang được phát biểu — 2:41 còn lại", with a way to finish early. */
function YourTurn({ actions }: { actions: SiteActions }) {
  const { t } = useI18n();
  const floor = useMeeting((s) => activeFloor(s.snapshot));
  const skew = useMeeting((s) => s.clockSkewMs);
  const now = useNow(250);
  if (!floor) return null;
  const remaining = floorRemainingMs(floor, now, skew);
  return (
    <div className="your-turn" role="status" data-testid="your-turn">
      <p className="your-turn__text">
        {remaining === null
          ? t('site.floor.yoursOpen')
          : t('site.floor.yours', { time: formatCountdown(remaining) })}
      </p>
      {floor.topic ? <p className="your-turn__topic">{floor.topic}</p> : null}
      <button type="button" className="btn" onClick={() => void actions.yieldFloor()}>
        {t('site.floor.yield')}
      </button>
    </div>
  );
}

/** Request the floor with a topic, see the place in the queue, withdraw; or the running turn. */
export function FloorRequestPanel({
  actions = localSiteActions,
  autoFocus = false,
}: {
  actions?: SiteActions;
  /** Put the cursor in the topic field (a dialog opened by a shortcut). */
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  const siteId = useMeeting((s) => s.self?.siteId ?? null);
  const snapshot = useMeeting((s) => s.snapshot);
  const [topic, setTopic] = useState('');
  const [busy, setBusy] = useState(false);
  const floor = activeFloor(snapshot);
  const request = pendingRequestOf(snapshot, siteId);
  const position = queuePositionOf(snapshot, siteId);
  const open = snapshot?.meeting.status === 'live' || snapshot?.meeting.status === 'techCheck';

  if (floor && floor.siteId === siteId) {
    return (
      <section className="panel floor-request" aria-label={t('site.floor.title')}>
        <YourTurn actions={actions} />
      </section>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const result = await actions.requestFloor(topic.trim());
    setBusy(false);
    if (result) setTopic('');
  };

  return (
    <section className="panel floor-request" aria-label={t('site.floor.title')} data-testid="floor-request">
      <h2 className="panel-title">{t('site.floor.title')}</h2>
      {request ? (
        <div className="floor-request__pending" role="status" data-testid="floor-pending">
          <p>{t('site.floor.pending', { position: position ?? '—' })}</p>
          {request.topic ? <p className="floor-request__topic">{request.topic}</p> : null}
          <button type="button" className="btn" onClick={() => void actions.withdrawRequest(request.id)}>
            {t('site.floor.withdraw')}
          </button>
        </div>
      ) : (
        <form className="floor-request__form" onSubmit={(e) => void submit(e)}>
          <label htmlFor="floor-topic">{t('site.floor.topic')}</label>
          <input
            id="floor-topic"
            value={topic}
            maxLength={300}
            // biome-ignore lint/a11y/noAutofocus: opened on purpose by the technician's shortcut
            autoFocus={autoFocus}
            placeholder={t('site.floor.topicPlaceholder')}
            onChange={(e) => setTopic(e.target.value)}
          />
          <button type="submit" className="btn btn--primary" disabled={busy || !open}>
            {t('site.floor.request')}
          </button>
        </form>
      )}
    </section>
  );
}
