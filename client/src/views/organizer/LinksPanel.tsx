import { type JoinLink, JoinRole, type SiteState } from '@giaoban/shared';
import { type FormEvent, useState } from 'react';
import { ConfirmButton } from '../../components/ConfirmButton';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { api } from '../../services/api';
import { formatDateTime } from '../../state/format';
import { absoluteUrl, LinkShare } from './LinkShare';
import { apiErrorKey, useAsync } from './useAsync';

/** Tokens are only returned when a link is issued: keep this page's ones in memory (never stored). */
const issuedUrls = new Map<string, string>();

const linkState = (l: JoinLink, now: number) =>
  l.revokedAt ? 'revoked' : l.expiresAt <= now ? 'expired' : 'active';

/** Issues join links (one per site and per role), shows them with copy + QR, and revokes them. */
export function LinksPanel({ meetingId, sites }: { meetingId: string; sites: SiteState[] }) {
  const { t, locale } = useI18n();
  const links = useAsync(() => api.links(meetingId), `links:${meetingId}`);
  const [role, setRole] = useState<JoinRole>('site');
  const [siteId, setSiteId] = useState<string>(sites.find((s) => !s.isHost)?.id ?? sites[0]?.id ?? '');
  const [displayName, setDisplayName] = useState('');
  const [validHours, setValidHours] = useState('72');
  const [shown, setShown] = useState<{ id: string; label: string } | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  const hostId = sites.find((s) => s.isHost)?.id ?? null;
  const siteName = (id: string | null) => sites.find((s) => s.id === id)?.name ?? '';
  const now = Date.now();

  const issue = async (body: Parameters<typeof api.issueLink>[1]) => {
    const issued = await api.issueLink(meetingId, body);
    issuedUrls.set(issued.link.id, absoluteUrl(issued.url));
    return issued;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const issued = await issue({
        role,
        ...(role === 'site' || role === 'relay' ? { siteId: siteId as never } : {}),
        ...((role === 'chair' || role === 'operator') && hostId ? { siteId: hostId as never } : {}),
        ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
        validHours: Number(validHours) || 72,
      });
      setShown({ id: issued.link.id, label: issued.link.displayName || t(`role.${role}`) });
      links.reload();
    } catch (err) {
      setError(apiErrorKey(err) as MessageKey);
    } finally {
      setBusy(false);
    }
  };

  /** One site link for every invited site that has no active one yet. */
  const issueAllSites = async () => {
    setBusy(true);
    setError(null);
    const active = new Set(
      (links.data ?? [])
        .filter((l) => l.role === 'site' && linkState(l, Date.now()) === 'active')
        .map((l) => l.siteId),
    );
    try {
      for (const site of sites.filter((s) => !s.isHost && !active.has(s.id))) {
        await issue({ role: 'site', siteId: site.id, validHours: Number(validHours) || 72 });
      }
    } catch (err) {
      setError(apiErrorKey(err) as MessageKey);
    } finally {
      setBusy(false);
      links.reload();
    }
  };

  const shownUrl = shown ? issuedUrls.get(shown.id) : undefined;
  // A relay link (for a linked province meeting's hub) stands for an invited site too.
  const needsSite = role === 'site' || role === 'relay';

  return (
    <section className="links" aria-label={t('org.links.title')} data-testid="links-panel">
      <form
        className="org-form org-form--inline"
        onSubmit={(e) => void submit(e)}
        aria-label={t('org.links.issue')}
      >
        <div className="field">
          <label htmlFor="l-role">{t('org.links.role')}</label>
          <select id="l-role" value={role} onChange={(e) => setRole(e.target.value as JoinRole)}>
            {JoinRole.options.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        {needsSite ? (
          <div className="field">
            <label htmlFor="l-site">{t('org.links.site')}</label>
            <select id="l-site" value={siteId} onChange={(e) => setSiteId(e.target.value)}>
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="l-name">{t('org.links.displayName')}</label>
          <input
            id="l-name"
            value={displayName}
            maxLength={200}
            onChange={(e) => setDisplayName(e.target.value)}
          />
        </div>
        <div className="field field--narrow">
          <label htmlFor="l-hours">{t('org.links.validHours')}</label>
          <input
            id="l-hours"
            type="number"
            min={1}
            max={2160}
            value={validHours}
            onChange={(e) => setValidHours(e.target.value)}
          />
        </div>
        <div className="org-form__actions">
          <button type="submit" className="btn btn--primary" disabled={busy || (needsSite && !siteId)}>
            {t('org.links.issue')}
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void issueAllSites()}>
            {t('org.links.issueAllSites')}
          </button>
        </div>
      </form>
      {error ? (
        <p className="form-error" role="alert">
          {t(error)}
        </p>
      ) : null}
      {shown && shownUrl ? <LinkShare url={shownUrl} label={shown.label} /> : null}
      <table className="table table--org">
        <thead>
          <tr>
            <th scope="col">{t('org.links.role')}</th>
            <th scope="col">{t('org.links.site')}</th>
            <th scope="col">{t('org.links.displayName')}</th>
            <th scope="col">{t('org.links.expires')}</th>
            <th scope="col">{t('org.links.state')}</th>
            <th scope="col">
              <span className="sr-only">{t('rollcall.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(links.data ?? []).map((l) => {
            const state = linkState(l, now);
            const label = l.displayName || siteName(l.siteId) || t(`role.${l.role}`);
            return (
              <tr key={l.id} data-testid="link-row">
                <td>{t(`role.${l.role}`)}</td>
                <td>{siteName(l.siteId) || '—'}</td>
                <td>{l.displayName || '—'}</td>
                <td>{formatDateTime(l.expiresAt, locale)}</td>
                <td>
                  <span className={`pill pill--link-${state}`}>{t(`org.links.state.${state}`)}</span>
                </td>
                <td className="row-actions">
                  {issuedUrls.has(l.id) && state === 'active' ? (
                    <button
                      type="button"
                      className="btn btn--small"
                      aria-label={t('org.links.showAria', { label })}
                      onClick={() => setShown({ id: l.id, label })}
                    >
                      {t('org.links.show')}
                    </button>
                  ) : null}
                  {state === 'active' ? (
                    <ConfirmButton
                      className="btn btn--small btn--danger"
                      label={t('org.links.revoke')}
                      onConfirm={() =>
                        void api
                          .revokeLink(meetingId, l.id)
                          .then(links.reload)
                          .catch((err: unknown) => setError(apiErrorKey(err) as MessageKey))
                      }
                    />
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {links.data && links.data.length === 0 ? <p className="empty">{t('org.links.none')}</p> : null}
    </section>
  );
}
