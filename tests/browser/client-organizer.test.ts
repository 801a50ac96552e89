/**
 * The organizer pages and the join-link error states in headless Chromium against the real hub:
 * sign in, prepare a meeting (sites from the directory, agenda, links with QR codes), then open
 * a link from a room whose browser refuses the camera, and revoke it while it is open.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { launchChromium } from '../support/browser.js';
import { startTestHub } from '../support/inProcessHub.js';
import { type ClientPage, clientState, openPage, screenshot } from './client-pages.js';

const POLL = { timeout: 15_000, interval: 200 };

/** Makes getUserMedia fail as when the user clicked "Block" in the permission prompt. */
const DENY_DEVICES = () => {
  navigator.mediaDevices.getUserMedia = () =>
    Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
};

describe('client: organizer pages and join-link errors', () => {
  let hub: Hub;
  let url: string;
  let browser: Browser;
  let org: Page;
  let joinUrl = '';

  beforeAll(async () => {
    hub = await startTestHub();
    url = hub.url.replace('localhost', '127.0.0.1');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('refuses a wrong password and signs in with the right one', async () => {
    org = (await openPage(browser, `${url}/`)).page;
    await org.getByLabel('Tên đăng nhập').fill('org');
    await org.getByLabel('Mật khẩu').fill('wrong');
    await org.getByRole('button', { name: 'Đăng nhập' }).click();
    await org.getByText('Sai tên đăng nhập hoặc mật khẩu.').waitFor();
    await screenshot(org, 'client-organizer-login');
    await org.getByLabel('Mật khẩu').fill('org-password');
    await org.getByRole('button', { name: 'Đăng nhập' }).click();
    await org.getByRole('heading', { name: 'Hội nghị' }).waitFor();
  });

  it('creates a meeting and invites sites found without diacritics, or all at once', async () => {
    await org.getByRole('link', { name: 'Tạo hội nghị' }).click();
    await org.getByLabel('Tên hội nghị').fill('Hội nghị giao ban trực tuyến tháng 11');
    await org.getByLabel('Người chủ trì').fill('Đồng chí Trưởng ban');
    await org.getByRole('button', { name: 'Tạo hội nghị' }).click();
    await org.getByRole('heading', { name: 'Hội nghị giao ban trực tuyến tháng 11' }).waitFor();

    await org.getByRole('tab', { name: /Điểm cầu/ }).click();
    await org.getByLabel('Tìm điểm cầu').fill('binh duong');
    await expect
      .poll(() => org.locator('.picker__name').allTextContents(), POLL)
      .toEqual(['Thành phố Hồ Chí Minh']);
    await org.getByLabel('Tìm điểm cầu').fill('');
    await org.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
    await expect(org.getByTestId('picker-count').textContent()).resolves.toBe('Đã chọn 35/35');
    await org.getByRole('button', { name: 'Lưu danh sách mời' }).click();
    await org.getByRole('tab', { name: 'Điểm cầu (35)' }).waitFor();
    await screenshot(org, 'client-organizer-sites');
  });

  it('writes and reorders the agenda', async () => {
    await org.getByRole('tab', { name: /Chương trình/ }).click();
    for (const title of ['Báo cáo kết quả công tác 5 tháng', 'Các điểm cầu phát biểu, kiến nghị']) {
      await org.locator('#ai-new-title').fill(title);
      await org.getByRole('button', { name: 'Thêm nội dung' }).click();
      await org
        .getByRole('tab', { name: new RegExp(`Chương trình \\(${title.startsWith('Báo') ? 1 : 2}\\)`) })
        .waitFor();
    }
    await org.getByRole('button', { name: 'Đưa nội dung 2 lên' }).click();
    await expect
      .poll(() => org.locator('.agenda-editor__item input[id$="-title"]').first().inputValue(), POLL)
      .toBe('Các điểm cầu phát biểu, kiến nghị');
    await screenshot(org, 'client-organizer-agenda');
  });

  it('issues a site link with a copy button and a QR code', async () => {
    await org.getByRole('tab', { name: 'Đường dẫn tham gia' }).click();
    await org.getByLabel('Điểm cầu', { exact: true }).selectOption({ label: 'Hà Nội' });
    await org.getByRole('button', { name: 'Cấp đường dẫn' }).click();
    const share = org.getByTestId('link-share');
    await share.waitFor();
    joinUrl = await share.getByTestId('join-url').inputValue();
    expect(joinUrl).toMatch(new RegExp(`^${url}/join#[\\w.-]{20,}$`));
    const qr = share.getByRole('img', { name: /Mã QR/ });
    await expect(qr.getAttribute('src')).resolves.toMatch(/^data:image\/png;base64,/);
    await expect
      .poll(() => qr.evaluate((i) => (i as HTMLImageElement).naturalWidth), POLL)
      .toBeGreaterThan(100);
    await screenshot(org, 'client-organizer-links');
  });

  let room: ClientPage;

  it('a room whose browser blocks the camera still joins, sees the waiting room and is told why', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await context.addInitScript(DENY_DEVICES);
    const page = await context.newPage();
    room = { page, errors: [] };
    await page.goto(joinUrl);
    await page.getByRole('heading', { name: 'Hội nghị chưa bắt đầu' }).waitFor();
    const problem = page.getByTestId('device-problem');
    await expect.poll(() => problem.textContent(), POLL).toContain('Trình duyệt chưa được phép dùng camera.');
    expect(await problem.textContent()).toContain('Trình duyệt chưa được phép dùng micrô.');
    await expect(page.getByRole('button', { name: 'Thử lại' }).count()).resolves.toBe(1);
    const state = await clientState(page);
    expect(state.phase).toBe('joined');
    expect(state.media.producerIds).toEqual({ camera: null, mic: null });
    await screenshot(page, 'client-site-devices-blocked');
  });

  it('revoking an open link ends that session with a clear message, and the link stays refused', async () => {
    const row = org.getByTestId('link-row').filter({ hasText: 'Hà Nội' });
    await row.getByRole('button', { name: 'Thu hồi' }).click();
    await row.getByRole('button', { name: /Xác nhận/ }).click();
    await expect.poll(() => row.textContent(), POLL).toContain('Đã thu hồi');
    await room.page.getByRole('heading', { name: 'Đường dẫn đã bị thu hồi' }).waitFor();

    const again = await openPage(browser, joinUrl);
    await again.page.getByRole('heading', { name: 'Đường dẫn đã hết hạn hoặc bị thu hồi' }).waitFor();
    await screenshot(again.page, 'client-link-refused');
  });

  it('a page without any join link says how to get one', async () => {
    const bare = await openPage(browser, `${url}/join`);
    await bare.page.getByRole('heading', { name: 'Không tìm thấy đường dẫn tham gia' }).waitFor();
  });
});
