import { CalendarData, type IsoDate, type NoticeIssue, type SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import shipped from '../../src/directory/calendar-vn.json' with { type: 'json' };
import {
  type BookingSlot,
  describeClash,
  findClashes,
  occurrences,
  plannedEnd,
} from '../../src/domain/Booking.js';
import { vnDate, WorkingCalendar } from '../../src/domain/calendar/WorkingCalendar.js';
import { documentsDueDate, isLate, noticeStatus, techCheckOpensAt } from '../../src/domain/Deadlines.js';

const cal = new WorkingCalendar(CalendarData.parse({ years: shipped.years }));
/** An instant at a Vietnamese wall-clock time. */
const vn = (date: string, time = '08:00') => Date.parse(`${date}T${time}:00+07:00`);
const slot = (id: string, start: number, minutes: number, sites: string[]): BookingSlot => ({
  meetingId: id,
  title: `Giao ban ${id}`,
  start,
  end: start + minutes * 60_000,
  siteIds: sites as SiteId[],
});

describe('findClashes()', () => {
  const existing = [slot('a', vn('2026-12-10', '08:00'), 120, ['trung-uong', 'hue', 'ha-noi'])];

  it('refuses a site booked in an overlapping meeting, naming the site and the other meeting', () => {
    const clashes = findClashes(slot('b', vn('2026-12-10', '09:30'), 60, ['da-nang', 'hue']), existing, null);
    expect(clashes).toHaveLength(1);
    expect(clashes[0]).toMatchObject({ kind: 'site', siteId: 'hue', other: { meetingId: 'a' } });
    expect(clashes.map(describeClash)[0]).toBe(
      'site hue is already in "Giao ban a" on 2026-12-10 08:00–10:00 (meeting a)',
    );
  });

  it('allows the same sites back to back (end is exclusive) and disjoint sites at the same time', () => {
    expect(findClashes(slot('b', vn('2026-12-10', '10:00'), 60, ['hue']), existing, null)).toEqual([]);
    expect(
      findClashes(slot('c', vn('2026-12-10', '08:30'), 60, ['da-nang', 'can-tho']), existing, null),
    ).toEqual([]);
  });

  it('refuses when the sites running at once would exceed the hub capacity', () => {
    const later = slot('x', vn('2026-12-10', '09:00'), 60, ['s1', 's2']);
    const candidate = slot('c', vn('2026-12-10', '07:30'), 120, ['d1', 'd2']);
    // 07:30: 2 + 0; 08:00: 2 + 3 = 5; 09:00: 2 + 3 + 2 = 7.
    expect(findClashes(candidate, [...existing, later], 7)).toEqual([]);
    expect(findClashes(candidate, [...existing, later], 6)).toEqual([
      { kind: 'capacity', at: later.start, sites: 7, capacity: 6 },
    ]);
    expect(findClashes(candidate, [...existing, later], 4)[0]).toMatchObject({
      at: existing[0]?.start,
      sites: 5,
    });
  });

  it('ignores the candidate’s own earlier slot (editing a booked meeting)', () => {
    expect(findClashes(slot('a', vn('2026-12-10', '09:00'), 60, ['hue']), existing, null)).toEqual([]);
  });

  it('plannedEnd() keeps the longer of the booked length and the agenda', () => {
    expect(plannedEnd(0, 60, 90)).toBe(90 * 60_000);
    expect(plannedEnd(0, 120, 90)).toBe(120 * 60_000);
  });
});

describe('occurrences()', () => {
  it('repeats monthly on the same day and time, moving off weekends and Tết', () => {
    const starts = occurrences(
      vn('2026-01-16', '14:00'),
      { every: 'month', count: 3, moveToWorkingDay: true },
      cal,
    );
    // 16/2/2026 is in Tết (14–22/2): the next working day is Monday 23/2; 16/3 is a Monday.
    expect(starts).toEqual([vn('2026-01-16', '14:00'), vn('2026-02-23', '14:00'), vn('2026-03-16', '14:00')]);
  });

  it('repeats quarterly across the year boundary, on the month’s last day when it is shorter', () => {
    const starts = occurrences(
      vn('2026-08-31', '08:00'),
      { every: 'quarter', count: 3, moveToWorkingDay: false },
      cal,
    );
    expect(starts.map(vnDate)).toEqual(['2026-08-31', '2026-11-30', '2027-02-28']);
  });
});

describe('Deadlines', () => {
  const issue = (issuedAt: number): NoticeIssue => ({ issuedAt, reference: '15-TB/BTC', by: 'org' });

  it('noticeStatus(): a meeting ending on Thursday 12/2/2026 has its notice due 26/2 (Tết between)', () => {
    const ended = vn('2026-02-12', '11:00');
    const pending = noticeStatus(ended, null, vn('2026-02-20', '09:00'), cal);
    expect(pending).toMatchObject({ state: 'pending', dueDate: '2026-02-26', workingDaysLeft: 4 });
    expect(noticeStatus(ended, null, vn('2026-02-26', '23:59'), cal).state).toBe('pending');
    expect(noticeStatus(ended, null, vn('2026-02-27', '00:01'), cal)).toMatchObject({
      state: 'overdue',
      workingDaysLeft: -1,
    });
    expect(noticeStatus(ended, issue(vn('2026-02-25')), vn('2026-03-10'), cal).state).toBe('issued');
    expect(noticeStatus(ended, issue(vn('2026-02-27')), vn('2026-03-10'), cal).state).toBe('issuedLate');
  });

  it('noticeStatus(): across the year boundary, ending 29/12/2026 is due 6/1/2027', () => {
    expect(noticeStatus(vn('2026-12-29', '16:00'), null, vn('2026-12-30'), cal)).toMatchObject({
      state: 'pending',
      dueDate: '2027-01-06',
      workingDaysLeft: 4,
    });
    expect(noticeStatus(null, null, vn('2026-12-30'), cal).state).toBe('notEnded');
  });

  it('documents are due 3 working days before the meeting day; later ones are late', () => {
    const due = documentsDueDate(vn('2026-02-23', '08:00'), 3, cal);
    expect(due).toBe('2026-02-11' as IsoDate);
    expect(isLate(vn('2026-02-11', '23:00'), due)).toBe(false);
    expect(isLate(vn('2026-02-12', '07:00'), due)).toBe(true);
  });

  it('the technical check opens 60 minutes before the start by default', () => {
    expect(techCheckOpensAt(vn('2026-12-10', '08:00'), 60)).toBe(vn('2026-12-10', '07:00'));
  });
});
