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

/** Value for an `<input type="datetime-local">` in local time. */
export function toDateTimeLocal(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Parses an `<input type="datetime-local">` value (local time); null when empty or invalid. */
export function fromDateTimeLocal(value: string): number | null {
  if (!value) return null;
  const at = new Date(value).getTime();
  return Number.isNaN(at) ? null : at;
}

/** "58/64 điểm cầu · 1.214 đại biểu" in the user's language. */
export function totalsText(totals: AttendanceTotals, t: Translate, locale: Locale): string {
  return t('rollcall.totals', {
    connected: formatNumber(totals.connectedSites, locale),
    invited: formatNumber(totals.invitedSites, locale),
    delegates: formatNumber(totals.delegates, locale),
  });
}
