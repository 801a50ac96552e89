import type { AttendanceTotals } from '@giaoban/shared';
import type { Locale, Translate } from '../i18n/i18n';

const tag = (locale: Locale): string => (locale === 'vi' ? 'vi-VN' : 'en-GB');

/** "2:41", or "1:02:03" past an hour; rounds up so a turn shows 0:00 only when it is over. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return formatSeconds(total);
}

/** "12:05" for elapsed time (rounds down). */
export function formatElapsed(ms: number): string {
  return formatSeconds(Math.max(0, Math.floor(ms / 1000)));
}

function formatSeconds(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A whole number in the locale's style: "1.214" in Vietnamese, "1,214" in English. */
export function formatNumber(n: number, locale: Locale): string {
  return new Intl.NumberFormat(tag(locale), { maximumFractionDigits: 0 }).format(n);
}

/** A percentage with one decimal: "0,5%" / "0.5%". */
export function formatPercent(pct: number, locale: Locale): string {
  return `${new Intl.NumberFormat(tag(locale), { maximumFractionDigits: 1 }).format(pct)}%`;
}

/** Time of day "08:30". */
export function formatTime(at: number, locale: Locale): string {
  return new Intl.DateTimeFormat(tag(locale), { hour: '2-digit', minute: '2-digit', hour12: false }).format(
    at,
  );
}

/** Date and time "08:30 21/11/2026". */
export function formatDateTime(at: number, locale: Locale): string {
  const date = new Intl.DateTimeFormat(tag(locale), {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(at);
  return `${formatTime(at, locale)} ${date}`;
}

/**
 * Meetings are held on Vietnam time (Asia/Ho_Chi_Minh, UTC+7 all year: no daylight saving since
 * 1975), wherever the organizer's browser is: the forms' date-time fields read and write it.
 */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** Value for an `<input type="datetime-local">` showing `at` on Vietnam time. */
export function toVietnamDateTimeInput(at: number): string {
  return new Date(at + VIETNAM_OFFSET_MS).toISOString().slice(0, 16);
}

/** Parses an `<input type="datetime-local">` value as Vietnam time; null when empty or invalid. */
export function fromVietnamDateTimeInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const at = Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, se) - VIETNAM_OFFSET_MS;
  // Date.UTC rolls 2026-02-30 over into March: such a value is not a date.
  return toVietnamDateTimeInput(at).slice(0, 10) === value.slice(0, 10) ? at : null;
}

/** 08:00 on Vietnam time, `days` days after today's Vietnamese date (a typical briefing start). */
export function vietnamMorning(now: number, days: number, hour = 8): number {
  const vn = new Date(now + VIETNAM_OFFSET_MS);
  return Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth(), vn.getUTCDate() + days, hour) - VIETNAM_OFFSET_MS;
}

/** "58/64 điểm cầu · 1.214 đại biểu" in the user's language. */
export function totalsText(totals: AttendanceTotals, t: Translate, locale: Locale): string {
  return t('rollcall.totals', {
    connected: formatNumber(totals.connectedSites, locale),
    invited: formatNumber(totals.invitedSites, locale),
    delegates: formatNumber(totals.delegates, locale),
  });
}
