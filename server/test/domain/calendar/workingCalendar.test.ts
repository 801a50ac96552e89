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
