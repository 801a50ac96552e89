import type {
  BookBody,
  BookingResult,
  CalendarEntry,
  HolidayEntry,
  MeetingDeadlines,
  MeetingSummary,
} from '@giaoban/shared';
import { call } from '../../services/api';

const m = (id: string) => `/api/meetings/${encodeURIComponent(id)}`;

/** The organizer's calendar, booking, deadline and lifecycle calls (the hub's /api/bookings, /api/deadlines…). */
export const scheduleApi = {
  bookings: (from: number, to: number, siteId?: string) =>
    call<CalendarEntry[]>(
      'GET',
      `/api/bookings?from=${from}&to=${to}${siteId ? `&siteId=${encodeURIComponent(siteId)}` : ''}`,
    ),
  book: (body: BookBody) => call<BookingResult>('POST', '/api/bookings', body),
  deadlines: () => call<MeetingDeadlines[]>('GET', '/api/deadlines'),
  issueNotice: (id: string, reference: string) =>
    call<MeetingDeadlines>('POST', `${m(id)}/notice`, { reference }),
  holidays: (year: number) =>
    call<{ year: number; exceptions: HolidayEntry[] }>('GET', `/api/calendar/holidays?year=${year}`),
  operate: (id: string, step: 'openTechCheck' | 'goLive' | 'end') =>
    call<MeetingSummary>('POST', `${m(id)}/${step}`),
};
