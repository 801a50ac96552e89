/**
 * The organizer's calendar in headless Chromium against the real hub: a booked meeting on its day,
 * a clashing booking refused in words, and a conclusion notice recorded in the tracker. The
 * organizer's browser is in Paris (Chromium's timezoneId): the booking form and the meeting form
 * still read and show Vietnam time (a Paris reading would put the clashing booking six hours off).
 */
import type { BookingResult } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { launchChromium } from '../support/browser.js';
import { startTestHub } from '../support/inProcessHub.js';
import { api, login } from '../support/meeting.js';
import { screenshot } from './client-pages.js';

const POLL = { timeout: 15_000, interval: 200 };

/** What a date-time field shows for `at` on Vietnam time (UTC+7, no daylight saving). */
const vietnamInput = (at: number): string => new Date(at + 7 * 3600_000).toISOString().slice(0, 16);

describe('client: organizer calendar', () => {
  let hub: Hub;
  let url: string;
  let browser: Browser;
  let org: Page;
  let booked: BookingResult;
  let endedId = '';

  beforeAll(async () => {
    hub = await startTestHub({ BOOKING_CLASH_CHECK: 'all' });
    url = hub.url.replace('localhost', '127.0.0.1');
    const token = await login(url, 'org', 'org-password');
    booked = await api<BookingResult>(url, 'POST', '/api/bookings', token, {
      title: 'Giao ban trực tuyến với Huế',
      scheduledAt: Date.now() + 2 * 86_400_000,
      plannedMinutes: 480,
      hostSiteId: 'trung-uong',
      invitedSiteIds: ['hue'],
    });
    const ended = await api<BookingResult>(url, 'POST', '/api/bookings', token, {
      title: 'Hội nghị đã kết thúc',
      scheduledAt: Date.now() + 30 * 60_000,
      plannedMinutes: 30,
      hostSiteId: 'da-nang',
    });
    endedId = ended.meetingIds[0] ?? '';
    await api(url, 'POST', `/api/meetings/${endedId}/openTechCheck`, token);
    await api(url, 'POST', `/api/meetings/${endedId}/end`, token);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('shows the booked meeting on its day and refuses a clashing booking with the reason', async () => {
    // An organizer travelling in Europe: the browser's zone is not Vietnam's.
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'vi-VN',
      timezoneId: 'Europe/Paris',
    });
    context.setDefaultTimeout(60_000);
    org = await context.newPage();
    await org.goto(`${url}/`);
    expect(await org.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('Europe/Paris');
    await org.getByLabel('Tên đăng nhập').fill('org');
    await org.getByLabel('Mật khẩu').fill('org-password');
    await org.getByRole('button', { name: 'Đăng nhập' }).click();
    await org.getByRole('link', { name: 'Lịch', exact: true }).click();
    await org.getByRole('heading', { name: 'Lịch hội nghị', exact: true }).waitFor();
    const day = new Date((booked.entries[0]?.start ?? 0) + 7 * 3600_000).toISOString().slice(0, 10);
    await org.getByTestId(`day-${day}`).getByRole('link', { name: 'Giao ban trực tuyến với Huế' }).waitFor();

    const form = org.getByRole('form', { name: 'Đặt lịch hội nghị' });
    await form.getByLabel('Tên hội nghị').fill('Họp chuyên đề');
    // Three hours into the 8-hour booked meeting, typed as Vietnamese wall-clock time: read as Paris
    // time it would start six hours later, after the booked meeting ends, and not clash.
    await form
      .getByLabel('Thời gian (giờ Việt Nam)')
      .fill(vietnamInput((booked.entries[0]?.start ?? 0) + 3 * 3600_000));
    await form.getByLabel('Điểm cầu chủ trì').selectOption({ label: 'Huế' });
    await form.getByRole('button', { name: 'Đặt lịch' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    await expect.poll(() => alert.textContent(), POLL).toContain('Trùng lịch, chưa đặt được:');
    expect(await alert.textContent()).toContain('site hue is already in "Giao ban trực tuyến với Huế"');
    await screenshot(org, 'client-organizer-calendar');
  });

  it('tracks the conclusion notice of an ended meeting and records it as issued', async () => {
    const row = org.getByTestId(`notice-${endedId}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Chờ ban hành');
    await row.getByLabel(/Số, ký hiệu thông báo/).fill('15-TB/BTC');
    await row.getByRole('button', { name: 'Ghi nhận đã ban hành' }).click();
    await expect.poll(() => row.textContent(), POLL).toContain('Đã ban hành');
    expect(await row.textContent()).toContain('15-TB/BTC');
  });

  it('the meeting form shows the booked start on Vietnam time', async () => {
    const start = booked.entries[0]?.start ?? 0;
    await org.goto(`${url}/#/meetings/${booked.meetingIds[0]}`);
    const field = org.getByLabel('Thời gian (giờ Việt Nam)');
    await expect.poll(() => field.inputValue(), POLL).toBe(vietnamInput(start));
  });
});
