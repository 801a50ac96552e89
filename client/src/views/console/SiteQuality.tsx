import type { SiteConnection } from '@giaoban/shared';
import { useEffect, useId } from 'react';
import { useI18n } from '../../i18n/i18n';
import { formatPercent } from '../../state/format';
import { useMeeting, useNow } from '../../state/hooks';
import { type MeetingState, meetingStore } from '../../state/meetingState';
import { findConsumer } from '../../state/reconcile';
import {
  HISTORY_MS,
  judgeSite,
  plotQuality,
  type QualityHistory,
  recordSample,
  type SiteQualityLevel,
  type SiteQualityReason,
} from '../../state/siteQuality';
import { createStore, useStore } from '../../state/store';

/** How often the console writes down each site's link (the stats themselves refresh every second). */
const SAMPLE_MS = 2000;
const PLOT_W = 300;
const PLOT_H = 72;
const MINUTES = HISTORY_MS / 60_000;

/** The last minutes of every site's link as this console saw them (serialisable, in memory only). */
export const siteQualityStore = createStore<{ history: QualityHistory }>({ history: {} });

/** What this console measures of a site now: the loss of its camera here (or of this device's own link). */
function measure(s: MeetingState, siteId: string): { lossPct: number; kbps: number } | null {
  if (s.media.publishes && s.self?.siteId === siteId) {
    return s.quality ? { lossPct: s.quality.lossPct, kbps: s.quality.sendKbps } : null;
  }
  const camera = findConsumer(s.consumers, siteId, 'camera');
  const stats = camera ? s.trackStats[camera.id] : undefined;
  return stats ? { lossPct: stats.lossPct, kbps: stats.kbps } : null;
}

/** A site's level and the reason in words' key, as the console judges it now. */
export function useSiteQuality(
  siteId: string,
  connection: SiteConnection,
): { level: SiteQualityLevel; reason: SiteQualityReason; lossPct: number | null; kbps: number | null } {
  const lossPct = useMeeting((s) => measure(s, siteId)?.lossPct ?? null);
  const kbps = useMeeting((s) => measure(s, siteId)?.kbps ?? null);
  return { ...judgeSite(connection, lossPct === null ? null : { lossPct }), lossPct, kbps };
}

/** Writes down every site's link every few seconds while the console is open. */
export function useSiteQualityRecorder(): void {
  useEffect(() => {
    const timer = setInterval(() => {
      const s = meetingStore.get();
      const sites = s.snapshot?.sites ?? [];
      if (!sites.length) return;
      const at = Date.now();
      siteQualityStore.set(({ history }) => {
        let next = history;
        for (const site of sites) {
          const now = measure(s, site.id);
          const { level } = judgeSite(site.connection, now);
          next = recordSample(next, site.id, {
            at,
            lossPct: now?.lossPct ?? 0,
            kbps: now?.kbps ?? 0,
            rttMs: s.quality?.rttMs ?? null,
            level,
          });
        }
        return { history: next };
      });
    }, SAMPLE_MS);
    return () => clearInterval(timer);
  }, []);
}

/**
 * A site's link for the technician, on demand: good, weak or lost with the reason in words, the
 * figures measured here, and a plot of the loss and received bitrate over the last minutes
 * (inline SVG; shaded where the site was lost).
 */
export function SiteQualityDetails({
  siteId,
  siteName,
  connection,
  onClose,
}: {
  siteId: string;
  siteName: string;
  connection: SiteConnection;
  onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const headingId = useId();
  const now = useNow(SAMPLE_MS);
  const samples = useStore(siteQualityStore, (s) => s.history[siteId]);
  const { level, reason, lossPct, kbps } = useSiteQuality(siteId, connection);
  const rtt = useMeeting((s) => s.quality?.rttMs ?? null);
  const plot = plotQuality(samples ?? [], now, PLOT_W, PLOT_H);
  const loss = formatPercent(lossPct ?? 0, locale);
  return (
    <section
      className="site-quality"
      aria-labelledby={headingId}
      data-testid="site-quality"
      data-site-id={siteId}
      data-level={level}
    >
      <div className="site-quality__head">
        <h3 id={headingId}>{t('net.history.title', { site: siteName })}</h3>
        <button type="button" className="btn btn--small" onClick={onClose}>
          {t('net.history.close')}
        </button>
      </div>
      <p className="site-quality__verdict">
        <span className={`netbadge netbadge--${level}`}>{t(`net.${level}`)}</span>{' '}
        <span data-testid="site-quality-reason">{t(`net.reason.${reason}`, { loss })}</span>
      </p>
      {kbps !== null ? (
        <p className="site-quality__now">{t('net.history.now', { loss, kbps, rtt: rtt ?? '—' })}</p>
      ) : null}
      <figure className="site-quality__figure">
        <figcaption>{t('net.history.window', { minutes: MINUTES })}</figcaption>
        <svg
          className="site-quality__plot"
          viewBox={`0 0 ${PLOT_W} ${PLOT_H}`}
          role="img"
          aria-label={
            plot.count
              ? t('net.history.plotAria', {
                  minutes: MINUTES,
                  loss: formatPercent(plot.worstLossPct, locale),
                  kbps: plot.meanKbps,
                })
              : t('net.history.empty')
          }
          data-testid="quality-plot"
          data-samples={plot.count}
        >
          {plot.lostSpans.map((span) => (
            <rect
              key={span.x}
              className="site-quality__lost"
              x={span.x}
              y={0}
              width={span.width}
              height={PLOT_H}
            />
          ))}
          <line className="site-quality__axis" x1={0} y1={PLOT_H - 0.5} x2={PLOT_W} y2={PLOT_H - 0.5} />
          <polyline className="site-quality__kbps" points={plot.kbpsPoints} data-testid="quality-plot-kbps" />
          <polyline className="site-quality__loss" points={plot.lossPoints} data-testid="quality-plot-loss" />
        </svg>
        <ul className="site-quality__legend">
          <li className="site-quality__key site-quality__key--loss">
            {t('net.history.loss', { max: plot.lossMax })}
          </li>
          <li className="site-quality__key site-quality__key--kbps">
            {t('net.history.kbps', { max: plot.kbpsMax })}
          </li>
          <li className="site-quality__key site-quality__key--lost">{t('net.lost')}</li>
        </ul>
      </figure>
    </section>
  );
}
