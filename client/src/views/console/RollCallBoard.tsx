import type { SiteConnection } from '@giaoban/shared';
import { useMemo, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { formatNumber, formatTime, totalsText } from '../../state/format';
import { useMeeting } from '../../state/hooks';
import { delegatesOf, linkedSiteText, linkedTotalsText } from '../linked/parentView';

type Filter = 'all' | 'present' | 'absent' | 'poor';

const matches = (filter: Filter, c: SiteConnection): boolean =>
  filter === 'all' ||
  (filter === 'absent' && c === 'absent') ||
  (filter === 'present' && c !== 'absent') ||
  (filter === 'poor' && c === 'poor');

/** National totals for the header. */
export function AttendanceTotalsBadge() {
  const { t, locale } = useI18n();
  const totals = useMeeting((s) => s.snapshot?.totals ?? null);
  if (!totals) return null;
  return (
    <span
      className="totals"
      data-testid="attendance-totals"
      title={t('rollcall.mediaSites', { count: totals.mediaSites })}
    >
      {totalsText(totals, t, locale)}
    </span>
  );
}

/**
 * The roll-call board (điểm danh): every invited site with its connection (not joined /
 * connected / media flowing / poor network), declared delegates and join time.
 */
export function RollCallBoard() {
  const { t, locale } = useI18n();
  const sites = useMeeting((s) => s.snapshot?.sites ?? null);
  const totals = useMeeting((s) => s.snapshot?.totals ?? null);
  const [filter, setFilter] = useState<Filter>('all');
  const shown = useMemo(() => (sites ?? []).filter((s) => matches(filter, s.connection)), [sites, filter]);
  if (!sites || !totals) return null;

  return (
    <section className="rollcall" aria-label={t('rollcall.title')} data-testid="rollcall">
      <p className="rollcall__totals">
        {totalsText(totals, t, locale)}
        {totals.linked ? (
          <span data-testid="rollcall-linked-totals"> · {linkedTotalsText(totals, t)}</span>
        ) : null}
      </p>
      <p className="rollcall__sub">
        {t('rollcall.breakdown', {
          media: formatNumber(totals.mediaSites, locale),
          absent: formatNumber(totals.invitedSites - totals.connectedSites, locale),
        })}
      </p>
      <fieldset className="segmented" aria-label={t('rollcall.filter')}>
        {(['all', 'present', 'absent', 'poor'] as const).map((f) => (
          <button key={f} type="button" aria-pressed={filter === f} onClick={() => setFilter(f)}>
            {t(`rollcall.filter.${f}`)}
          </button>
        ))}
      </fieldset>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('rollcall.site')}</th>
            <th scope="col">{t('rollcall.status')}</th>
            <th scope="col" className="num">
              {t('rollcall.delegates')}
            </th>
            <th scope="col">{t('rollcall.joinedAt')}</th>
            <th scope="col">
              <span className="sr-only">{t('rollcall.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((site) => (
            <tr
              key={site.id}
              data-testid="rollcall-row"
              data-site-id={site.id}
              data-connection={site.connection}
            >
              <th scope="row">
                {site.name}
                {site.isHost ? <span className="tag tag--host">{t('rollcall.host')}</span> : null}
                {site.linked ? (
                  <span className="rollcall__linked" data-testid="rollcall-linked">
                    {linkedSiteText(site, t)}
                  </span>
                ) : null}
              </th>
              <td>
                <span className={`dot dot--${site.connection}`} aria-hidden="true" />{' '}
                {t(`connection.${site.connection}`)}
              </td>
              <td className="num" data-testid="rollcall-delegates">
                {formatNumber(delegatesOf(site), locale)}
              </td>
              <td>{site.firstJoinedAt ? formatTime(site.firstJoinedAt, locale) : '—'}</td>
              <td>
                {!site.isHost ? (
                  <button
                    type="button"
                    className="btn btn--small"
                    aria-pressed={site.micOpenedByModerator}
                    aria-label={t(site.micOpenedByModerator ? 'tile.micCloseAria' : 'tile.micOpenAria', {
                      site: site.name,
                    })}
                    disabled={site.connection === 'absent'}
                    onClick={() => void moderator.setSiteMic(site.id, !site.micOpenedByModerator)}
                  >
                    {t(site.micOpenedByModerator ? 'tile.micClose' : 'tile.micOpen')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 ? <p className="empty">{t('rollcall.none')}</p> : null}
    </section>
  );
}
