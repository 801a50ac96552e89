import type { SiteMeetingPoint } from '@giaoban/shared';

const DAY = 86_400_000;

/** A Vietnam-time day (UTC+7) as YYYY-MM-DD, `days` from `now`. */
export function vnDay(now: number, days = 0): string {
  return new Date(now + 7 * 3_600_000 + days * DAY).toISOString().slice(0, 10);
}

/** One bar of a small plot: its position and height in the SVG's own units. */
export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

/**
 * Lays out bars for values in a `width`×`height` box (pure): equal slots with a gap, heights
 * scaled to the largest value (or `max`), a zero value drawn as a 1-unit baseline mark.
 */
export function layOutBars(values: readonly number[], width: number, height: number, max?: number): Bar[] {
  if (values.length === 0) return [];
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const slot = width / values.length;
  const gap = Math.min(2, slot * 0.2);
  return values.map((value, i) => {
    const h = value <= 0 ? 1 : Math.max(1, (value / top) * height);
    return { x: i * slot + gap / 2, y: height - h, width: slot - gap, height: h, value };
  });
}

/** Minutes a site was connected in each meeting (0 when absent): the attendance plot. */
export const attendanceSeries = (timeline: readonly SiteMeetingPoint[]): number[] =>
  timeline.map((p) => Math.round(p.connectedSeconds / 60));

/** Minutes a site spoke in each meeting: the speaking plot. */
export const speakingSeries = (timeline: readonly SiteMeetingPoint[]): number[] =>
  timeline.map((p) => Math.round((p.speakingSeconds / 60) * 10) / 10);

/** "1 giờ 05 phút" / "1 h 05 min" style durations, from seconds. */
export function duration(seconds: number, units: { h: string; min: string }): string {
  const m = Math.round(seconds / 60);
  const h = Math.floor(m / 60);
  return h > 0 ? `${h} ${units.h} ${String(m % 60).padStart(2, '0')} ${units.min}` : `${m} ${units.min}`;
}
