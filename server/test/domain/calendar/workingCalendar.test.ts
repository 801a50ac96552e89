import { CalendarData, type IsoDate } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import shipped from '../../../src/directory/calendar-vn.json' with { type: 'json' };
import {
  statutoryHolidays,
  vnDate,
  vnDayEnd,
  WorkingCalendar,
  weekday,
} from '../../../src/domain/calendar/WorkingCalendar.js';

const data = CalendarData.parse({ years: shipped.years });
const cal = new WorkingCalendar(data);
const d = (s: string) => s as IsoDate;

describe('WorkingCalendar with the shipped holiday data', () => {
  it('the shipped calendar-vn.json is valid calendar data', () => {
    expect(data.years.map((y) => y.year)).toContain(2025);
  });

  it('isWorkingDay() follows the 2025 notice: Tết 25/1–2/2 with 27/1 swapped for Saturday 15/2', () => {
    for (let day = 25; day <= 31; day++) expect(cal.isWorkingDay(d(`2025-01-${day}`))).toBe(false);
    expect(cal.isWorkingDay(d('2025-02-01'))).toBe(false);
    expect(cal.isWorkingDay(d('2025-02-02'))).toBe(false);
    // The notice placed the days itself: no computed compensatory Monday for mùng 4 on a Saturday.
    expect(cal.isWorkingDay(d('2025-02-03'))).toBe(true);
    expect(cal.isWorkingDay(d('2025-02-15'))).toBe(true);
  });

  it('isWorkingDay() follows 2025’s 30/4–4/5 break with Saturday 26/4 worked, and 1/9–2/9 off', () => {
    expect(cal.isWorkingDay(d('2025-04-26'))).toBe(true);
    for (const day of ['2025-04-30', '2025-05-01', '2025-05-02', '2025-09-01', '2025-09-02', '2025-04-07']) {
      expect(cal.isWorkingDay(d(day))).toBe(false);
    }
    expect(cal.isWorkingDay(d('2025-05-05'))).toBe(true);
  });

  it('addWorkingDays() skips Tết 2026 (14/2–22/2): 5 working days after Thursday 12/2 is 26/2', () => {
    expect(cal.addWorkingDays(d('2026-02-12'), 5)).toBe('2026-02-26');
    for (let day = 14; day <= 22; day++) expect(cal.isWorkingDay(d(`2026-02-${day}`))).toBe(false);
  });

  it('addWorkingDays() crosses the year boundary and 1/1/2027: 29/12/2026 + 5 = 6/1/2027', () => {
    expect(cal.isWorkingDay(d('2027-01-01'))).toBe(false);
    expect(cal.addWorkingDays(d('2026-12-29'), 5)).toBe('2027-01-06');
    expect(cal.workingDaysBetween(d('2026-12-29'), d('2027-01-06'))).toBe(5);
    expect(cal.workingDaysBetween(d('2027-01-06'), d('2026-12-29'))).toBe(-5);
  });

  it('computes Tết 2027 (6/2, a Saturday) with compensatory days for the weekend ones', () => {
    const tet = cal.exceptions(2027).filter((e) => e.date >= '2027-02-01' && e.date <= '2027-02-15');
    expect(tet.map((e) => [e.date, e.kind])).toEqual([
      ['2027-02-05', 'statutory'],
      ['2027-02-06', 'statutory'],
      ['2027-02-07', 'statutory'],
      ['2027-02-08', 'statutory'],
      ['2027-02-09', 'statutory'],
      ['2027-02-10', 'compensatory'],
      ['2027-02-11', 'compensatory'],
    ]);
    expect(cal.addWorkingDays(d('2027-02-04'), 5)).toBe('2027-02-18');
  });

  it('Hùng Kings’ day 2026 falls on Sunday 26/4 and the published compensatory Monday 27/4 is off', () => {
    expect(statutoryHolidays(2026).find((h) => h.name.startsWith('Giỗ Tổ'))?.date).toBe('2026-04-26');
    expect(weekday(d('2026-04-26'))).toBe(0);
    expect(cal.isWorkingDay(d('2026-04-27'))).toBe(false);
    expect(cal.isWorkingDay(d('2026-04-28'))).toBe(true);
  });

  it('subtractWorkingDays() counts back over Tết: 3 working days before Monday 23/2/2026 is 11/2', () => {
    expect(cal.subtractWorkingDays(d('2026-02-23'), 3)).toBe('2026-02-11');
  });

  it('a published year edited by an organizer wins over the computed rules', () => {
    const edited = new WorkingCalendar({
      years: [
        ...data.years,
        {
          year: 2027,
          source: 'test notice',
          days: [{ date: d('2027-01-02'), off: false, name: 'Làm bù' }],
        },
      ],
    });
    expect(edited.isWorkingDay(d('2027-01-02'))).toBe(true);
    // In a published year no compensatory day is computed: the notice lists its own.
    expect(edited.isWorkingDay(d('2027-02-10'))).toBe(true);
    expect(cal.isWorkingDay(d('2027-02-10'))).toBe(false);
  });

  it('vnDate() and vnDayEnd() use Vietnam’s UTC+7 day', () => {
    expect(vnDate(Date.UTC(2026, 1, 12, 17, 30))).toBe('2026-02-13');
    expect(vnDate(Date.UTC(2026, 1, 12, 16, 59))).toBe('2026-02-12');
    expect(vnDayEnd(d('2026-02-26'))).toBe(Date.UTC(2026, 1, 26, 16, 59, 59, 999));
  });
});

describe('the shipped holiday data is consistent (2025–2027)', () => {
  it('marks every listed day as a notice’s decision or the law’s rule, and says what is unverified', () => {
    for (const y of data.years) {
      expect(y.unverified, `${y.year} says what was not checked`).toBeTruthy();
      for (const day of y.days) expect(['notice', 'rule'], `${day.date}`).toContain(day.basis);
    }
  });

  it('each swapped weekday off is paid back by one worked Saturday of the same year', () => {
    for (const y of data.years) {
      const notice = y.days.filter((day) => day.basis === 'notice');
      const off = notice.filter((day) => day.off);
      const worked = notice.filter((day) => !day.off);
      expect(
        off.every((day) => ![0, 6].includes(weekday(day.date))),
        `${y.year}: swapped days are weekdays`,
      ).toBe(true);
      expect(
        worked.every((day) => weekday(day.date) === 6),
        `${y.year}: làm bù days are Saturdays`,
      ).toBe(true);
      expect(worked).toHaveLength(off.length);
      // A swapped day touches a holiday break (it bridges a weekday between the weekend and the break).
      for (const day of off) {
        const near = [-1, 1].map((n) => cal.isWorkingDay(d(shiftOf(day.date, n))));
        expect(near, `${day.date} bridges a break`).toContain(false);
      }
    }
  });

  it('a day listed by rule is the compensatory day of a statutory holiday on a weekend, and is reported as such', () => {
    for (const y of data.years) {
      for (const day of y.days.filter((x) => x.basis === 'rule')) {
        const before = [1, 2].map((n) => shiftOf(day.date, -n));
        const holidayOnWeekend = statutoryHolidays(y.year).some(
          (h) => before.includes(h.date) && [0, 6].includes(weekday(h.date)),
        );
        expect(holidayOnWeekend, `${day.date} follows a weekend holiday`).toBe(true);
        expect(cal.exceptions(y.year).find((e) => e.date === day.date)).toMatchObject({
          kind: 'compensatory',
          off: true,
        });
      }
    }
  });

  it('the computed Tết and Hùng Kings’ days of 2025–2027 are the dates the data and notices name', () => {
    const names = (year: number) =>
      Object.fromEntries(statutoryHolidays(year).map((h) => [h.name, h.date] as const));
    expect(names(2025)['Tết Nguyên đán (mùng 1)']).toBe('2025-01-29');
    expect(names(2025)['Tết Nguyên đán (cuối năm Âm lịch)']).toBe('2025-01-28');
    expect(names(2025)['Giỗ Tổ Hùng Vương (10/3 Âm lịch)']).toBe('2025-04-07');
    expect(names(2026)['Tết Nguyên đán (mùng 1)']).toBe('2026-02-17');
    expect(names(2026)['Giỗ Tổ Hùng Vương (10/3 Âm lịch)']).toBe('2026-04-26');
    expect(names(2027)['Tết Nguyên đán (mùng 1)']).toBe('2027-02-06');
    expect(names(2027)['Giỗ Tổ Hùng Vương (10/3 Âm lịch)']).toBe('2027-04-16');
  });
});

/** The date `n` days from `date` (UTC arithmetic on civil dates). */
function shiftOf(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
