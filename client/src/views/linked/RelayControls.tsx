import { type FormEvent, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { linkedMeeting } from '../../services/actions';
import { useMeeting } from '../../state/hooks';
import { siteById } from '../../state/selectors';

/**
 * The child chair's controls of the national link: leave relay mode for a local segment and come
 * back (one action each), and ask the national floor for the province — with its own topic or a
 * commune's request carried up. Shown only to the chair of a linked meeting.
 */
export function RelayControls() {
  const { t } = useI18n();
  const parent = useMeeting((s) => s.snapshot?.parent ?? null);
  const role = useMeeting((s) => s.self?.role ?? null);
  const snapshot = useMeeting((s) => s.snapshot);
  const [from, setFrom] = useState('');
  const [topic, setTopic] = useState('');
  const [busy, setBusy] = useState(false);
  if (!parent || role !== 'chair') return null;
  const requests = snapshot?.queue.requests ?? [];
  const connected = parent.link === 'connected';

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const done = await linkedMeeting.askParentFloor(from ? { requestId: from } : { topic: topic.trim() });
    setBusy(false);
    if (done) setTopic('');
  };

  return (
    <section className="panel relay-controls" aria-label={t('parent.region')} data-testid="relay-controls">
      <button
        type="button"
        className={parent.localSegment ? 'btn btn--primary' : 'btn'}
        aria-pressed={parent.localSegment}
        title={t('relay.local.hint')}
        onClick={() => void linkedMeeting.setLocalSegment(!parent.localSegment)}
      >
        {t(parent.localSegment ? 'relay.local.leave' : 'relay.local.enter')}
      </button>
      {parent.province.requestTopic === null && !parent.province.onStage ? (
        <form className="relay-controls__ask" onSubmit={(e) => void ask(e)}>
          <fieldset>
            <legend>{t('relay.ask.legend')}</legend>
            <label htmlFor="relay-ask-from">{t('relay.ask.from')}</label>
            <select id="relay-ask-from" value={from} onChange={(e) => setFrom(e.target.value)}>
              <option value="">{t('relay.ask.own')}</option>
              {requests.map((r) => (
                <option key={r.id} value={r.id}>
                  {t('relay.ask.request', {
                    site: siteById(snapshot, r.siteId)?.name ?? r.siteId,
                    topic: r.topic,
                  })}
                </option>
              ))}
            </select>
            {from === '' ? (
              <>
                <label htmlFor="relay-ask-topic">{t('relay.ask.topic')}</label>
                <input
                  id="relay-ask-topic"
                  value={topic}
                  maxLength={300}
                  onChange={(e) => setTopic(e.target.value)}
                />
              </>
            ) : null}
            <button type="submit" className="btn" disabled={busy || !connected}>
              {t('relay.ask.submit')}
            </button>
          </fieldset>
        </form>
      ) : null}
    </section>
  );
}
