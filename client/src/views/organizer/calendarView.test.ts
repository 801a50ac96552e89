import type { CalendarEntry, HolidayEntry, MeetingId, SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { layOutDays, vnDay } from './calendarView';

const at = (iso: string) => Date.parse(iso);
const entry = (id: string, start: number): CalendarEntry => ({
  meetingId: id as MeetingId,
  title: id,
  status: 'scheduled',
  hostSiteId: 'trung-uong' as SiteId,
  siteIds: ['trung-uong' as SiteId],
  start,
  end: start + 3600_000,
  seriesId: null,
});

describe('layOutDays()', () => {
  it('places meetings on their Vietnamese day and marks Tết and weekends off', () => {
    const tet: HolidayEntry = {
      date: '2026-02-17',
      name: 'Tết Nguyên đán (mùng 1)',
      off: true,
      kind: 'statutory',
      source: 'BLLĐ',
    };
    // 23:30 UTC on 16/2 is 06:30 on 17/2 in Vietnam.
    const days = layOutDays(
      at('2026-02-16T01:00:00Z'),
      7,
      [entry('b', at('2026-02-16T23:30:00Z')), entry('a', at('2026-02-16T02:00:00Z'))],
      [tet],
    );
    expect(days.map((d) => d.date)).toEqual([
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
      '2026-02-21',
      '2026-02-22',
    ]);
    expect(days[0]?.entries.map((e) => e.meetingId)).toEqual(['a']);
    expect(days[1]?.entries.map((e) => e.meetingId)).toEqual(['b']);
    expect(days[1]).toMatchObject({ off: true, holiday: { name: 'Tết Nguyên đán (mùng 1)' } });
    expect(days[2]?.off).toBe(false);
    expect(days[5]?.off).toBe(true);
  });

  it('vnDay() is the date in UTC+7', () => {
    expect(vnDay(at('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
  });
});
