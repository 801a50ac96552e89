/**
 * Booking, deadlines and the meeting's life over HTTP, against an in-process hub with the full
 * clash check (BOOKING_CLASH_CHECK=all), a capacity of 6 sites at once and a public address.
 */
import type { BookingResult, CalendarEntry, MeetingDeadlines, MeetingSummary } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { startTestHub } from '../support/inProcessHub.js';
import { login } from '../support/meeting.js';

let hub: Hub;
let url: string;
let token: string;

async function call(
  method: string,
  path: string,
  body?: unknown,
  bearer: string | null = token,
  // biome-ignore lint/suspicious/noExplicitAny: responses are read loosely; the assertions check their shape
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** A Vietnamese wall-clock instant some days from now (keeps clear of the real clock). */
const at = (daysAhead: number, hh: number, mm = 0): number => {
  const d = new Date(Date.now() + daysAhead * 86_400_000 + 7 * 3600_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh - 7, mm);
};

beforeAll(async () => {
  hub = await startTestHub({
    BOOKING_CLASH_CHECK: 'all',
    BOOKING_SITE_CAPACITY: '6',
    PUBLIC_URL: 'https://giaoban.example.gov.vn/',
  });
  url = hub.url.replace('localhost', '127.0.0.1');
  token = await login(url, 'org', 'org-password');
});
afterAll(async () => hub?.stop());

describe('booking', () => {
  it('refuses a second meeting that puts a site in two meetings at once, with a clear CONFLICT', async () => {
    const first = await call('POST', '/api/bookings', {
      title: 'Giao ban tháng với Huế',
      scheduledAt: at(40, 8),
      plannedMinutes: 120,
      hostSiteId: 'trung-uong',
      invitedSiteIds: ['hue', 'ha-noi'],
    });
    expect(first.status).toBe(201);
    const booked = first.json as BookingResult;
    expect(booked.meetingIds).toHaveLength(1);
    expect(booked.entries[0]?.end).toBe(at(40, 10));

    const clash = await call('POST', '/api/bookings', {
      title: 'Họp chuyên đề',
      scheduledAt: at(40, 9, 30),
      plannedMinutes: 60,
      hostSiteId: 'ha-noi',
      invitedSiteIds: ['da-nang'],
    });
    expect(clash.status).toBe(409);
    expect(clash.json.error.code).toBe('CONFLICT');
    expect(clash.json.error.message).toContain('site ha-noi is already in "Giao ban tháng với Huế"');
    expect(clash.json.error.message).toContain(booked.meetingIds[0]);

    // The same meeting created the plain way is refused too, and nothing was created.
    const plain = await call('POST', '/api/meetings', {
      title: 'Họp chuyên đề',
      scheduledAt: at(40, 9, 30),
      hostSiteId: 'ha-noi',
      invitedSiteIds: ['da-nang'],
    });
    expect(plain.status).toBe(409);
    const list = (await call('GET', '/api/meetings')).json as MeetingSummary[];
    expect(list.filter((m) => m.meeting.title === 'Họp chuyên đề')).toHaveLength(0);

    // Back to back is fine: the first ends at 10:00.
    const after = await call('POST', '/api/bookings', {
      title: 'Họp chuyên đề',
      scheduledAt: at(40, 10),
      plannedMinutes: 60,
      hostSiteId: 'ha-noi',
      invitedSiteIds: ['da-nang'],
    });
    expect(after.status).toBe(201);
  });

  it('refuses moving a meeting onto a booked slot and lengthening it into one', async () => {
    const a = (
      await call('POST', '/api/bookings', {
        title: 'A',
        scheduledAt: at(41, 8),
        plannedMinutes: 60,
        hostSiteId: 'quang-ninh',
      })
    ).json as BookingResult;
    const b = (
      await call('POST', '/api/bookings', {
        title: 'B',
        scheduledAt: at(41, 10),
        plannedMinutes: 60,
        hostSiteId: 'quang-ninh',
      })
    ).json as BookingResult;
    const move = await call('PATCH', `/api/meetings/${b.meetingIds[0]}`, { scheduledAt: at(41, 8, 30) });
    expect(move.status).toBe(409);
    expect(move.json.error.message).toContain('site quang-ninh is already in "A"');
    const longer = await call('PATCH', `/api/meetings/${a.meetingIds[0]}/plan`, { plannedMinutes: 150 });
    expect(longer.status).toBe(409);
    const fits = await call('PATCH', `/api/meetings/${a.meetingIds[0]}/plan`, { plannedMinutes: 120 });
    expect(fits.status).toBe(200);
    expect(fits.json.plannedMinutes).toBe(120);
  });

  it('refuses a booking that would take the hub over its capacity of sites at once', async () => {
    const ok = await call('POST', '/api/bookings', {
      title: 'Bốn điểm cầu',
      scheduledAt: at(42, 14),
      plannedMinutes: 60,
      hostSiteId: 'can-tho',
      invitedSiteIds: ['an-giang', 'ca-mau', 'vinh-long'],
    });
    expect(ok.status).toBe(201);
    const over = await call('POST', '/api/bookings', {
      title: 'Ba điểm cầu',
      scheduledAt: at(42, 14, 30),
      plannedMinutes: 60,
      hostSiteId: 'gia-lai',
      invitedSiteIds: ['dak-lak', 'lam-dong'],
    });
    expect(over.status).toBe(409);
    expect(over.json.error.message).toContain('7 sites at once');
    expect(over.json.error.message).toContain('capacity of 6');
  });

  it('books a quarterly series as one meeting per occurrence, all refused if one clashes', async () => {
    // The 10th of a month three months on, 08:00 in Vietnam, then every quarter.
    const now = new Date();
    const vnAt = (monthsAhead: number, hh: number, mm: number) =>
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + monthsAhead, 10, hh - 7, mm);
    const series = await call('POST', '/api/bookings', {
      title: 'Giao ban quý',
      scheduledAt: vnAt(3, 8, 0),
      plannedMinutes: 180,
      hostSiteId: 'nghe-an',
      invitedSiteIds: ['ha-tinh'],
      recurrence: { every: 'quarter', count: 4, moveToWorkingDay: false },
    });
    expect(series.status).toBe(201);
    const result = series.json as BookingResult;
    expect(result.meetingIds).toHaveLength(4);
    expect(result.seriesId).not.toBeNull();
    expect(new Set(result.entries.map((e) => e.seriesId))).toEqual(new Set([result.seriesId]));
    expect((result.entries[2] as CalendarEntry).start).toBe(vnAt(9, 8, 0));

    // A monthly series for one of its sites whose third month overlaps the third quarter: all refused.
    const before = (await call('GET', '/api/meetings')).json.length;
    const clashing = await call('POST', '/api/bookings', {
      title: 'Giao ban tháng Hà Tĩnh',
      scheduledAt: vnAt(3 + 6 - 2, 8, 30),
      plannedMinutes: 60,
      hostSiteId: 'ha-tinh',
      recurrence: { every: 'month', count: 12, moveToWorkingDay: false },
    });
    expect(clashing.status).toBe(409);
    expect(clashing.json.error.message).toContain('site ha-tinh is already in "Giao ban quý (3/4)"');
    expect((await call('GET', '/api/meetings')).json.length).toBe(before);

    // The calendar per bridge point lists the series.
    const entries = (
      await call(
        'GET',
        `/api/bookings?from=${vnAt(2, 0, 0)}&to=${vnAt(2, 0, 0) + 390 * 86_400_000}&siteId=ha-tinh`,
      )
    ).json as CalendarEntry[];
    expect(entries.filter((e) => e.seriesId === result.seriesId)).toHaveLength(4);
    const hosted = (
      await call(
        'GET',
        `/api/bookings?from=${vnAt(2, 0, 0)}&to=${vnAt(2, 0, 0) + 390 * 86_400_000}&hostSiteId=ha-tinh`,
      )
    ).json as CalendarEntry[];
    expect(hosted.some((e) => e.seriesId === result.seriesId)).toBe(false);
  });

  it('issues join links as absolute URLs on PUBLIC_URL', async () => {
    const m = (
      await call('POST', '/api/bookings', { title: 'L', scheduledAt: at(43, 8), hostSiteId: 'hai-phong' })
    ).json as BookingResult;
    const link = await call('POST', `/api/meetings/${m.meetingIds[0]}/links`, { role: 'observer' });
    expect(link.status).toBe(201);
    expect(link.json.url).toBe(`https://giaoban.example.gov.vn/join#${link.json.token}`);
  });
});

describe('the meeting over HTTP and its deadlines', () => {
  it('opens the tech check, goes live and ends over HTTP; the notice is then tracked to its deadline', async () => {
    const m = (
      await call('POST', '/api/bookings', {
        title: 'Giao ban điều hành',
        scheduledAt: Date.now() + 10 * 60_000,
        plannedMinutes: 60,
        hostSiteId: 'thai-nguyen',
        invitedSiteIds: ['tuyen-quang'],
      })
    ).json as BookingResult;
    const id = m.meetingIds[0] as string;
    expect((await call('POST', `/api/meetings/${id}/goLive`)).json.error.code).toBe('INVALID_STATE');
    expect((await call('POST', `/api/meetings/${id}/openTechCheck`)).json.meeting.status).toBe('techCheck');
    expect((await call('POST', `/api/meetings/${id}/goLive`)).json.meeting.status).toBe('live');
    const tooEarly = await call('POST', `/api/meetings/${id}/notice`, { reference: '01-TB/TN' });
    expect(tooEarly.status).toBe(409);
    const ended = (await call('POST', `/api/meetings/${id}/end`)).json as MeetingSummary;
    expect(ended.meeting.status).toBe('ended');

    const d = (await call('GET', `/api/meetings/${id}/deadlines`)).json as MeetingDeadlines;
    expect(d.notice.state).toBe('pending');
    expect(d.notice.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(d.notice.workingDaysLeft).toBeGreaterThanOrEqual(4);
    expect(d.notice.workingDaysLeft).toBeLessThanOrEqual(5);

    const issued = (await call('POST', `/api/meetings/${id}/notice`, { reference: '01-TB/TN' }))
      .json as MeetingDeadlines;
    expect(issued.notice.state).toBe('issued');
    expect(issued.notice.issue).toMatchObject({ reference: '01-TB/TN', by: 'org' });
  });

  it('flags an overdue notice in the tracker', async () => {
    const m = (
      await call('POST', '/api/bookings', {
        title: 'Giao ban đã qua',
        scheduledAt: Date.now() + 20 * 60_000,
        plannedMinutes: 30,
        hostSiteId: 'lao-cai',
      })
    ).json as BookingResult;
    const id = m.meetingIds[0] as string;
    await call('POST', `/api/meetings/${id}/openTechCheck`);
    await call('POST', `/api/meetings/${id}/end`);
    // Judge the tracker three weeks on: with no notice issued it is overdue.
    const schedule = hub.parts.schedule;
    const overdue = await schedule.deadlines(id);
    expect(overdue.notice.state).toBe('pending');
    const later = schedule.asOf(Date.now() + 21 * 86_400_000);
    const judged = await later.deadlines(id);
    expect(judged.notice.state).toBe('overdue');
    expect(judged.notice.workingDaysLeft).toBeLessThan(0);
    const overdueList = await later.allDeadlines(true);
    expect(overdueList.map((x) => x.meetingId)).toContain(id);
  });

  it('opens the tech check by itself from 60 minutes before the start, not earlier', async () => {
    const soon = (
      await call('POST', '/api/bookings', {
        title: 'Tự mở kiểm tra kỹ thuật',
        scheduledAt: Date.now() + 30 * 60_000,
        plannedMinutes: 60,
        hostSiteId: 'phu-tho',
      })
    ).json as BookingResult;
    const later = (
      await call('POST', '/api/bookings', {
        title: 'Chưa tới giờ',
        scheduledAt: Date.now() + 3 * 3600_000,
        plannedMinutes: 60,
        hostSiteId: 'phu-tho',
      })
    ).json as BookingResult;
    // A meeting created the plain way (no booking) is left to its chair.
    const plainOk = await call('POST', '/api/meetings', {
      title: 'Không đặt lịch',
      scheduledAt: Date.now() + 30 * 60_000,
      hostSiteId: 'bac-ninh',
    });
    const opened = await hub.parts.schedule.tick();
    expect(opened).toContain(soon.meetingIds[0]);
    expect(opened).not.toContain(later.meetingIds[0]);
    expect(opened).not.toContain(plainOk.json.meeting.id);
    expect((await call('GET', `/api/meetings/${soon.meetingIds[0]}`)).json.meeting.status).toBe('techCheck');
    expect((await call('GET', `/api/meetings/${later.meetingIds[0]}`)).json.meeting.status).toBe('scheduled');
  });

  it('lets a site confirm attendance and delegates with its own link before the day, and flags late documents', async () => {
    const m = (
      await call('POST', '/api/bookings', {
        title: 'Giao ban có xác nhận',
        scheduledAt: at(30, 8),
        hostSiteId: 'son-la',
        invitedSiteIds: ['dien-bien', 'lai-chau'],
      })
    ).json as BookingResult;
    const id = m.meetingIds[0] as string;
    const site = (await call('POST', `/api/meetings/${id}/links`, { role: 'site', siteId: 'dien-bien' }))
      .json;
    const observer = (await call('POST', `/api/meetings/${id}/links`, { role: 'observer' })).json;
    const confirmed = await call('POST', '/api/confirm', { delegates: 25 }, site.token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ siteId: 'dien-bien', attending: true, delegates: 25 });
    expect((await call('POST', '/api/confirm', { delegates: 3 }, observer.token)).json.error.code).toBe(
      'FORBIDDEN',
    );
    expect((await call('POST', '/api/confirm', { delegates: 3 }, 'not-a-token')).status).toBe(401);
    expect((await call('POST', '/api/confirm', { delegates: -1 }, site.token)).json.error.code).toBe(
      'VALIDATION',
    );
    const d = (await call('GET', `/api/meetings/${id}/deadlines`)).json as MeetingDeadlines;
    expect(d.confirmations.map((c) => c.siteId)).toEqual(['dien-bien']);
    expect(d.unconfirmedSiteIds).toEqual(['lai-chau']);
    expect(d.documentsDueDate < new Date(at(30, 8)).toISOString().slice(0, 10)).toBe(true);
    expect(d.notice.state).toBe('notEnded');
  });
});

describe('working-day calendar API', () => {
  it('lists a year’s holidays with their source, and takes an organizer’s published year', async () => {
    const y2026 = (await call('GET', '/api/calendar/holidays?year=2026')).json;
    const tet = y2026.exceptions.find((e: { date: string }) => e.date === '2026-02-17');
    expect(tet).toMatchObject({ off: true, kind: 'statutory' });
    expect(y2026.published.source).toContain('Bính Ngọ');

    const put = await call('PUT', '/api/calendar/years/2027', {
      source: 'Thông báo thử nghiệm',
      days: [{ date: '2027-02-12', off: true, name: 'Nghỉ hoán đổi' }],
    });
    expect(put.status).toBe(200);
    const y2027 = (await call('GET', '/api/calendar/holidays?year=2027')).json;
    expect(y2027.exceptions.find((e: { date: string }) => e.date === '2027-02-12')).toMatchObject({
      kind: 'published',
      source: 'Thông báo thử nghiệm',
    });
    const bad = await call('PUT', '/api/calendar/years/2027', {
      source: 'x',
      days: [{ date: '2027-02-30', off: true, name: 'x' }],
    });
    expect(bad.json.error.code).toBe('VALIDATION');
    expect((await call('GET', '/api/calendar/holidays?year=2026', undefined, null)).status).toBe(401);
  });
});
