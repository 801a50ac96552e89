import type { SiteId } from '@giaoban/shared';
import { useState } from 'react';
import { RequestError } from '../services/request';
import { session } from '../services/session';
import { useMeeting } from '../state/hooks';
import { useRecordI18n } from './i18n';

const NO_SITES: never[] = [];

/**
 * Moderators call a site's room system (a hardware SIP codec) from the console: the site, its SIP
 * address, call and hang up. The hub answers once the room system picks up, or says why it did not
 * (busy, declined, no answer); the call then shows in the roll call like a dial-in.
 */
export function RoomSystemCall() {
  const { t } = useRecordI18n();
  const role = useMeeting((s) => s.self?.role ?? null);
  const sites = useMeeting((s) => s.snapshot?.sites ?? NO_SITES);
  const [siteId, setSiteId] = useState<SiteId | ''>('');
  const [uri, setUri] = useState('');
  const [status, setStatus] = useState('');
  if (role !== 'chair' && role !== 'operator') return null;
  const remote = sites.filter((s) => !s.isHost);
  const name = (id: SiteId) => remote.find((s) => s.id === id)?.name ?? id;

  const dial = async () => {
    if (siteId === '') return;
    setStatus(t('roomCall.calling', { site: name(siteId) }));
    try {
      await session.request('sip:dialOut', { siteId, uri: uri.trim() });
      setStatus(t('roomCall.connected', { site: name(siteId) }));
    } catch (e) {
      // A long ring outlasts the request's wait: the call may still connect (the roll call shows it).
      if (e instanceof RequestError && e.code === 'TIMEOUT') return;
      setStatus(t('roomCall.failed', { site: name(siteId), why: (e as Error).message }));
    }
  };
  const hangUp = async () => {
    if (siteId === '') return;
    try {
      await session.request('sip:hangUp', { siteId });
      setStatus(t('roomCall.ended', { site: name(siteId) }));
    } catch (e) {
      setStatus(t('roomCall.failed', { site: name(siteId), why: (e as Error).message }));
    }
  };

  return (
    <section className="panel room-call-panel" aria-label={t('roomCall.title')} data-testid="room-call-panel">
      <h3>{t('roomCall.title')}</h3>
      <label>
        {t('roomCall.site')}
        <select value={siteId} onChange={(e) => setSiteId(e.target.value as SiteId | '')}>
          <option value="">—</option>
          {remote.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('roomCall.uri')}
        <input
          type="text"
          value={uri}
          placeholder="sip:phonghop@10.0.0.20:5060"
          maxLength={300}
          onChange={(e) => setUri(e.target.value)}
        />
      </label>
      <button
        type="button"
        className="btn"
        disabled={siteId === '' || uri.trim().length < 5}
        onClick={() => void dial()}
      >
        {t('roomCall.dial')}
      </button>
      <button type="button" className="btn" disabled={siteId === ''} onClick={() => void hangUp()}>
        {t('roomCall.hangUp')}
      </button>
      {status ? <p role="status">{status}</p> : null}
    </section>
  );
}
