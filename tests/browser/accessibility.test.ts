/**
 * Every view of the client audited with axe-core in real Chromium, and photographed at 1920×1080
 * (a room's TV) and 1366×768 (a common meeting-room PC) into test-results/screenshots: the
 * organizer's pages (sign-in, meetings, calendar, a new meeting, each section of a meeting,
 * statistics), the
 * join-link error pages, and every role's screen before and after the meeting goes live (chair's
 * and operator's console with each panel, a site's control panel, its room display and the
 * technician's window, an observer, a secretary's workspace). No view may have a serious or
 * critical violation; minor and moderate ones are printed.
 */
import type { SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE, type MeetingFixture, setupMeeting } from '../support/inProcessHub.js';
import { audit, describeAudit } from './axe.js';
import { screenshot } from './client-pages.js';

/** Five pages, two of them publishing, on a busy 2-core machine: generous limits. */
vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

const HA_NOI = 'ha-noi' as SiteId;
const TV = { width: 1920, height: 1080 };
const PC = { width: 1366, height: 768 };
const POLL = { timeout: 60_000, interval: 250 };

/**
 * Opens `url` in a fresh context (its own storage, like another computer) with long waits. The
 * context bypasses the hub's Content-Security-Policy only so the audit can inject axe-core.
 */
async function open(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: TV, locale: 'vi-VN', bypassCSP: true });
  context.setDefaultTimeout(90_000);
  context.setDefaultNavigationTimeout(120_000);
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/**
 * Audits what the page shows at both screen sizes and saves a screenshot of each as
 * `<view>-1920.png` and `<view>-1366.png`; fails on any serious or critical violation.
 */
async function check(page: Page, view: string): Promise<void> {
  const found: string[] = [];
  for (const size of [TV, PC]) {
    await page.setViewportSize(size);
    // Let the layout follow the new size before looking (a frame is enough; two to be safe).
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await screenshot(page, `${view}-${size.width}`);
    const result = await audit(page, `${view} at ${size.width}×${size.height}`);
    if (result.advisory.length) console.log(describeAudit(result, 'advisory'));
    if (result.blocking.length) found.push(describeAudit(result, 'blocking'));
  }
  await page.setViewportSize(TV);
  expect(found.join('\n'), `serious or critical accessibility violations in ${view}`).toBe('');
}

/** Audits each tab of the page's first tab list in turn (named `<view>-<tab id>`). */
async function checkTabs(page: Page, view: string): Promise<void> {
  const tabs = page.getByRole('tablist').first().getByRole('tab');
  const count = await tabs.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    await tabs.nth(i).click();
    await expect.poll(() => tabs.nth(i).getAttribute('aria-selected'), POLL).toBe('true');
    const id = (await tabs.nth(i).getAttribute('id'))?.split('-tab-')[1] ?? String(i + 1);
    await check(page, `${view}-${id}`);
  }
}

describe('accessibility: every view audited with axe-core and photographed at 1920×1080 and 1366×768', () => {
  let m: MeetingFixture;
  let browser: Browser;
  let org: Page;
  let chair: Page;
  let operator: Page;
  let site: Page;
  let observer: Page;
  let secretary: Page;
  const joinUrl = (name: string) => `${m.url}/join#${m.links[name]?.token}`;

  beforeAll(async () => {
    m = await setupMeeting([HA_NOI], {
      chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
      operator: { role: 'operator' },
      hanoi: { role: 'site', siteId: HA_NOI },
      observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
      secretary: { role: 'secretary', displayName: 'Thư ký hội nghị' },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await m?.hub.stop();
  });

  it('organizer: sign-in page', async () => {
    org = await open(browser, `${m.url}/`);
    await org.getByLabel('Tên đăng nhập').waitFor();
    await check(org, 'organizer-login');
  });

  it('organizer: the meetings list', async () => {
    await org.getByLabel('Tên đăng nhập').fill('org');
    await org.getByLabel('Mật khẩu').fill('org-password');
    await org.getByRole('button', { name: 'Đăng nhập' }).click();
    await org.getByRole('heading', { name: 'Hội nghị' }).waitFor();
    await org.getByText('Hội nghị giao ban trực tuyến quý IV').first().waitFor();
    await check(org, 'organizer-meetings');
  });

  it('organizer: the calendar', async () => {
    await org.goto(`${m.url}/#/calendar`);
    await org.getByRole('main').waitFor();
    await org.getByText('Hội nghị giao ban trực tuyến quý IV').first().waitFor();
    await check(org, 'organizer-calendar');
  });

  it('organizer: a new meeting', async () => {
    await org.goto(`${m.url}/#/meetings/new`);
    await org.getByLabel('Tên hội nghị').waitFor();
    await check(org, 'organizer-new-meeting');
  });

  it('organizer: every section of a meeting', async () => {
    await org.goto(`${m.url}/#/meetings/${encodeURIComponent(m.meetingId)}`);
    await org.getByRole('heading', { name: 'Hội nghị giao ban trực tuyến quý IV' }).waitFor();
    await checkTabs(org, 'organizer-meeting');
  });

  it('join pages: a refused link and a page without a link', async () => {
    const refused = await open(browser, `${m.url}/join#not-a-link`);
    await refused.getByRole('heading').first().waitFor();
    await check(refused, 'join-refused');
    await refused.goto(`${m.url}/join`);
    await refused.getByRole('heading', { name: 'Không tìm thấy đường dẫn tham gia' }).waitFor();
    await check(refused, 'join-missing');
    await refused.context().close();
  });

  it('before the meeting: chair console with each panel, operator, site, observer, secretary', async () => {
    chair = await open(browser, joinUrl('chair'));
    operator = await open(browser, joinUrl('operator'));
    site = await open(browser, joinUrl('hanoi'));
    observer = await open(browser, joinUrl('observer'));
    secretary = await open(browser, joinUrl('secretary'));
    await chair.getByTestId('console-view').waitFor();
    const openCheck = chair.getByRole('button', { name: 'Mở kiểm tra kỹ thuật' });
    if (await openCheck.count()) await openCheck.click();
    await chair.getByRole('button', { name: 'Bắt đầu hội nghị' }).waitFor();
    await checkTabs(chair, 'console-check');
    await site.getByTestId('site-view').waitFor();
    await check(site, 'site-check');
    await observer.getByTestId('observer-view').or(observer.getByTestId('waiting-room')).first().waitFor();
    await check(observer, 'observer-check');
  });

  it('the meeting goes live: chair console with each panel', async () => {
    await chair.getByRole('button', { name: 'Bắt đầu hội nghị' }).click();
    await chair.getByRole('tab', { name: 'Chương trình' }).click();
    await chair.getByRole('button', { name: 'Bắt đầu nội dung đầu tiên' }).click();
    await checkTabs(chair, 'console-live');
    // At 1366×768 the six panel labels share one row, each whole (broken between words, never cut).
    await chair.setViewportSize(PC);
    const tabs = chair.getByRole('tablist').first().getByRole('tab');
    const tops = await tabs.evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    const cut = await tabs.evaluateAll((els) =>
      els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent),
    );
    expect(cut).toEqual([]);
    await chair.setViewportSize(TV);
  });

  it("operator's console", async () => {
    await operator.getByTestId('console-view').waitFor();
    await check(operator, 'operator-console');
  });

  it("a site's control panel; it asks for the floor and the console shows the request", async () => {
    await check(site, 'site-live');
    await site.getByLabel('Nội dung phát biểu').fill('Kiến nghị về vốn đầu tư công');
    await site.getByRole('button', { name: 'Đăng ký phát biểu' }).click();
    await site.getByRole('button', { name: 'Rút đăng ký' }).waitFor();
    await check(site, 'site-floor-pending');
    await chair.getByTestId('request-alert').waitFor();
    await check(chair, 'console-request');
  });

  it("the console opens a site's link over the last minutes from its tile: level, reason in words, plot", async () => {
    const tile = chair.locator(`[data-testid="site-tile"][data-site-id="${HA_NOI}"]`);
    const badge = tile.getByTestId('net-badge');
    await badge.click();
    const details = chair.getByTestId('site-quality');
    await details.waitFor();
    expect(await badge.getAttribute('aria-expanded')).toBe('true');
    expect(await details.getAttribute('data-site-id')).toBe(HA_NOI);
    expect(await details.getByRole('heading').textContent()).toBe('Đường truyền của Hà Nội');
    // Hà Nội publishes its camera: the console measures it, and the plot fills in sample by sample.
    const plot = details.getByTestId('quality-plot');
    await expect
      .poll(async () => Number(await plot.getAttribute('data-samples')), POLL)
      .toBeGreaterThanOrEqual(3);
    await expect
      .poll(
        async () =>
          (await details.getByTestId('quality-plot-kbps').getAttribute('points'))?.split(' ').length ?? 0,
        POLL,
      )
      .toBeGreaterThanOrEqual(2);
    expect(await plot.getAttribute('aria-label')).toMatch(
      /^Biểu đồ 5 phút gần nhất: mất gói cao nhất [\d,]+%, tốc độ nhận trung bình \d+ kbps$/,
    );
    expect(['good', 'weak']).toContain(await details.getAttribute('data-level'));
    expect(await details.getByTestId('site-quality-reason').textContent()).toMatch(
      /^(Đường truyền ổn định|Hình mất [\d,]+% gói tin — có thể giật|Mất [\d,]+% gói tin — hình và tiếng bị gián đoạn|Điểm cầu báo đường truyền kém \(mất gói hoặc trễ cao\))$/,
    );
    await check(chair, 'console-site-quality');
    await details.getByRole('button', { name: 'Đóng' }).click();
    await expect.poll(() => details.count(), POLL).toBe(0);
    expect(await badge.getAttribute('aria-expanded')).toBe('false');
  });

  it("a site's room display, its shortcut help and the technician's window", async () => {
    await site.getByRole('button', { name: 'Chế độ phòng họp' }).click();
    await site.getByTestId('room-display').waitFor();
    await check(site, 'room-display');
    await site.keyboard.press('?');
    await site.getByTestId('room-dialog-help').waitFor();
    await check(site, 'room-display-help');
    await site.keyboard.press('Escape');
    const tech = await site.context().newPage();
    await tech.goto(`${m.url}/join?technician`);
    await expect
      .poll(() => tech.getByRole('status').first().textContent(), POLL)
      .toBe('Đang điều khiển màn hình phòng họp của Hà Nội');
    await check(tech, 'technician-window');
    await tech.close();
  });

  it('an observer', async () => {
    await observer.getByTestId('observer-view').waitFor();
    await check(observer, 'observer-live');
  });

  it("a secretary's workspace", async () => {
    await secretary.getByTestId('secretary-view').waitFor();
    await check(secretary, 'secretary-live');
  });

  it('organizer: statistics across meetings, with the live meeting counted', async () => {
    await org.goto(`${m.url}/#/statistics`);
    await org.getByRole('heading', { name: 'Thống kê điểm cầu qua các cuộc họp' }).waitFor();
    // The range up to tomorrow (Vietnam time) holds the meeting whatever the hour.
    const tomorrow = new Date(Date.now() + 7 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    await org.getByLabel('Đến ngày').fill(tomorrow);
    await org.getByTestId('stats-table').waitFor();
    await org
      .getByRole('img', { name: /Số phút dự họp của/ })
      .first()
      .waitFor();
    await check(org, 'organizer-statistics');
    // "Tải CSV" saves the hub's file with the organizer's session: UTF-8 with a BOM, Vietnamese headers.
    const [download] = await Promise.all([
      org.waitForEvent('download'),
      org.getByRole('button', { name: 'Tải CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const csv = Buffer.concat(chunks);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain('Hà Nội');
  });
});
