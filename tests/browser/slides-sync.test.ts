/**
 * Report slides in real browsers: an organizer's PPTX is converted by the hub, the chair shows it
 * from the console, and the chair, a bridge point and a late-joining observer (three Chromium
 * pages, three contexts) show the same crisp page as it turns; presenter rights move to the site
 * and its page turns, thumbnails and pointer reach the others; a non-presenter is refused.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { must } from '../support/meeting.js';
import {
  FIXTURES,
  type SlidesHub,
  settled,
  startSlidesHub,
  upload,
  type Watcher,
  watch,
} from '../support/slides.js';
import { type ClientPage, forceRequest, openPage, screenshot } from './client-pages.js';

/** Real conversions on a busy 2-core machine (CI runs other suites alongside): generous limits. */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const HUE = 'hue' as SiteId;
const POLL = { timeout: 45_000 };

/** The page a browser shows: which document and page its image is, and whether it is decoded. */
function shown(page: Page): Promise<{ document: string; page: number; width: number } | null> {
  return page.evaluate(() => {
    const img = document.querySelector<HTMLImageElement>('[data-testid="slides-page"]');
    if (!img) return null;
    return {
      document: img.dataset.document ?? '',
      page: Number(img.dataset.page),
      width: img.complete ? img.naturalWidth : 0,
    };
  });
}

/** Waits until the browser shows `n` of the document, decoded at full width. */
async function showsPage(p: ClientPage, documentId: string, n: number): Promise<void> {
  await p.page.waitForFunction(
    ([doc, want]) => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="slides-page"]');
      return (
        img?.dataset.document === doc &&
        Number(img.dataset.page) === want &&
        img.complete &&
        img.naturalWidth === 1600
      );
    },
    [documentId, n] as const,
    POLL,
  );
}

describe('slides in three browsers', () => {
  let h: SlidesHub;
  let browser: Browser;
  let operator: Watcher;
  let chair: ClientPage;
  let hue: ClientPage;
  let observer: ClientPage;
  let documentId: string;
  const joinUrl = (name: string) => `${h.url}/join#${h.links[name]?.token}`;

  beforeAll(async () => {
    h = await startSlidesHub([HUE, 'can-tho' as SiteId], {
      chair: { role: 'chair', displayName: 'Đồng chí Chủ trì' },
      operator: { role: 'operator' },
      hue: { role: 'site', siteId: HUE },
      observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
    });
    operator = await watch(h.url, h.links.operator!.token);
    const res = await upload(
      h.url,
      h.orgToken,
      h.meetingId,
      readFileSync(path.join(FIXTURES, 'bao-cao.pptx')),
      'Báo cáo 5 tháng.pptx',
      h.agendaItemIds[0],
    );
    documentId = res.json.id;
    expect(await settled(operator, documentId)).toMatchObject({ status: 'ready', pageCount: 3 });
    await must(operator.socket, 'meeting:openTechCheck', {});
    browser = await launchChromium();
  });

  afterAll(async () => {
    operator?.socket.close();
    await browser?.close();
    await h?.stop();
  });

  it('the chair shows the report from the console; the chair and a site show page 1', async () => {
    chair = await openPage(browser, joinUrl('chair'));
    hue = await openPage(browser, joinUrl('hue'), { width: 1366, height: 768 });
    await chair.page.getByTestId('console-view').waitFor();
    await hue.page.getByTestId('site-view').waitFor();
    await chair.page.getByRole('tab', { name: 'Trình chiếu' }).click();
    await chair.page.getByText('Tài liệu (1)').click();
    await chair.page.getByRole('button', { name: 'Trình chiếu: Báo cáo 5 tháng.pptx' }).click();
    for (const p of [chair, hue]) await showsPage(p, documentId, 1);
    expect(await hue.page.getByRole('img', { name: 'Báo cáo 5 tháng.pptx, trang 1/3' }).count()).toBe(1);
    await screenshot(chair.page, 'slides-console');
  });

  it('the chair turns pages with the button and the arrow keys; the site follows within a second', async () => {
    // The site notes when its page changes and when the new image has loaded (one clock: Date.now()).
    await hue.page.evaluate(() => {
      const w = globalThis as unknown as { turn: { state: number; image: number } };
      w.turn = { state: 0, image: 0 };
      const img = document.querySelector<HTMLImageElement>('[data-testid="slides-page"]');
      if (!img) return;
      new MutationObserver(() => {
        if (img.dataset.page === '2' && !w.turn.state) w.turn.state = Date.now();
      }).observe(img, { attributes: true, attributeFilter: ['data-page'] });
      img.addEventListener('load', () => {
        if (img.dataset.page === '2' && !w.turn.image) w.turn.image = Date.now();
      });
    });
    const clicked = await chair.page.getByRole('button', { name: 'Trang chiếu sau' }).evaluate((b) => {
      const at = Date.now();
      (b as HTMLButtonElement).click();
      return at;
    });
    await showsPage(hue, documentId, 2);
    const turn = await hue.page.evaluate(
      () => (globalThis as unknown as { turn: { state: number; image: number } }).turn,
    );
    const stateMs = turn.state - clicked;
    const imageMs = Math.max(turn.image, turn.state) - clicked;
    console.log(`slides-sync | page turn at the site [state-ms:${stateMs} image-ms:${imageMs}]`);
    // The site's page changed after the click, because of it (how fast is reported above).
    expect(stateMs).toBeGreaterThan(0);
    await chair.page.getByTestId('slides-area').click({ position: { x: 5, y: 5 } });
    await chair.page.keyboard.press('ArrowRight');
    for (const p of [chair, hue]) await showsPage(p, documentId, 3);
    await chair.page.keyboard.press('ArrowLeft');
    for (const p of [chair, hue]) await showsPage(p, documentId, 2);
  });

  it('a site that is not the presenter has no page controls and is refused by the hub', async () => {
    expect(await hue.page.getByRole('button', { name: 'Trang chiếu sau' }).count()).toBe(0);
    const refused = await forceRequest(hue.page, 'slides:page', { page: 1 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await shown(chair.page))?.page).toBe(2);
  });

  it('a late-joining observer lands on the current page', async () => {
    observer = await openPage(browser, joinUrl('observer'), { width: 1366, height: 768 });
    await observer.page.getByTestId('observer-view').waitFor();
    await showsPage(observer, documentId, 2);
  });

  it('presenter rights move to the site: its turns, thumbnails and pointer reach everyone', async () => {
    await chair.page.getByRole('combobox', { name: 'Người trình bày' }).selectOption(HUE);
    await hue.page.getByRole('button', { name: 'Trang chiếu sau' }).waitFor(POLL);
    await hue.page.getByRole('button', { name: 'Trang chiếu sau' }).click();
    for (const p of [chair, hue, observer]) await showsPage(p, documentId, 3);
    await hue.page.getByRole('button', { name: 'Trang 1', exact: true }).click();
    for (const p of [chair, hue, observer]) await showsPage(p, documentId, 1);

    const box = await hue.page.getByTestId('slides-page').boundingBox();
    if (!box) throw new Error('no page box');
    await hue.page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
    await hue.page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
    await observer.page.getByTestId('slides-pointer').waitFor(POLL);
    const left = await observer.page
      .getByTestId('slides-pointer')
      .evaluate((el) => Number.parseFloat((el as HTMLElement).style.left));
    expect(left).toBeGreaterThan(40);
    expect(left).toBeLessThan(60);
    await screenshot(observer.page, 'slides-observer');
    await screenshot(hue.page, 'slides-site-presenter');
    await observer.page.getByRole('button', { name: 'Phóng to' }).click();
    // Enlarged, the speaker (the program) stays in a corner of the page.
    await observer.page.waitForFunction(
      () =>
        (document.querySelector('[data-testid="slides-program-corner"]') as HTMLVideoElement | null)
          ?.videoWidth,
      undefined,
      POLL,
    );
    await screenshot(observer.page, 'slides-observer-enlarged');
    await observer.page.keyboard.press('Escape');
    await observer.page.getByRole('button', { name: 'Phóng to' }).waitFor(POLL);
  });

  it('a screen shared by the presenter replaces the slides area for everyone while it lasts', async () => {
    await hue.page.getByRole('button', { name: 'Chia sẻ màn hình' }).click();
    for (const p of [observer, chair]) {
      await p.page.waitForFunction(
        () => {
          const v = document.querySelector<HTMLVideoElement>('[data-testid="slides-screen"]');
          return v !== null && v.videoWidth > 0;
        },
        undefined,
        POLL,
      );
      expect(await p.page.getByTestId('slides-page').count()).toBe(0);
    }
    await screenshot(observer.page, 'slides-observer-screen-share');
    await hue.page.getByRole('button', { name: 'Dừng chia sẻ màn hình' }).click();
    for (const p of [observer, chair]) await showsPage(p, documentId, 1);

    await chair.page.getByRole('combobox', { name: 'Người trình bày' }).selectOption('');
    await hue.page.getByRole('button', { name: 'Trang chiếu sau' }).waitFor({ state: 'detached', ...POLL });
  });

  it('a reconnecting client lands on the current page', async () => {
    await chair.page.getByRole('button', { name: 'Trang chiếu sau' }).click();
    for (const p of [chair, hue, observer]) await showsPage(p, documentId, 2);
    await observer.page.reload();
    await observer.page.getByTestId('observer-view').waitFor();
    await showsPage(observer, documentId, 2);
    for (const p of [chair, hue, observer]) expect(p.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });

  it('the presenter uploads from the slides area: progress, conversion, then shows it to everyone', async () => {
    await chair.page.getByRole('combobox', { name: 'Người trình bày' }).selectOption(HUE);
    await hue.page.getByText('Tài liệu (1)').click();
    await hue.page.getByLabel('Tải tài liệu lên').setInputFiles({
      name: 'bao-cao-sai.pptx',
      mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      buffer: Buffer.from('Đây không phải là tệp PowerPoint'),
    });
    await hue.page.getByText('bao-cao-sai.pptx: Định dạng không được hỗ trợ', { exact: false }).waitFor(POLL);
    await hue.page.getByLabel('Tải tài liệu lên').setInputFiles(path.join(FIXTURES, 'tong-hop.pdf'));
    await hue.page.getByRole('button', { name: 'Trình chiếu: tong-hop.pdf' }).waitFor({ timeout: 60_000 });
    expect(await hue.page.getByText('4 trang').count()).toBe(1);
    await hue.page.getByRole('button', { name: 'Trình chiếu: tong-hop.pdf' }).click();
    const uploaded = await hue.page.getByTestId('slides-page').getAttribute('data-document');
    expect(uploaded).not.toBe(documentId);
    for (const p of [chair, hue, observer]) await showsPage(p, uploaded as string, 1);
    await screenshot(hue.page, 'slides-site-uploaded');
  });
});
