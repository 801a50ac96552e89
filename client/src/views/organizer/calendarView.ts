import type { CalendarEntry, HolidayEntry, NoticeState } from '@giaoban/shared';

/** Vietnam's offset: the calendar is laid out in Vietnamese days wherever the browser is. */
const VN_OFFSET_MS = 7 * 3600_000;

/** The Vietnamese civil date (YYYY-MM-DD) of an instant. */
export const vnDay = (at: number): string => new Date(at + VN_OFFSET_MS).toISOString().slice(0, 10);

/** One day of the calendar: its meetings, and why it is off when it is. */
export interface CalendarDay {
  date: string;
  weekday: number;
  entries: CalendarEntry[];
  holiday: HolidayEntry | null;
  off: boolean;
}

/**
 * The days from `from` for `days` days, each with the meetings starting that day (in start order)
 * and its holiday; weekends are off unless a published working day says otherwise. Pure.
 */
export function layOutDays(
  from: number,
  days: number,
  entries: readonly CalendarEntry[],
  holidays: readonly HolidayEntry[],
): CalendarDay[] {
  const byDate = new Map(holidays.map((h) => [h.date, h]));
  const out: CalendarDay[] = [];
  const first = Date.parse(`${vnDay(from)}T00:00:00Z`);
  for (let i = 0; i < days; i++) {
    const date = new Date(first + i * 86_400_000).toISOString().slice(0, 10);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    const holiday = byDate.get(date) ?? null;
    out.push({
      date,
      weekday,
      entries: entries.filter((e) => vnDay(e.start) === date).sort((a, b) => a.start - b.start),
      holiday,
      off: holiday ? holiday.off : weekday === 0 || weekday === 6,
    });
  }
  return out;
}

/** The locale key of a notice state; overdue is the one the page flags. */
export const noticeKey = (state: NoticeState) => `org.notice.state.${state}` as const;
