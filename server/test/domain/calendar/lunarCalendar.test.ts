import { describe, expect, it } from 'vitest';
import { fromLunar, tet, toLunar } from '../../../src/domain/calendar/LunarCalendar.js';

const d = (year: number, month: number, day: number) => ({ year, month, day });

describe('LunarCalendar', () => {
  it('tet() gives the published first day of Tết for recent and coming years', () => {
    expect(tet(2020)).toEqual(d(2020, 1, 25));
    expect(tet(2023)).toEqual(d(2023, 1, 22));
    expect(tet(2024)).toEqual(d(2024, 2, 10));
    expect(tet(2025)).toEqual(d(2025, 1, 29));
    expect(tet(2026)).toEqual(d(2026, 2, 17));
    expect(tet(2027)).toEqual(d(2027, 2, 6));
    expect(tet(2028)).toEqual(d(2028, 1, 26));
  });

  it('tet() follows UTC+7, not China’s UTC+8 (1985 and 2007 differ)', () => {
    expect(tet(1985)).toEqual(d(1985, 1, 21));
    expect(tet(2007)).toEqual(d(2007, 2, 17));
  });

  it('fromLunar() places Hùng Kings’ day (10/3) on the published dates', () => {
    expect(fromLunar({ year: 2024, month: 3, day: 10, leap: false })).toEqual(d(2024, 4, 18));
    expect(fromLunar({ year: 2025, month: 3, day: 10, leap: false })).toEqual(d(2025, 4, 7));
    expect(fromLunar({ year: 2026, month: 3, day: 10, leap: false })).toEqual(d(2026, 4, 26));
  });

  it('toLunar() recognises leap months (2023: leap 2nd month, 2025: leap 6th month)', () => {
    expect(toLunar(d(2023, 3, 22))).toEqual({ year: 2023, month: 2, day: 1, leap: true });
    expect(toLunar(d(2025, 7, 25))).toEqual({ year: 2025, month: 6, day: 1, leap: true });
    expect(toLunar(d(2025, 6, 25))).toEqual({ year: 2025, month: 6, day: 1, leap: false });
  });

  it('toLunar() puts the last days before Tết in the previous lunar year', () => {
    expect(toLunar(d(2026, 2, 16))).toEqual({ year: 2025, month: 12, day: 29, leap: false });
    expect(toLunar(d(2026, 2, 14))).toEqual({ year: 2025, month: 12, day: 27, leap: false });
    expect(toLunar(d(2026, 2, 22))).toEqual({ year: 2026, month: 1, day: 6, leap: false });
  });

  it('fromLunar() and toLunar() round-trip every day of 2024–2028', () => {
    const start = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 366 * 5; i++) {
      const t = new Date(start + i * 86_400_000);
      const solar = d(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
      expect(fromLunar(toLunar(solar))).toEqual(solar);
    }
  });

  it('fromLunar() refuses a leap month the year does not have', () => {
    expect(() => fromLunar({ year: 2026, month: 6, day: 1, leap: true })).toThrow(RangeError);
  });
});
