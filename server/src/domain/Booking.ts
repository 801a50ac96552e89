import type { IsoDate, Recurrence, SiteId } from '@giaoban/shared';
import { shiftDate, vnDate, vnDayStart, type WorkingCalendar } from './calendar/WorkingCalendar.js';

/** A meeting's place on the hub's calendar: when it runs and which bridge points it ties up. */
export interface BookingSlot {
  meetingId: string;
  title: string;
  start: number;
  /** Exclusive: a meeting ending at 10:00 does not clash with one starting at 10:00. */
  end: number;
  /** The host site and every invited site. */
  siteIds: readonly SiteId[];
}

/** Why a booking cannot be made. */
export type Clash =
  /** A bridge point would be in two meetings at once. */
  | { kind: 'site'; siteId: SiteId; other: BookingSlot }
  /** The hub would carry more sites at once than it is sized for. */
  | { kind: 'capacity'; at: number; sites: number; capacity: number };

const overlaps = (a: BookingSlot, b: BookingSlot): boolean => a.start < b.end && b.start < a.end;

/**
 * Every reason `candidate` cannot be booked beside `existing` (which must not contain it): each
 * site it shares with an overlapping meeting, then — when `capacity` is set — the first moment the
 * sites of all meetings running at once would exceed it. Empty when it fits.
 */
export function findClashes(
  candidate: BookingSlot,
  existing: readonly BookingSlot[],
  capacity: number | null,
): Clash[] {
  const clashes: Clash[] = [];
  const concurrent = existing.filter((o) => o.meetingId !== candidate.meetingId && overlaps(candidate, o));
  const mine = new Set(candidate.siteIds);
  for (const other of concurrent) {
    for (const siteId of other.siteIds) {
      if (mine.has(siteId)) clashes.push({ kind: 'site', siteId, other });
    }
  }
  if (capacity !== null) {
    // The load only rises where a meeting starts: check the candidate's start and every start inside it.
    const moments = [candidate.start, ...concurrent.map((o) => o.start).filter((t) => t > candidate.start)];
    for (const at of moments.sort((a, b) => a - b)) {
      const sites =
        candidate.siteIds.length +
        concurrent.filter((o) => o.start <= at && at < o.end).reduce((n, o) => n + o.siteIds.length, 0);
      if (sites > capacity) {
        clashes.push({ kind: 'capacity', at, sites, capacity });
        break;
      }
    }
  }
  return clashes;
}

const hhmm = (t: number): string => new Date(t + 7 * 3600_000).toISOString().slice(11, 16);

/** A clash in words for the organizer (English; the organizer page words its own). */
export function describeClash(clash: Clash): string {
  switch (clash.kind) {
    case 'site':
      return (
        `site ${clash.siteId} is already in "${clash.other.title}" on ${vnDate(clash.other.start)} ` +
        `${hhmm(clash.other.start)}–${hhmm(clash.other.end)} (meeting ${clash.other.meetingId})`
      );
    case 'capacity':
      return (
        `the hub would carry ${clash.sites} sites at once on ${vnDate(clash.at)} ${hhmm(clash.at)}, ` +
        `more than its capacity of ${clash.capacity} (BOOKING_SITE_CAPACITY)`
      );
    default: {
      const never: never = clash;
      return never;
    }
  }
}

/** Last day of a month (1-based month). */
const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Start times of a recurring briefing: the first at `start`, then every month or quarter on the same
 * day of the month (the month's last day when it is shorter) at the same Vietnamese time. With
 * `moveToWorkingDay`, an occurrence on a weekend or holiday moves to the next working day.
 */
export function occurrences(start: number, recurrence: Recurrence, calendar: WorkingCalendar): number[] {
  const date = vnDate(start);
  const timeOfDay = start - vnDayStart(date);
  const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  const step = recurrence.every === 'month' ? 1 : 3;
  const out: number[] = [];
  for (let i = 0; i < recurrence.count; i++) {
    const monthIndex = m - 1 + i * step;
    const year = y + Math.floor(monthIndex / 12);
    const month = (monthIndex % 12) + 1;
    let day =
      `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, daysInMonth(year, month))).padStart(2, '0')}` as IsoDate;
    if (i > 0 && recurrence.moveToWorkingDay) day = calendar.nextWorkingDay(day);
    out.push(vnDayStart(day) + timeOfDay);
  }
  return out;
}

/** A meeting's planned end: its booked length, or the agenda's planned minutes when they run longer. */
export function plannedEnd(start: number, plannedMinutes: number, agendaMinutes: number): number {
  return start + Math.max(plannedMinutes, agendaMinutes) * 60_000;
}

/** The day before a date (for "before the day" deadlines). */
export const dayBefore = (date: IsoDate): IsoDate => shiftDate(date, -1);
