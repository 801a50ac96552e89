import type { ParentLinkInfo } from '@giaoban/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { ConfirmButton } from '../../components/ConfirmButton';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { api } from '../../services/api';
import { parseRelayLink } from './parentLink';
import { apiErrorKey, useAsync } from './useAsync';

/** How often the link's state is read again while it is not relaying (it comes back by itself). */
const REFRESH_MS = 3000;

/**
 * "Liên kết cầu cấp trên": links this meeting to a parent meeting with the relay link the parent's
 * organizers issued (its URL, or the parent hub's address and the token), shows the link's state
 * and the bridge point it stands for there, and unlinks.
 */
export function ParentLinkForm({ meetingId, ended }: { meetingId: string; ended: boolean }) {
  const { t } = useI18n();
  const linked = useAsync(() => api.parent(meetingId), `parent:${meetingId}`);
  const [address, setAddress] = useState('');
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  const parent: ParentLinkInfo | null = linked.data?.parent ?? null;
  const input = parseRelayLink(pasted, address);

  // While the link is coming up or coming back, keep its state current.
  const { reload } = linked;
  const settled = parent === null || parent.state === 'relaying' || parent.state === 'revoked';
  useEffect(() => {
    if (settled) return;
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [settled, reload]);

  const link = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!input.url || input.token.length < 10) {
      setError('org.parent.invalid');
      return;
    }
    setBusy(true);
    try {
      const answer = await api.linkParent(meetingId, { url: input.url, token: input.token });
      linked.set({ parent: answer });
      setPasted('');
    } catch (err) {
      setError(apiErrorKey(err) as MessageKey);
    } finally {
      setBusy(false);
    }
  };

  const unlink = async () => {
    setError(null);
    try {
      await api.unlinkParent(meetingId);
      linked.set({ parent: null });
    } catch (err) {
      setError(apiErrorKey(err) as MessageKey);
    }
  };

  return (
    <section className="parent-link" aria-labelledby="parent-link-title" data-testid="parent-link-form">
      <h2 id="parent-link-title">{t('org.parent.title')}</h2>
      {parent ? (
        <div className="parent-link__state" role="status" data-state={parent.state}>
          <p>{t('org.parent.linkedTo', { url: parent.url })}</p>
          <p>
            <span
              className={`dot dot--${parent.state === 'relaying' ? 'media' : 'absent'}`}
              aria-hidden="true"
            />{' '}
            {t(`org.parent.state.${parent.state}`)}
          </p>
          {parent.site ? <p>{`${t('org.parent.site')}: ${parent.site}`}</p> : null}
          <ConfirmButton
            className="btn btn--danger"
            label={t('org.parent.unlink')}
            onConfirm={() => void unlink()}
          />
        </div>
      ) : (
        <p>{linked.loading ? t('common.loading') : t('org.parent.none')}</p>
      )}
      {!ended ? (
        <form className="org-form" onSubmit={(e) => void link(e)} aria-label={t('org.parent.title')}>
          <p className="org-form__intro">{t('org.parent.intro')}</p>
          <div className="field">
            <label htmlFor="p-token">{t('org.parent.token')}</label>
            <input
              id="p-token"
              value={pasted}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setPasted(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="p-url">{t('org.parent.url')}</label>
            <input
              id="p-url"
              type="url"
              value={address || (input.url ?? '')}
              placeholder="https://"
              onChange={(e) => setAddress(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="p-site">{t('org.parent.site')}</label>
            <output id="p-site" data-testid="parent-link-site">
              {input.siteName ?? '—'}
            </output>
          </div>
          <div className="org-form__actions">
            <button type="submit" className="btn btn--primary" disabled={busy || pasted.trim() === ''}>
              {t('org.parent.link')}
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {t(error)}
        </p>
      ) : null}
    </section>
  );
}
