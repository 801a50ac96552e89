import type { IsoDate, NoticeIssue, NoticeState } from '@giaoban/shared';
import { vnDate, vnDayEnd, vnDayStart, type WorkingCalendar } from './calendar/WorkingCalendar.js';

/**
 * The deadlines of the meeting regime (QĐ 45/2018) and of the platform criteria: documents N
 * working days ahead, the test session before the start, the conclusion notice within 5 working
 * days. Pure functions of the meeting's times, the calendar and `now`.
 */

/** Working days after the meeting within which the conclusion notice is issued. */
export const NOTICE_WORKING_DAYS = 5;

/** The conclusion notice against its deadline. */
export interface NoticeStatus {
  state: NoticeState;
  dueDate: IsoDate | null;
  dueAt: number | null;
  workingDaysLeft: number | null;
}

/**
 * Where a meeting's conclusion notice stands: due by the end of the 5th working day after the day
 * the meeting ended; `overdue` once that day is over without a notice, `issuedLate` when it came after.
 */
export function noticeStatus(
  endedAt: number | null,
  issue: NoticeIssue | null,
  now: number,
  calendar: WorkingCalendar,
): NoticeStatus {
  if (endedAt === null) return { state: 'notEnded', dueDate: null, dueAt: null, workingDaysLeft: null };
  const dueDate = calendar.addWorkingDays(vnDate(endedAt), NOTICE_WORKING_DAYS);
  const dueAt = vnDayEnd(dueDate);
  if (issue) {
    return { state: issue.issuedAt > dueAt ? 'issuedLate' : 'issued', dueDate, dueAt, workingDaysLeft: null };
  }
  return {
    state: now > dueAt ? 'overdue' : 'pending',
    dueDate,
    dueAt,
    workingDaysLeft: calendar.workingDaysBetween(vnDate(now), dueDate),
  };
}

/** The last day on which documents and invitations are on time: `workingDays` working days before the meeting day. */
export function documentsDueDate(
  scheduledAt: number,
  workingDays: number,
  calendar: WorkingCalendar,
): IsoDate {
  return calendar.subtractWorkingDays(vnDate(scheduledAt), workingDays);
}

/** True when something sent at `sentAt` missed the documents deadline. */
export function isLate(sentAt: number, dueDate: IsoDate): boolean {
  return sentAt > vnDayEnd(dueDate);
}

/** When the technical check opens by itself: `minutesBefore` the start. */
export function techCheckOpensAt(scheduledAt: number, minutesBefore: number): number {
  return scheduledAt - minutesBefore * 60_000;
}

/** Sites confirm before the day: the end of the day before the meeting (Vietnam time). */
export function confirmationsDueAt(scheduledAt: number): number {
  return vnDayStart(vnDate(scheduledAt)) - 1;
}
