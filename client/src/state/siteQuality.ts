import type { SiteConnection } from '@giaoban/shared';
import type { TrackStats } from './meetingState';

/** How a site's link reads to a technician: good, weak, lost, or not measured yet. */
export type SiteQualityLevel = 'good' | 'weak' | 'lost' | 'none';

/** Why a site's link has its level, as a locale key suffix (`net.reason.<reason>`). */
export type SiteQualityReason =
  | 'steady'
  | 'someLoss'
  | 'heavyLoss'
  | 'siteReported'
  | 'noPicture'
  | 'absent'
  | 'notMeasured';

/** One measurement of a site's link, taken by this console. */
export interface QualitySample {
  /** Epoch ms. */
  at: number;
  /** Packet loss of the site's camera as this console receives it, in percent. */
  lossPct: number;
  /** Bitrate of the site's camera as this console receives it. */
  kbps: number;
  /** The round trip of this console's own link, ms (null before the first measurement). */
  rttMs: number | null;
  level: SiteQualityLevel;
}

/** Samples per site, oldest first, no older than {@link HISTORY_MS}. */
export type QualityHistory = Readonly<Record<string, readonly QualitySample[]>>;

/** How far back the console keeps (and plots) a site's quality. */
export const HISTORY_MS = 5 * 60_000;
/** Loss from which a link is weak (the picture starts to freeze in places). */
export const WEAK_LOSS_PCT = 2;
/** Loss from which a link is weak for certain (the hub's own verdict uses a similar bound). */
export const HEAVY_LOSS_PCT = 8;

/**
 * Judges a site's link from what this console knows (pure): the hub's connection state (which
 * carries the site's own poor/not-poor report) and the loss of its camera as received here.
 */
export function judgeSite(
  connection: SiteConnection,
  stats: Pick<TrackStats, 'lossPct'> | null,
): { level: SiteQualityLevel; reason: SiteQualityReason } {
  if (connection === 'absent') return { level: 'lost', reason: 'absent' };
  if (connection === 'poor') return { level: 'weak', reason: 'siteReported' };
  if (!stats)
    return connection === 'media'
      ? { level: 'none', reason: 'notMeasured' }
      : { level: 'lost', reason: 'noPicture' };
  if (stats.lossPct >= HEAVY_LOSS_PCT) return { level: 'weak', reason: 'heavyLoss' };
  if (stats.lossPct >= WEAK_LOSS_PCT) return { level: 'weak', reason: 'someLoss' };
  return { level: 'good', reason: 'steady' };
}

/** Adds a sample to a site's history and drops what is older than the window (pure; returns a new history). */
export function recordSample(
  history: QualityHistory,
  siteId: string,
  sample: QualitySample,
  windowMs = HISTORY_MS,
): QualityHistory {
  const kept = (history[siteId] ?? []).filter((s) => s.at > sample.at - windowMs && s.at < sample.at);
  return { ...history, [siteId]: [...kept, sample] };
}

/** Everything an inline SVG needs to draw one site's last minutes (pure). */
export interface QualityPlot {
  width: number;
  height: number;
  /** Polyline points of the loss, scaled to {@link QualityPlot.lossMax}. */
  lossPoints: string;
  /** Polyline points of the received bitrate, scaled to {@link QualityPlot.kbpsMax}. */
  kbpsPoints: string;
  /** Top of the loss scale, percent (at least 10, so a clean link draws a flat line at the bottom). */
  lossMax: number;
  /** Top of the bitrate scale. */
  kbpsMax: number;
  /** Stretches where the link was lost, as x and width. */
  lostSpans: { x: number; width: number }[];
  /** Worst loss and mean bitrate over the window, for the words under the plot. */
  worstLossPct: number;
  meanKbps: number;
  /** Samples in the window. */
  count: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Lays one site's samples over the last `windowMs` before `now` onto a `width`×`height` plot (pure). */
export function plotQuality(
  samples: readonly QualitySample[],
  now: number,
  width: number,
  height: number,
  windowMs = HISTORY_MS,
): QualityPlot {
  const shown = samples.filter((s) => s.at > now - windowMs && s.at <= now);
  const x = (at: number) => round1(((at - (now - windowMs)) / windowMs) * width);
  const worstLossPct = shown.reduce((m, s) => Math.max(m, s.lossPct), 0);
  const lossMax = Math.max(10, Math.ceil(worstLossPct / 10) * 10);
  const kbpsMax = Math.max(100, ...shown.map((s) => s.kbps));
  const y = (value: number, max: number) => round1(height - (Math.min(value, max) / max) * height);
  const measured = shown.filter((s) => s.level !== 'lost');
  const lostSpans: QualityPlot['lostSpans'] = [];
  shown.forEach((s, i) => {
    if (s.level !== 'lost') return;
    const start = x(s.at);
    const end = x(shown[i + 1]?.at ?? now);
    const last = lostSpans.at(-1);
    if (last && Math.abs(last.x + last.width - start) < 0.2) last.width = round1(end - last.x);
    else lostSpans.push({ x: start, width: round1(end - start) });
  });
  return {
    width,
    height,
    lossPoints: measured.map((s) => `${x(s.at)},${y(s.lossPct, lossMax)}`).join(' '),
    kbpsPoints: measured.map((s) => `${x(s.at)},${y(s.kbps, kbpsMax)}`).join(' '),
    lossMax,
    kbpsMax,
    lostSpans,
    worstLossPct,
    meanKbps: measured.length
      ? Math.round(measured.reduce((sum, s) => sum + s.kbps, 0) / measured.length)
      : 0,
    count: shown.length,
  };
}
