/**
 * Playback with the slides beside the video, in headless Chromium through the real hub: a report
 * PDF converted by the hub, a recording on disk as the recorder leaves it (a Matroska segment,
 * segments.csv, chapters.json with two page turns and the slides taken off), and the secretary's
 * page at 1366×768. Seeking by chapter and by the video's own time shows the page that was on
 * screen then; nothing overflows; the controls have accessible names.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RecordingList, SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/browser.js';
import {
  FIXTURES,
  type SlidesHub,
  settled,
  startSlidesHub,
  upload,
  type Watcher,
  watch,
} from '../support/slides.js';
import { audit, describeAudit } from './axe.js';
import { type ClientPage, screenshot } from './client-pages.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const run = promisify(execFile);
const HUE = 'hue' as SiteId;
const RECORDING = 'rec-playback';

/** A page at 1366×768 that axe can be injected into (CSP bypassed, as in the accessibility suite). */
async function openPage(browser: Browser, url: string): Promise<ClientPage> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'vi-VN',
    bypassCSP: true,
  });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

/** The page the playback shows beside the video: its document and page, once the image is decoded. */
function shownSlide(page: Page): Promise<{ document: string; page: number } | null> {
  return page.evaluate(() => {
    const img = document.querySelector<HTMLImageElement>('[data-testid="recording-slide"] img');
    if (!img?.complete || img.naturalWidth === 0) return null;
    return { document: img.dataset.document ?? '', page: Number(img.dataset.page) };
  });
}

async function showsSlide(page: Page, want: { document: string; page: number } | null): Promise<void> {
  await vi.waitFor(async () => expect(await shownSlide(page)).toEqual(want), {
    timeout: 30_000,
    interval: 100,
  });
}

describe('client: slides beside the video in playback', () => {
  let h: SlidesHub;
  let browser: Browser;
  let operator: Watcher;
  let secretary: ClientPage;
  let documentId: string;

  beforeAll(async () => {
    h = await startSlidesHub([HUE], {
      operator: { role: 'operator' },
      secretary: { role: 'secretary', displayName: 'Thư ký Lê Thị B' },
    });
    operator = await watch(h.url, h.links.operator?.token as string);
    const res = await upload(
      h.url,
      h.orgToken,
      h.meetingId,
      await readFile(path.join(FIXTURES, 'tong-hop.pdf')),
      'Báo cáo tổng hợp.pdf',
    );
    documentId = res.json.id;
    expect(await settled(operator, documentId)).toMatchObject({ status: 'ready', pageCount: 4 });

    // A recording as the hub's recorder leaves it: 6 s of VP8 + Opus in Matroska, a key frame a second.
    const dir = path.join(h.hub.parts.recording.dir, h.meetingId, RECORDING);
    await mkdir(dir, { recursive: true });
    await run('ffmpeg', [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15:duration=6'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '15', '-b:v', '200k'],
      ...['-c:a', 'libopus', '-b:a', '32k', '-f', 'matroska', path.join(dir, 'seg-00000.mkv')],
    ]);
    await writeFile(path.join(dir, 'segments.csv'), 'seg-00000.mkv,0.000000,6.000000\n');
    const page = (n: number, atMs: number) => ({
      kind: 'page',
      atMs,
      label: `Báo cáo tổng hợp.pdf — trang ${n}/4`,
      detail: { documentId, page: n },
    });
    await writeFile(
      path.join(dir, 'chapters.json'),
      JSON.stringify({
        recordingId: RECORDING,
        startedAt: new Date().toISOString(),
        chapters: [
          { kind: 'agenda', atMs: 0, label: '1. Báo cáo kết quả công tác 5 tháng', detail: { itemId: 'i1' } },
          page(1, 1000),
          page(3, 3000),
          { kind: 'page', atMs: 5000, label: 'Thôi trình chiếu tài liệu' },
        ],
      }),
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    operator?.socket.close();
    await browser?.close();
    await h?.stop();
  });

  it("shows the page on screen at the playback time, following chapter seeks and the video's own seeks, at 1366×768", async () => {
    secretary = await openPage(browser, `${h.url}/join#${h.links.secretary?.token}`);
    const p = secretary.page;
    await p.getByTestId('secretary-view').waitFor();
    await p.locator('summary', { hasText: 'Bản ghi hình' }).click();
    const panel = p.getByTestId('recordings-panel');
    await panel.getByText('Lưu trữ cho đến khi xóa').waitFor();

    // A page-turn chapter: the player opens there with page 1 beside it.
    await panel.getByRole('button', { name: /^Xem từ .*trang 1\/4$/ }).click();
    const video = panel.locator('video');
    await video.waitFor();
    expect(await video.getAttribute('aria-label')).toBe('Trình phát bản ghi');
    const figure = p.getByRole('figure', { name: 'Trang trình chiếu tại thời điểm đang xem' });
    await figure.waitFor();
    await showsSlide(p, { document: documentId, page: 1 });
    expect(await figure.getByRole('img').getAttribute('alt')).toBe(
      'Trang đang trình chiếu: Báo cáo tổng hợp.pdf — trang 1/4',
    );

    // Across the page turn at 3 s by the next chapter: page 3.
    await panel.getByRole('button', { name: /^Xem từ .*trang 3\/4$/ }).click();
    await showsSlide(p, { document: documentId, page: 3 });

    // The video's own seeks (its controls, or playing on): the page follows its time.
    await p.waitForFunction(
      () =>
        (document.querySelector<HTMLVideoElement>('[data-testid="recordings-panel"] video')?.readyState ??
          0) >= 1,
      undefined,
      {
        timeout: 30_000,
      },
    );
    const seekTo = (s: number) =>
      p.evaluate((t) => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid="recordings-panel"] video');
        if (v) v.currentTime = t;
      }, s);
    await seekTo(1.5);
    await showsSlide(p, { document: documentId, page: 1 });
    await seekTo(3.5);
    await showsSlide(p, { document: documentId, page: 3 });
    // Before the first page and after the slides were taken off: no page, and it says so.
    await seekTo(0.2);
    await showsSlide(p, null);
    await figure.getByText('Không có tài liệu trình chiếu tại thời điểm này').waitFor();
    await seekTo(5.5);
    await figure.getByText('Không có tài liệu trình chiếu tại thời điểm này').waitFor();
    await seekTo(3.2);
    await showsSlide(p, { document: documentId, page: 3 });

    // Nothing overflows sideways at 1366×768, and the slide sits beside the video, not under it.
    const layout = await p.evaluate(() => {
      const v = document
        .querySelector<HTMLVideoElement>('[data-testid="recordings-panel"] video')
        ?.getBoundingClientRect();
      const f = document.querySelector('[data-testid="recording-slide"]')?.getBoundingClientRect();
      return {
        scroll: document.documentElement.scrollWidth,
        width: document.documentElement.clientWidth,
        beside: v && f ? f.left >= v.right - 1 && f.top < v.bottom : false,
      };
    });
    expect(layout.scroll).toBeLessThanOrEqual(layout.width);
    expect(layout.beside).toBe(true);
    await screenshot(p, 'recording-playback-1366');
    const playbackAudit = await audit(p, 'secretary playback at 1366×768');
    expect(describeAudit(playbackAudit, 'blocking')).toBe('');
    expect(
      secretary.errors.filter((e) => !/ERR_NETWORK_CHANGED|net::ERR_ABORTED|ERR_CONNECTION/.test(e)),
    ).toEqual([]);
  });

  it('the organizer sets how long the recordings are kept from the recordings tab; the expiry follows', async () => {
    const org = await openPage(browser, `${h.url}/`);
    const p = org.page;
    await p.getByLabel('Tên đăng nhập').fill('org');
    await p.getByLabel('Mật khẩu').fill('org-password');
    await p.getByRole('button', { name: 'Đăng nhập' }).click();
    await p.getByRole('heading', { name: 'Hội nghị' }).waitFor();
    await p.goto(`${h.url}/#/meetings/${h.meetingId}`);
    await p.getByRole('tab', { name: 'Bản ghi hình' }).click();
    const form = p.getByRole('group', { name: 'Thời hạn lưu trữ bản ghi hình' });
    // This hub keeps recordings until deleted by default (RECORDING_RETENTION_DAYS unset).
    await form.getByRole('radio', { name: 'Theo mặc định của hệ thống (không tự xóa)' }).waitFor();
    expect(await form.getByRole('radio', { name: /Theo mặc định/ }).isChecked()).toBe(true);
    const panel = p.getByTestId('recordings-panel');
    await panel.getByText('Lưu trữ cho đến khi xóa', { exact: true }).first().waitFor();

    await form.getByLabel('Ngày cuối cùng lưu trữ').fill('2099-12-31');
    expect(await form.getByRole('radio', { name: 'Lưu trữ đến hết ngày' }).isChecked()).toBe(true);
    await form.getByRole('button', { name: 'Lưu thời hạn lưu trữ' }).click();
    await panel.getByText('Lưu trữ đến hết ngày 31/12/2099').waitFor();
    const listed = (await (
      await fetch(`${h.url}/api/meetings/${h.meetingId}/recordings`, {
        headers: { authorization: `Bearer ${h.orgToken}` },
      })
    ).json()) as RecordingList;
    expect(listed.retention.meeting).toEqual({ mode: 'until', keepUntil: '2099-12-31' });
    expect(listed.recordings[0]?.expiresAt).toBe('2099-12-31T17:00:00.000Z');

    // After a reload the form reads the stored setting; back to "keep until deleted".
    await p.reload();
    await p.getByRole('tab', { name: 'Bản ghi hình' }).click();
    await form.getByRole('radio', { name: 'Lưu trữ đến hết ngày' }).waitFor();
    await vi.waitFor(async () =>
      expect(await form.getByRole('radio', { name: 'Lưu trữ đến hết ngày' }).isChecked()).toBe(true),
    );
    await form.getByRole('radio', { name: 'Lưu trữ cho đến khi xóa' }).check();
    await form.getByRole('button', { name: 'Lưu thời hạn lưu trữ' }).click();
    await panel.getByText('Lưu trữ đến hết ngày 31/12/2099').waitFor({ state: 'detached' });
    await screenshot(p, 'recording-retention-1366');
    const formAudit = await audit(p, 'organizer recordings tab at 1366×768');
    expect(describeAudit(formAudit, 'blocking')).toBe('');
    expect(org.errors.filter((e) => !/ERR_NETWORK_CHANGED|net::ERR_ABORTED|ERR_CONNECTION/.test(e))).toEqual(
      [],
    );
  });
});
