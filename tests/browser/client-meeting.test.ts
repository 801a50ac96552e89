/**
 * The client end to end in headless Chromium with fake camera and microphone: a chair, two
 * bridge points and an observer run a short meeting through the real hub (in-process, media on
 * loopback). Checks what each user sees and which remote track each main stage decodes.
 */
import { execSync } from 'node:child_process';
import type { MeetingId, SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE, type MeetingFixture, setupMeeting } from '../support/inProcessHub.js';
import {
  type ClientPage,
  clientState,
  forceRequest,
  hearsSite,
  openPage,
  programInfo,
  screenshot,
  waitForProgram,
} from './client-pages.js';

const SITE1 = 'ha-noi' as SiteId;
const SITE2 = 'hue' as SiteId;
/** Generous: a 2-core machine running four publishing browsers is slow, not broken. */
const POLL = { timeout: 30_000, interval: 250 };

describe('client: a short meeting with a chair, two sites and an observer', () => {
  let fx: MeetingFixture;
  let browser: Browser;
  let chair: ClientPage;
  let site1: ClientPage;
  let site2: ClientPage;
  let observer: ClientPage;
  let secretary: ClientPage;
  const joinUrl = (name: string) => `${fx.url}/join#${fx.links[name]?.token}`;
  const producerOf = async (p: Page) => (await clientState(p)).media.producerIds.camera;
  /** The camera the hub's program stream carries now (the stage decodes that stream, not the camera). */
  const programSource = async (): Promise<string | null> =>
    (await fx.hub.parts.media.get(fx.meetingId as MeetingId)).program.sourceProducerId;

  beforeAll(async () => {
    fx = await setupMeeting([SITE1, SITE2], {
      chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
      site1: { role: 'site', siteId: SITE1 },
      site2: { role: 'site', siteId: SITE2 },
      observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
      secretary: { role: 'secretary', displayName: 'Thư ký hội nghị' },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await fx?.hub.stop();
  });

  it('everyone joins: the chair gets the console, sites wait until the tech check opens', async () => {
    chair = await openPage(browser, joinUrl('chair'));
    site1 = await openPage(browser, joinUrl('site1'));
    site2 = await openPage(browser, joinUrl('site2'), { width: 1366, height: 768 });
    observer = await openPage(browser, joinUrl('observer'), { width: 1366, height: 768 });
    secretary = await openPage(browser, joinUrl('secretary'));
    await chair.page.getByTestId('console-view').waitFor();
    await site1.page.getByRole('heading', { name: 'Hội nghị chưa bắt đầu' }).waitFor();
    await screenshot(site1.page, 'client-site-waiting-room');
    // The join link's token leaves the address bar (it stays in sessionStorage for reloads).
    expect(site1.page.url()).toBe(`${fx.url}/join`);

    await chair.page.getByRole('button', { name: 'Mở kiểm tra kỹ thuật' }).click();
    for (const p of [site1, site2]) await p.page.getByTestId('site-view').waitFor();
    await observer.page.getByTestId('observer-view').waitFor();
    await secretary.page.getByTestId('secretary-view').waitFor();
  });

  it('the roll call shows both sites connected with their declared delegates', async () => {
    for (const [p, n] of [
      [site1, '25'],
      [site2, '1189'],
    ] as const) {
      await p.page.getByLabel('Số đại biểu có mặt tại điểm cầu').fill(n);
      await p.page.getByRole('button', { name: 'Cập nhật' }).click();
    }
    await chair.page.getByRole('tab', { name: 'Điểm danh' }).click();
    const row = (site: string) => chair.page.locator(`[data-testid="rollcall-row"][data-site-id="${site}"]`);
    await expect.poll(() => row(SITE1).getByTestId('rollcall-delegates').textContent(), POLL).toBe('25');
    await expect.poll(() => row(SITE2).getByTestId('rollcall-delegates').textContent(), POLL).toBe('1.189');
    // Media flowing; 'poor' is media flowing over a bad link (a loaded test machine can look like one).
    for (const site of [SITE1, SITE2]) {
      await expect.poll(() => row(site).getAttribute('data-connection'), POLL).toMatch(/^(media|poor)$/);
    }
    await expect
      .poll(() => chair.page.getByTestId('attendance-totals').textContent(), POLL)
      .toBe('3/3 điểm cầu · 1.214 đại biểu');
    await screenshot(chair.page, 'client-console-rollcall');
  });

  it('site 1 requests the floor with a topic; the chair grants it; everyone decodes and hears site 1', async () => {
    await chair.page.getByRole('button', { name: 'Bắt đầu hội nghị' }).click();
    await chair.page.getByRole('tab', { name: 'Chương trình' }).click();
    await chair.page.getByRole('button', { name: 'Bắt đầu nội dung đầu tiên' }).click();

    await site1.page.getByLabel('Nội dung phát biểu').fill('Kiến nghị về vốn đầu tư công');
    await site1.page.getByRole('button', { name: 'Đăng ký phát biểu' }).click();
    await site1.page.getByTestId('floor-pending').waitFor();

    await chair.page.getByRole('tab', { name: /Phát biểu/ }).click();
    const item = chair.page.getByTestId('queue-item');
    await expect.poll(() => item.textContent(), POLL).toContain('Kiến nghị về vốn đầu tư công');
    await screenshot(chair.page, 'client-console-queue');
    await item.getByRole('button', { name: 'Cho phát biểu: Hà Nội' }).click();

    const site1Camera = await producerOf(site1.page);
    expect(site1Camera).toBeTruthy();
    for (const p of [site2, observer, chair]) {
      await waitForProgram(p.page, site1Camera, programSource);
      expect((await programInfo(p.page)).siteId).toBe(SITE1);
    }
    for (const p of [site2, observer, chair])
      await expect.poll(() => hearsSite(p.page, SITE1), POLL).toBe(true);
    await expect.poll(async () => (await clientState(site1.page)).mic?.open, POLL).toBe(true);
    // Site 2 has not got the floor: its microphone stays closed.
    expect((await clientState(site2.page)).mic?.open).toBe(false);
  });

  it('the countdown runs on the console and at the speaking site', async () => {
    const countdown = chair.page.getByTestId('floor-card').getByTestId('floor-countdown');
    const first = await countdown.textContent();
    await expect.poll(() => countdown.textContent(), POLL).not.toBe(first);
    const yourTurn = site1.page.getByTestId('your-turn');
    await expect(yourTurn.textContent()).resolves.toMatch(/Bạn đang được phát biểu — [0-2]:\d\d còn lại/);
    await screenshot(site1.page, 'client-site-speaking');
    await screenshot(site2.page, 'client-site-laptop-watching');
    await screenshot(observer.page, 'client-observer');
    await screenshot(chair.page, 'client-console-floor');
  });

  it('the secretary follows the current item in the workspace', async () => {
    // The workspace itself (minutes, conclusions) has its own tests; here: the view is there and current.
    await secretary.page.getByTestId('secretary-view').waitFor();
    await expect
      .poll(() => secretary.page.locator('.mheader__item').textContent(), POLL)
      .toContain('Báo cáo kết quả công tác 5 tháng');
    await screenshot(secretary.page, 'client-secretary');
  });

  it('revoking the floor returns the main stage to the chair', async () => {
    await chair.page.getByRole('button', { name: 'Dừng phát biểu' }).click();
    const chairCamera = await producerOf(chair.page);
    for (const p of [site2, observer]) {
      await waitForProgram(p.page, chairCamera, programSource);
      expect((await programInfo(p.page)).siteId).toBe(HOST_SITE);
    }
    await expect.poll(async () => (await clientState(site1.page)).mic?.open, POLL).toBe(false);
  });

  it('a site sees no moderator controls, and the server refuses them when forced', async () => {
    for (const name of ['Cho phát biểu', 'Dừng phát biểu', 'Kết thúc hội nghị', 'Ghim', 'Mở mic']) {
      expect(await site2.page.getByRole('button', { name }).count()).toBe(0);
    }
    const grant = await forceRequest(site2.page, 'floor:grant', { siteId: SITE2 });
    expect(grant).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const end = await forceRequest(site2.page, 'meeting:end', {});
    expect(end).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await clientState(chair.page)).snapshot?.meeting.status).toBe('live');
  });

  it('switching to English changes the text, and the choice survives a reload', async () => {
    await site2.page.getByRole('button', { name: 'English' }).click();
    await site2.page.getByRole('heading', { name: 'Request the floor' }).waitFor();
    expect(await site2.page.getByTestId('meeting-status').textContent()).toBe('Live');
    expect(await site2.page.locator('html').getAttribute('lang')).toBe('en');
    await site2.page.reload();
    await site2.page.getByRole('heading', { name: 'Request the floor' }).waitFor();
    await screenshot(site2.page, 'client-site-english');
  });

  it('a reload puts each user back in the same state', async () => {
    await site1.page.getByLabel('Nội dung phát biểu').fill('Giải ngân vốn');
    await site1.page.getByRole('button', { name: 'Đăng ký phát biểu' }).click();
    await site1.page.getByTestId('floor-pending').waitFor();

    await site1.page.reload();
    await site1.page.getByTestId('site-view').waitFor();
    await expect
      .poll(() => site1.page.getByTestId('floor-pending').textContent(), POLL)
      .toContain('Giải ngân vốn');
    await expect.poll(() => site1.page.getByTestId('declared-delegates').textContent(), POLL).toContain('25');

    await chair.page.reload();
    await chair.page.getByTestId('console-view').waitFor();
    await chair.page.getByRole('tab', { name: /Phát biểu/ }).click();
    await expect
      .poll(() => chair.page.getByTestId('queue-item').textContent(), POLL)
      .toContain('Giải ngân vốn');
    // The chair's camera is published again, and the others decode it on the main stage.
    await expect.poll(() => producerOf(chair.page), POLL).toBeTruthy();
    const chairCamera = await producerOf(chair.page);
    await waitForProgram(observer.page, chairCamera, programSource);
  });

  it('after a dropped connection every page rejoins and rebuilds its media by itself', async () => {
    const watchBanner = (p: Page) =>
      p.evaluate(() => {
        const seen = globalThis as unknown as { sawReconnecting: boolean };
        seen.sawReconnecting = false;
        new MutationObserver(() => {
          if (document.querySelector('[data-testid="reconnecting-banner"]')) seen.sawReconnecting = true;
        }).observe(document.body, { childList: true, subtree: true });
      });
    await watchBanner(site2.page);
    const before = (await programInfo(site2.page)).stream;
    // Cut every TCP connection to the hub, as a flaky network would (we are root in a private netns).
    execSync(`ss -K dst 127.0.0.1 dport = :${new URL(fx.url).port}`);
    await expect
      .poll(
        () =>
          site2.page.evaluate(() => (globalThis as unknown as { sawReconnecting: boolean }).sawReconnecting),
        POLL,
      )
      .toBe(true);
    await expect.poll(async () => (await clientState(site2.page)).phase, POLL).toBe('joined');
    // The chair's page publishes its camera again after its own rejoin.
    await expect.poll(() => producerOf(chair.page), POLL).toBeTruthy();
    const chairCamera = await producerOf(chair.page);
    await waitForProgram(site2.page, chairCamera, programSource);
    expect((await programInfo(site2.page)).stream).not.toBe(before);
    await expect
      .poll(() => site1.page.getByTestId('floor-pending').textContent(), POLL)
      .toContain('Giải ngân vốn');
  });

  it('ending the meeting tells everyone, in their language', async () => {
    await chair.page.getByRole('button', { name: 'Kết thúc hội nghị' }).click();
    await chair.page.getByRole('button', { name: 'Xác nhận: Kết thúc hội nghị' }).click();
    await site2.page.getByRole('heading', { name: 'The meeting has ended' }).waitFor();
    await observer.page.getByRole('heading', { name: 'Hội nghị đã kết thúc' }).waitFor();
  });

  it('logged no errors in any page', () => {
    const errors = [chair, site1, site2, observer, secretary].flatMap((p) => p.errors);
    // A reload or a cut connection interrupts requests in flight; nothing else may fail.
    expect(errors.filter((e) => !/ERR_NETWORK_CHANGED|net::ERR_ABORTED|ERR_CONNECTION/.test(e))).toEqual([]);
  });
});
