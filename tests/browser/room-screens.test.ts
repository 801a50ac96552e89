/**
 * The screens as the people in the room use them, in real Chromium at 1920×1080 (a room's TV) and
 * 1366×768 (a common meeting-room PC): the bridge point's room display (program, slides, lower
 * third, status in words, the technician's shortcuts and second window), a console that follows
 * the meeting and shows a waiting request, slides readable at a site, and the secretary's stage.
 * Checks behaviour and layout (sizes relative to the screen), never speed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SiteId } from '@giaoban/shared';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE } from '../support/inProcessHub.js';
import {
  FIXTURES,
  type SlidesHub,
  settled,
  startSlidesHub,
  upload,
  type Watcher,
  watch,
} from '../support/slides.js';
import { type ClientPage, clientState, screenshot } from './client-pages.js';

/** Four publishing browsers and a PDF conversion on a busy 2-core machine: generous limits. */
vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

const HA_NOI = 'ha-noi' as SiteId;
const HUE = 'hue' as SiteId;
const TV = { width: 1920, height: 1080 };
const PC = { width: 1366, height: 768 };
/** Generous: the machine is shared, and five browsers publish or decode video at once. */
const POLL = { timeout: 60_000, interval: 250 };
const TOPIC = 'Kiến nghị về vốn đầu tư công';

type Box = { x: number; y: number; width: number; height: number };

/** The element's box on screen (fails the test when it is not laid out). */
async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box on screen');
  return box;
}

/** True when two boxes share any area. */
const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The page's screen size. */
function viewport(page: Page): { width: number; height: number } {
  const v = page.viewportSize();
  if (!v) throw new Error('page has no viewport');
  return v;
}

/** True when the box lies inside the page's viewport. */
function onScreen(page: Page, box: Box): boolean {
  const v = page.viewportSize();
  return (
    !!v && box.x >= 0 && box.y >= 0 && box.x + box.width <= v.width + 1 && box.y + box.height <= v.height + 1
  );
}

/**
 * Opens a join link in its own context like client-pages' openPage, with longer waits: the machine
 * is shared by several suites, and loading and clicking can take well over Playwright's 30 s there.
 */
async function open(
  browser: Browser,
  url: string,
  size: { width: number; height: number },
): Promise<ClientPage> {
  const context = await browser.newContext({ viewport: size, locale: 'vi-VN' });
  context.setDefaultTimeout(90_000);
  context.setDefaultNavigationTimeout(120_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

describe('room screens: room display, console, slides and the secretary stage', () => {
  let h: SlidesHub;
  let browser: Browser;
  let watcher: Watcher;
  let documentId: string;
  let chair: ClientPage;
  let hanoi: ClientPage;
  let hue: ClientPage;
  let secretary: ClientPage;
  const joinUrl = (name: string) => `${h.url}/join#${h.links[name]?.token}`;

  beforeAll(async () => {
    h = await startSlidesHub([HA_NOI, HUE], {
      chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
      operator: { role: 'operator' },
      hanoi: { role: 'site', siteId: HA_NOI },
      hue: { role: 'site', siteId: HUE },
      secretary: { role: 'secretary', displayName: 'Thư ký hội nghị' },
    });
    watcher = await watch(h.url, h.links.operator?.token ?? '');
    const res = await upload(
      h.url,
      h.orgToken,
      h.meetingId,
      readFileSync(path.join(FIXTURES, 'anh-chup.pdf')),
      'Báo cáo tổng hợp.pdf',
      h.agendaItemIds[0],
    );
    documentId = res.json.id;
    expect(await settled(watcher, documentId)).toMatchObject({ status: 'ready' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    watcher?.socket.close();
    await browser?.close();
    await h?.stop();
  });

  it('everyone joins; the technical check is open', async () => {
    chair = await open(browser, joinUrl('chair'), TV);
    hanoi = await open(browser, joinUrl('hanoi'), TV);
    hue = await open(browser, joinUrl('hue'), PC);
    secretary = await open(browser, joinUrl('secretary'), PC);
    await chair.page.getByTestId('console-view').waitFor();
    // The hub may already have opened the technical check (it opens an hour before the start).
    const openCheck = chair.page.getByRole('button', { name: 'Mở kiểm tra kỹ thuật' });
    if (await openCheck.count()) await openCheck.click();
  });

  it('a site turns on the room display; it fills the screen with the title, the item and the status in words', async () => {
    for (const p of [hanoi, hue]) {
      await p.page.getByTestId('site-view').waitFor();
      await p.page.getByRole('button', { name: 'Chế độ phòng họp' }).click();
      const room = p.page.getByTestId('room-display');
      await room.waitFor();
      const box = await boxOf(room);
      const v = viewport(p.page);
      expect(box.width).toBe(v.width);
      expect(box.height).toBe(v.height);
      await expect
        .poll(() => p.page.getByTestId('meeting-title').textContent(), POLL)
        .toBe('Giao ban trực tuyến 5 tháng đầu năm');
      // The microphone is closed by the policy: the room reads it in words.
      await expect
        .poll(() => p.page.getByTestId('room-status').textContent(), POLL)
        .toBe('Micrô của điểm cầu đang tắt');
    }
    // The room display remembers itself: a reload comes back to it.
    await hue.page.reload();
    await hue.page.getByTestId('room-display').waitFor();
  });

  it('the console goes to the speaking queue when the meeting goes live', async () => {
    const queueTab = chair.page.getByRole('tab', { name: /Phát biểu/ });
    expect(await queueTab.getAttribute('aria-selected')).toBe('false');
    await chair.page.getByRole('button', { name: 'Bắt đầu hội nghị' }).click();
    await expect.poll(() => queueTab.getAttribute('aria-selected'), POLL).toBe('true');
    await chair.page.getByRole('tab', { name: 'Chương trình' }).click();
    await chair.page.getByRole('button', { name: 'Bắt đầu nội dung đầu tiên' }).click();
    for (const p of [hanoi, hue]) {
      await expect
        .poll(() => p.page.getByTestId('room-agenda-item').textContent(), POLL)
        .toBe('Nội dung 1/2 Báo cáo kết quả công tác 5 tháng');
    }
  });

  it('a technician requests the floor from the keyboard; the console shows the waiting request beside the program', async () => {
    await hanoi.page.keyboard.press('?');
    const help = hanoi.page.getByTestId('room-dialog-help');
    await help.getByRole('heading', { name: 'Phím tắt của kỹ thuật viên' }).waitFor();
    expect(await help.textContent()).toContain('Đăng ký phát biểu (hoặc rút đăng ký)');
    await screenshot(hanoi.page, 'room-display-help-1920');
    await hanoi.page.keyboard.press('Escape');
    await expect.poll(() => help.isVisible(), POLL).toBe(false);

    await hanoi.page.keyboard.press('r');
    const dialog = hanoi.page.getByTestId('room-dialog-request');
    await dialog.getByLabel('Nội dung phát biểu').fill(TOPIC);
    await dialog.getByLabel('Nội dung phát biểu').press('Enter');
    await dialog.getByTestId('floor-pending').waitFor();
    await hanoi.page.keyboard.press('Escape');
    await expect
      .poll(() => hanoi.page.getByTestId('room-queued').textContent(), POLL)
      .toBe('Đã đăng ký phát biểu — thứ tự 1');

    // The chair was on the agenda tab: it stays there, and the request shows where the chair looks.
    const alert = chair.page.getByTestId('request-alert');
    await alert.waitFor(POLL);
    expect(await chair.page.getByRole('tab', { name: 'Chương trình' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(await alert.textContent()).toContain('Hà Nội đăng ký phát biểu');
    expect(await alert.textContent()).toContain(TOPIC);
    expect(onScreen(chair.page, await boxOf(alert))).toBe(true);
    await screenshot(chair.page, 'console-request-1920');
    await chair.page.setViewportSize(PC);
    expect(onScreen(chair.page, await boxOf(alert))).toBe(true);
    await screenshot(chair.page, 'console-request-1366');
    await chair.page.setViewportSize(TV);
  });

  it('granted from the alert: every room display shows the speaking site, topic and time left', async () => {
    await chair.page
      .getByTestId('request-alert')
      .getByRole('button', { name: 'Cho phát biểu: Hà Nội' })
      .click();
    for (const p of [hanoi, hue]) {
      await expect.poll(() => p.page.getByTestId('room-speaker-site').textContent(), POLL).toBe('Hà Nội');
      expect(await p.page.getByTestId('room-speaker-topic').textContent()).toBe(TOPIC);
      const countdown = p.page.getByTestId('room-lower-third').getByTestId('floor-countdown');
      expect(await countdown.textContent()).toMatch(/^\d+:\d\d$/);
      // Legible from the back of the room: the speaking site's name is at least 4% of the screen height.
      const size = await p.page
        .getByTestId('room-speaker-site')
        .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
      expect(size).toBeGreaterThanOrEqual(viewport(p.page).height * 0.04);
    }
    await expect
      .poll(() => hanoi.page.getByTestId('room-status').textContent(), POLL)
      .toBe('Đang phát biểu — micrô của điểm cầu đang mở');
    expect(await hue.page.getByTestId('room-status').textContent()).toBe('Micrô của điểm cầu đang tắt');
    // The secretary's small stage names the topic too (the minutes need it).
    const stage = secretary.page.locator('.stage--small');
    await expect.poll(() => stage.textContent(), POLL).toContain(TOPIC);
    expect(await stage.getByText(TOPIC).isVisible()).toBe(true);
    await screenshot(secretary.page, 'secretary-stage-topic-1366');
    // Done with the secretary: one browser fewer on a shared machine.
    await secretary.page.context().close();
  });

  it('report slides sit beside the program at a readable size, with the page number, at 1920×1080 and 1366×768', async () => {
    await chair.page.getByRole('tab', { name: 'Trình chiếu' }).click();
    // The library is a disclosure: open it unless it already is.
    // Opening an agenda item with a deck shows it by itself (agenda-driven presenting); otherwise
    // the chair shows it from the library, a disclosure opened unless it already is.
    const shown = hanoi.page.getByTestId('slides-page');
    if (!(await shown.isVisible())) {
      const show = chair.page.getByRole('button', { name: 'Trình chiếu: Báo cáo tổng hợp.pdf' });
      if (!(await show.isVisible())) await chair.page.getByText('Tài liệu (1)').click();
      await show.click();
    }
    for (const p of [hanoi, hue]) {
      const img = p.page.getByTestId('slides-page');
      await expect
        .poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), POLL)
        .toBeGreaterThan(0);
      const v = viewport(p.page);
      const box = await boxOf(img);
      // Beside the program a 16:9 page takes over half the screen's width (not a 340 px column).
      expect(box.width).toBeGreaterThanOrEqual(v.width * 0.5);
      expect(await p.page.getByTestId('slides-page-count').textContent()).toMatch(/^Trang 1\/\d+$/);
      expect(overlaps(box, await boxOf(p.page.getByTestId('program-video')))).toBe(false);
      await expect.poll(() => p.page.getByTestId('room-speaker-site').textContent(), POLL).toBe('Hà Nội');
    }
    await screenshot(hanoi.page, 'room-display-slides-1920');
    await screenshot(hue.page, 'room-display-slides-1366');
    // S cycles the layout: slides only gives the page the whole width it can take.
    await hue.page.keyboard.press('s');
    await expect
      .poll(() => hue.page.getByTestId('room-display').getAttribute('data-layout'), POLL)
      .toBe('slides');
    expect(await hue.page.getByTestId('program-video').count()).toBe(0);
    const wide = await boxOf(hue.page.getByTestId('slides-page'));
    expect(wide.width).toBeGreaterThanOrEqual(PC.width * 0.58);
    await hue.page.keyboard.press('s');
    await expect
      .poll(() => hue.page.getByTestId('room-display').getAttribute('data-layout'), POLL)
      .toBe('program');
    await hue.page.keyboard.press('s');
    await expect
      .poll(() => hue.page.getByTestId('room-display').getAttribute('data-layout'), POLL)
      .toBe('both');
  });

  it("the technician's second window declares the delegates and turns the camera off and on through the room display", async () => {
    const tech = await hue.page.context().newPage();
    await tech.setViewportSize({ width: 520, height: 820 });
    await tech.goto(`${h.url}/join?technician`);
    await expect
      .poll(() => tech.getByRole('status').first().textContent(), POLL)
      .toBe('Đang điều khiển màn hình phòng họp của Huế');
    await tech.getByLabel('Số đại biểu có mặt tại điểm cầu').fill('42');
    await tech.getByRole('button', { name: 'Cập nhật' }).click();
    const row = chair.page.locator(`[data-testid="rollcall-row"][data-site-id="${HUE}"]`);
    await chair.page.getByRole('tab', { name: 'Điểm danh' }).click();
    await expect.poll(() => row.getByTestId('rollcall-delegates').textContent(), POLL).toBe('42');
    // Hue's microphone is closed by the policy: no mute button contradicts it in the window either.
    expect(await tech.getByTestId('mic-state').textContent()).toBe(
      'Micrô của điểm cầu đang tắt — tự mở khi được phát biểu',
    );
    expect(await tech.getByRole('button', { name: 'Tắt micrô' }).count()).toBe(0);
    await screenshot(tech, 'technician-window');
    await tech.getByRole('button', { name: 'Tắt camera' }).click();
    await expect.poll(async () => (await clientState(hue.page)).media.camera, POLL).toBe('off');
    await tech.getByRole('button', { name: 'Bật camera' }).click();
    await expect.poll(async () => (await clientState(hue.page)).media.camera, POLL).toBe('on');
    await tech.close();
  });

  it('on the control panel the slides take the large place; enlarged, the speaker never covers the page', async () => {
    await hanoi.page.keyboard.press('b');
    await hanoi.page.getByTestId('site-view').waitFor();
    const img = hanoi.page.getByTestId('slides-page');
    await expect.poll(async () => (await boxOf(img)).width, POLL).toBeGreaterThanOrEqual(TV.width * 0.5);
    expect(await hanoi.page.getByTestId('slides-page-count').textContent()).toMatch(/^Trang 1\/\d+$/);
    await screenshot(hanoi.page, 'site-control-slides-1920');
    await hanoi.page.getByRole('button', { name: 'Phóng to' }).click();
    const corner = hanoi.page.getByTestId('slides-program-corner');
    await corner.waitFor(POLL);
    const page = await boxOf(img);
    expect(overlaps(page, await boxOf(corner))).toBe(false);
    expect(page.width).toBeGreaterThanOrEqual(TV.width * 0.6);
    await screenshot(hanoi.page, 'site-slides-enlarged-1920');
    await hanoi.page.keyboard.press('Escape');
    await hanoi.page.getByRole('button', { name: 'Phóng to' }).waitFor(POLL);
  });

  it('the console uses its screen: a 16:9 program without bars, tabs on one row, network in words', async () => {
    for (const size of [TV, PC]) {
      await chair.page.setViewportSize(size);
      const stage = await boxOf(chair.page.locator('.stage--console'));
      expect(Math.abs(stage.width / stage.height - 16 / 9)).toBeLessThan(0.03);
      const tabs = await chair.page
        .getByRole('tab')
        .evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
      expect(new Set(tabs).size).toBe(1);
      const badges = await chair.page.getByTestId('net-badge').allTextContents();
      expect(badges.length).toBeGreaterThan(0);
      for (const b of badges) expect(['Tốt', 'Yếu', 'Mất kết nối', 'Chưa đo']).toContain(b);
      await screenshot(chair.page, `console-live-${size.width}`);
    }
    await chair.page.setViewportSize(TV);
  });

  it('after the turn the control panel says the microphone waits for the floor, without a contradicting button', async () => {
    // On a loaded machine the two-minute turn may have run out already; else the chair ends it.
    const revoke = chair.page.getByRole('button', { name: 'Dừng phát biểu' });
    if (await revoke.count()) await revoke.click();
    await expect
      .poll(() => hanoi.page.getByTestId('mic-state').textContent(), POLL)
      .toBe('Micrô của điểm cầu đang tắt — tự mở khi được phát biểu');
    expect(await hanoi.page.getByRole('button', { name: 'Tắt micrô' }).count()).toBe(0);
    await screenshot(hue.page, 'room-display-1366');
  });

  it('logged no errors in any page', () => {
    const errors = [chair, hanoi, hue, secretary].flatMap((p) => p?.errors ?? ['page never opened']);
    // A reload interrupts requests in flight (and a consumer being built on the transport it closes).
    expect(
      errors.filter(
        (e) =>
          !/ERR_NETWORK_CHANGED|net::ERR_ABORTED|ERR_CONNECTION|RequestError: \S+ timed out|consume\(\) \| could not build consumer .* InvalidStateError: closed/.test(
            e,
          ),
      ),
    ).toEqual([]);
  });
});
