import type { CalendarData, CalendarYear, HolidayEntry, IsoDate } from '@giaoban/shared';
import { fromJulianDay, fromLunar, julianDay, type SolarDate, tet } from './LunarCalendar.js';

/** Vietnam's offset from UTC, in milliseconds (no daylight saving). */
const VN_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 86_400_000;

/** The civil date in Vietnam of an instant. */
export function vnDate(instant: number): IsoDate {
  return new Date(instant + VN_OFFSET_MS).toISOString().slice(0, 10) as IsoDate;
}

/** The instant a Vietnamese civil day starts (00:00 UTC+7). */
export function vnDayStart(date: IsoDate): number {
  return Date.parse(`${date}T00:00:00Z`) - VN_OFFSET_MS;
}

/** The last millisecond of a Vietnamese civil day (23:59:59.999 UTC+7). */
export function vnDayEnd(date: IsoDate): number {
  return vnDayStart(date) + DAY_MS - 1;
}

const iso = (d: SolarDate): IsoDate =>
  `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}` as IsoDate;

const parse = (date: IsoDate): SolarDate => ({
  year: Number(date.slice(0, 4)),
  month: Number(date.slice(5, 7)),
  day: Number(date.slice(8, 10)),
});

/** The date `days` after (or before, when negative) `date`. */
export function shiftDate(date: IsoDate, days: number): IsoDate {
  return iso(fromJulianDay(julianDay(parse(date)) + days));
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return (julianDay(parse(date)) + 1) % 7;
}

const isWeekend = (date: IsoDate): boolean => {
  const w = weekday(date);
  return w === 0 || w === 6;
};

/** The legal basis of the statutory holidays, named in every entry. */
const LABOUR_CODE = 'Bộ luật Lao động 2019, Điều 112';
/** The rule that moves a holiday falling on a weekly day off to the next working day. */
const COMPENSATORY_RULE = 'Bộ luật Lao động 2019, Điều 111 khoản 3';

/**
 * Which day joins Quốc khánh (2/9): the law says 1/9 or 3/9 and the Prime Minister picks one each
 * year; this is the pick that makes the longest break, as in 2021–2025. A published year overrides it.
 */
function nationalDayCompanion(year: number): IsoDate {
  const w = weekday(iso({ year, month: 9, day: 2 }));
  // Tue, Fri, Sat → 1/9 (joins the weekend before or the Friday/Saturday); otherwise 3/9.
  return iso({ year, month: 9, day: w === 2 || w === 5 || w === 6 ? 1 : 3 });
}

/**
 * The statutory holidays of a Gregorian year (Labour Code 2019 art. 112): 1/1; Tết, five days —
 * the last day of the lunar year and the 1st–4th of the first month, the usual choice; Hùng Kings'
 * day (10/3 lunar); 30/4; 1/5; 2/9 and one adjacent day.
 */
export function statutoryHolidays(year: number): { date: IsoDate; name: string }[] {
  const tetDay = iso(tet(year));
  const days: { date: IsoDate; name: string }[] = [
    { date: iso({ year, month: 1, day: 1 }), name: 'Tết Dương lịch' },
    { date: shiftDate(tetDay, -1), name: 'Tết Nguyên đán (cuối năm Âm lịch)' },
  ];
  for (let i = 0; i < 4; i++)
    days.push({ date: shiftDate(tetDay, i), name: `Tết Nguyên đán (mùng ${i + 1})` });
  days.push(
    {
      date: iso(fromLunar({ year, month: 3, day: 10, leap: false })),
      name: 'Giỗ Tổ Hùng Vương (10/3 Âm lịch)',
    },
    { date: iso({ year, month: 4, day: 30 }), name: 'Ngày Chiến thắng (30/4)' },
    { date: iso({ year, month: 5, day: 1 }), name: 'Ngày Quốc tế Lao động (1/5)' },
    { date: iso({ year, month: 9, day: 2 }), name: 'Quốc khánh (2/9)' },
    { date: nationalDayCompanion(year), name: 'Quốc khánh (ngày liền kề)' },
  );
  return days.sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * Vietnam's working-day calendar: Monday–Friday, less the statutory holidays, plus a compensatory
 * day off (nghỉ bù) on the next working day for a holiday that falls on a weekend (art. 111), then
 * whatever the government published for the year (swapped days off, làm bù Saturdays), which wins.
 * A published year lists its own compensatory days (the notice names them), so for such a year
 * none are computed. Pure: built from data, no clock, no I/O.
 */
export class WorkingCalendar {
  readonly #published = new Map<number, CalendarYear>();
  readonly #yearCache = new Map<number, Map<IsoDate, HolidayEntry>>();

  constructor(data: CalendarData) {
    for (const y of data.years) this.#published.set(y.year, y);
  }

  /** The published data this calendar was built from. */
  get data(): CalendarData {
    return { years: [...this.#published.values()].sort((a, b) => a.year - b.year) };
  }

  /** Every day of `year` that differs from the plain Monday–Friday rule, in date order. */
  exceptions(year: number): HolidayEntry[] {
    return [...this.#exceptionsOf(year).values()].sort((a, b) => a.date.localeCompare(b.date));
  }

  /** True when people work on `date`. */
  isWorkingDay(date: IsoDate): boolean {
    const entry = this.#exceptionsOf(Number(date.slice(0, 4))).get(date);
    return entry ? !entry.off : !isWeekend(date);
  }

  /** The `n`-th working day after `date` (`date` itself does not count); `n` ≥ 0, 0 gives `date`. */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    let d = date;
    for (let left = n; left > 0; ) {
      d = shiftDate(d, 1);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** The `n`-th working day before `date` (`date` itself does not count). */
  subtractWorkingDays(date: IsoDate, n: number): IsoDate {
    let d = date;
    for (let left = n; left > 0; ) {
      d = shiftDate(d, -1);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** Working days in (from, to]: how many working days pass from `from` to `to`; negative when `to` is earlier. */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    if (to < from) return -this.workingDaysBetween(to, from);
    let count = 0;
    for (let d = from; d < to; ) {
      d = shiftDate(d, 1);
      if (this.isWorkingDay(d)) count++;
    }
    return count;
  }

  /** The first working day on or after `date`. */
  nextWorkingDay(date: IsoDate): IsoDate {
    let d = date;
    while (!this.isWorkingDay(d)) d = shiftDate(d, 1);
    return d;
  }

  #exceptionsOf(year: number): Map<IsoDate, HolidayEntry> {
    const cached = this.#yearCache.get(year);
    if (cached) return cached;
    const out = new Map<IsoDate, HolidayEntry>();
    const statutory = statutoryHolidays(year);
    const isHoliday = (d: IsoDate) => out.has(d) || statutory.some((h) => h.date === d);
    for (const h of statutory) {
      out.set(h.date, { date: h.date, name: h.name, off: true, kind: 'statutory', source: LABOUR_CODE });
    }
    // A holiday on a weekend gives the next day that is neither weekend nor holiday (art. 111.3).
    // A year whose notice is published places its own compensatory days, so none are computed.
    const published = this.#published.get(year);
    for (const h of published ? [] : statutory) {
      if (!isWeekend(h.date)) continue;
      let d = shiftDate(h.date, 1);
      while (isWeekend(d) || isHoliday(d)) d = shiftDate(d, 1);
      out.set(d, {
        date: d,
        name: `Nghỉ bù ${h.name}`,
        off: true,
        kind: 'compensatory',
        source: COMPENSATORY_RULE,
      });
    }
    // A published year is the government's decision: its days replace what the rules computed.
    if (published) {
      for (const d of published.days) {
        // A day the law itself gives (a compensatory day) is listed with the year, but it is the rule's.
        const byRule = d.basis === 'rule';
        out.set(d.date, {
          date: d.date,
          name: d.name,
          off: d.off,
          kind: byRule ? 'compensatory' : 'published',
          source: byRule ? COMPENSATORY_RULE : published.source,
        });
      }
    }
    // Days of the next year's published notice that fall in this year (a Tết swap in late December).
    const next = this.#published.get(year + 1);
    for (const d of next?.days ?? []) {
      if (d.date.startsWith(`${year}-`)) {
        out.set(d.date, {
          date: d.date,
          name: d.name,
          off: d.off,
          kind: 'published',
          source: next?.source ?? '',
        });
      }
    }
    // A published day equal to the plain rule is no exception.
    for (const [date, e] of out) if (e.off === isWeekend(date) && e.kind === 'published') out.delete(date);
    this.#yearCache.set(year, out);
    return out;
  }
}
