import type {
  BookBody,
  BookingResult,
  CalendarEntry,
  HolidayEntry,
  MeetingDeadlines,
  MeetingSummary,
} from '@giaoban/shared';
import { ApiError, authStore } from '../../services/api';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const session = authStore.get().session;
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'OFFLINE', String(error));
  }
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (response.status === 401) authStore.set({ session: null });
    throw new ApiError(response.status, error?.code ?? 'INTERNAL', error?.message ?? response.statusText);
  }
  return json as T;
}

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
