import type { SiteStatisticsResponse, SiteStatisticsRow } from '@giaoban/shared';
import { useState } from 'react';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { call, downloadFile } from '../../services/api';
import { attendanceSeries, duration, layOutBars, speakingSeries, vnDay } from './statisticsView';
import { apiErrorKey, useAsync } from './useAsync';

const query = (from: string, to: string) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

/** Downloads the CSV with the organizer's session and saves it under the hub's file name. */
async function downloadCsv(from: string, to: string): Promise<void> {
  const { blob, filename } = await downloadFile(
    `/api/statistics/sites.csv?${query(from, to)}`,
    `thong-ke-diem-cau_${from}_${to}.csv`,
  );
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const W = 120;
const H = 28;

/** A small inline bar plot, one bar per meeting; its name says what it shows, each bar has a title. */
function BarPlot({
  values,
  labels,
  name,
  tone,
}: {
  values: number[];
  labels: string[];
  name: string;
  tone: 'ok' | 'info';
}) {
  const bars = layOutBars(values, W, H);
  return (
    <svg
      className={`org-stats__plot org-stats__plot--${tone}`}
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={name}
    >
      <title>{name}</title>
      {bars.map((b, i) => (
        <rect key={labels[i] ?? i} x={b.x} y={b.y} width={b.width} height={b.height}>
          <title>{labels[i]}</title>
        </rect>
      ))}
    </svg>
  );
}

/**
 * Statistics across meetings (thống kê): per site over a date range, attendance rate, lateness,
 * speaking turns and time, and poor-link share, with small plots per meeting and a CSV download.
 */
export function StatisticsPage() {
  const { t, locale } = useI18n();
  const [from, setFrom] = useState(() => vnDay(Date.now(), -90));
  const [to, setTo] = useState(() => vnDay(Date.now()));
  const [csvError, setCsvError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stats = useAsync(
    () => call<SiteStatisticsResponse>('GET', `/api/statistics/sites?${query(from, to)}`),
    `stats:${from}:${to}`,
  );
  const pct = new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    style: 'percent',
    maximumFractionDigits: 1,
  });
  const num = new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  const dateFmt = new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  const units = { h: t('org.stats.unitHours'), min: t('org.stats.unitMinutes') };
  const rows = stats.data?.sites ?? [];
  const meetingLabel = (r: SiteStatisticsRow, i: number) => {
    const p = r.timeline[i];
    return p ? `${dateFmt.format(p.scheduledAt)} ${p.title}` : '';
  };

  const csv = async () => {
    setBusy(true);
    setCsvError(null);
    try {
      await downloadCsv(from, to);
    } catch (e) {
      setCsvError(t(apiErrorKey(e) as MessageKey));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="org-page" aria-labelledby="stats-title">
      <div className="org-page__head">
        <h1 id="stats-title">{t('org.stats.title')}</h1>
      </div>
      <div className="org-calendar__tools">
        <label htmlFor="stats-from">{t('org.stats.from')}</label>
        <input
          id="stats-from"
          type="date"
          value={from}
          max={to}
          onChange={(e) => e.target.value && setFrom(e.target.value)}
        />
        <label htmlFor="stats-to">{t('org.stats.to')}</label>
        <input
          id="stats-to"
          type="date"
          value={to}
          min={from}
          onChange={(e) => e.target.value && setTo(e.target.value)}
        />
        <button
          type="button"
          className="btn btn--small"
          disabled={busy}
          aria-busy={busy}
          onClick={() => void csv()}
        >
          {t('org.stats.csv')}
        </button>
      </div>
      {stats.error ? (
        <p className="form-error" role="alert">
          {t(apiErrorKey(stats.error) as MessageKey)}
        </p>
      ) : null}
      {csvError ? (
        <p className="form-error" role="alert">
          {csvError}
        </p>
      ) : null}
      {stats.data ? (
        <p data-testid="stats-summary">{t('org.stats.meetings', { n: stats.data.meetings.length })}</p>
      ) : null}
      {stats.data && rows.length === 0 ? <p className="empty">{t('org.stats.none')}</p> : null}
      {rows.length > 0 ? (
        <div className="org-stats__scroll">
          <table className="table table--org" data-testid="stats-table">
            <caption className="sr-only">{t('org.stats.caption', { from, to })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('org.stats.site')}</th>
                <th scope="col">{t('org.stats.attended')}</th>
                <th scope="col">{t('org.stats.rate')}</th>
                <th scope="col">{t('org.stats.late')}</th>
                <th scope="col">{t('org.stats.turns')}</th>
                <th scope="col">{t('org.stats.speaking')}</th>
                <th scope="col">{t('org.stats.poor')}</th>
                <th scope="col">{t('org.stats.attendancePlot')}</th>
                <th scope="col">{t('org.stats.speakingPlot')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const attendance = attendanceSeries(r.timeline);
                const speaking = speakingSeries(r.timeline);
                return (
                  <tr key={r.siteId} data-testid={`stats-${r.siteId}`}>
                    <th scope="row">{r.name}</th>
                    <td>{t('org.stats.ofInvited', { attended: r.attended, invited: r.invited })}</td>
                    <td>{pct.format(r.attendanceRate)}</td>
                    <td>
                      {r.lateCount === 0
                        ? '0'
                        : t('org.stats.lateDetail', {
                            n: r.lateCount,
                            minutes: num.format(r.averageLateMinutes ?? 0),
                          })}
                    </td>
                    <td>{r.turns}</td>
                    <td>{duration(r.speakingSeconds, units)}</td>
                    <td>
                      {pct.format(r.poorShare)}
                      {r.poorEpisodes > 0 ? ` (${t('org.stats.episodes', { n: r.poorEpisodes })})` : ''}
                    </td>
                    <td>
                      <BarPlot
                        tone="ok"
                        name={t('org.stats.attendancePlotOf', { site: r.name })}
                        values={attendance}
                        labels={attendance.map(
                          (v, i) =>
                            `${meetingLabel(r, i)}: ${r.timeline[i]?.attended ? `${v} ${units.min}` : t('org.stats.absent')}`,
                        )}
                      />
                    </td>
                    <td>
                      <BarPlot
                        tone="info"
                        name={t('org.stats.speakingPlotOf', { site: r.name })}
                        values={speaking}
                        labels={speaking.map(
                          (v, i) => `${meetingLabel(r, i)}: ${num.format(v)} ${units.min}`,
                        )}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
