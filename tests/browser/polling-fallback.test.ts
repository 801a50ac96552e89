/**
 * Behind a proxy without WebSocket the client still takes part: a real Chromium page whose
 * WebSocket cannot open falls back to HTTP long-polling, joins the meeting and follows it.
 * Two ways WebSocket is blocked: the browser has none (deleted before the page's scripts run),
 * and every WebSocket connection is refused (sent to a closed port, as a proxy that drops upgrades).
 */
import type { SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { type MeetingFixture, setupMeeting } from '../support/inProcessHub.js';
import { connect, type HubSocket, must } from '../support/meeting.js';
import { type ClientPage, clientState, forceRequest } from './client-pages.js';

const HUE = 'hue' as SiteId;
/** Generous: a 2-core machine is slow, not broken. */
const POLL = { timeout: 30_000, interval: 250 };

const BLOCKS = {
  'has no WebSocket': () => {
    // biome-ignore lint/suspicious/noExplicitAny: removing a browser global on purpose
    delete (globalThis as any).WebSocket;
  },
  'has every WebSocket refused': () => {
    const Real = globalThis.WebSocket;
    // Every WebSocket goes to a closed port: it errors at once, like an upgrade a proxy refuses.
    globalThis.WebSocket = class extends Real {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(String(url).replace(/^ws(s?):\/\/[^/]+/, 'ws$1://127.0.0.1:9'), protocols);
      }
    };
  },
} as const;

describe('client without WebSocket', () => {
  let fx: MeetingFixture;
  let browser: Browser;
  let chair: HubSocket;
  const pages: { name: string; client: ClientPage; socketIo: string[]; websockets: string[] }[] = [];

  beforeAll(async () => {
    fx = await setupMeeting([HUE], {
      chair: { role: 'chair' },
      noWebSocket: { role: 'observer', displayName: 'Theo dõi không có WebSocket' },
      refused: { role: 'site', siteId: HUE },
    });
    browser = await launchChromium();
    chair = await connect(fx.url, fx.links.chair?.token ?? '');
    await must(chair, 'meeting:join', {});
  });

  afterAll(async () => {
    chair?.close();
    await browser?.close();
    await fx?.hub.stop();
  });

  /** Opens a join link in a page whose WebSocket is blocked, recording its socket.io traffic. */
  async function blockedPage(link: string, block: keyof typeof BLOCKS): Promise<(typeof pages)[number]> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    // Runs before any script of the page, so the client never sees a working WebSocket.
    await context.addInitScript(BLOCKS[block]);
    const page: Page = await context.newPage();
    const errors: string[] = [];
    const socketIo: string[] = [];
    const websockets: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('request', (r) => {
      if (r.url().includes('/socket.io/')) socketIo.push(`${r.method()} ${r.url()}`);
    });
    page.on('websocket', (ws) => websockets.push(ws.url()));
    await page.goto(`${fx.url}/join#${fx.links[link]?.token}`);
    const entry = { name: block, client: { page, errors }, socketIo, websockets };
    pages.push(entry);
    return entry;
  }

  it('joins over long-polling, whether the browser has no WebSocket or every WebSocket is refused', async () => {
    const observer = await blockedPage('noWebSocket', 'has no WebSocket');
    const site = await blockedPage('refused', 'has every WebSocket refused');
    for (const p of [observer, site]) {
      await p.client.page
        .waitForFunction(
          () =>
            (globalThis as unknown as { giaoban?: { state(): { phase: string } } }).giaoban?.state().phase ===
            'joined',
          undefined,
          { timeout: POLL.timeout, polling: POLL.interval },
        )
        .catch(async (err: unknown) => {
          const body = await p.client.page
            .locator('body')
            .textContent()
            .catch(() => '');
          const text = (body ?? '').slice(0, 300);
          throw new Error(
            `${p.client.page.url()} shows "${text}"; ` +
              `${p.name}: not joined (${String(err)}); page errors: ${JSON.stringify(p.client.errors)}; ` +
              `socket.io requests: ${JSON.stringify(p.socketIo.slice(0, 10))}`,
          );
        });
      expect(
        p.socketIo.some((r) => r.startsWith('POST') && r.includes('transport=polling')),
        p.name,
      ).toBe(true);
      expect(
        p.client.errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(e)),
        p.name,
      ).toEqual([]);
    }
    // The page without WebSocket never opened one; the refused one tried, and only the closed port.
    expect(observer.websockets).toEqual([]);
    expect(site.websockets.every((u) => u.startsWith('ws://127.0.0.1:9/'))).toBe(true);
    const self = (await clientState(site.client.page)).self;
    expect(self).toMatchObject({ role: 'site', siteId: HUE });
  });

  it('follows the meeting: tech check, live, the stage changes — all over polling', async () => {
    // The hub may already have opened the tech check by itself (an hour before the start).
    const status = (await must(chair, 'meeting:sync', {})).meeting.status;
    if (status === 'scheduled') await must(chair, 'meeting:openTechCheck', {});
    await pages[0]?.client.page.getByTestId('observer-view').waitFor({ timeout: POLL.timeout });
    await pages[1]?.client.page.getByTestId('site-view').waitFor({ timeout: POLL.timeout });
    await must(chair, 'meeting:goLive', {});
    await must(chair, 'stage:pin', { siteId: HUE });
    for (const p of pages) {
      await vi.waitFor(async () => {
        const s = (await clientState(p.client.page)).snapshot;
        expect(s?.meeting.status).toBe('live');
        expect(s?.stage.programSiteId).toBe(HUE);
      }, POLL);
    }
    await must(chair, 'stage:pin', { siteId: null });
    for (const p of pages) {
      await vi.waitFor(
        async () => expect((await clientState(p.client.page)).snapshot?.stage.programSiteId).not.toBe(HUE),
        POLL,
      );
      // Still polling: no WebSocket ever reached the hub.
      expect(p.websockets.filter((u) => !u.startsWith('ws://127.0.0.1:9/'))).toEqual([]);
    }
    // The site acts over polling too: its floor request reaches the chair.
    const site = pages[1]?.client.page;
    if (!site) throw new Error('no site page');
    const asked = await forceRequest(site, 'queue:request', { topic: 'Kiến nghị qua long-polling' });
    expect(asked.ok).toBe(true);
    const snap = await must(chair, 'meeting:sync', {});
    expect(snap.queue.requests.map((r) => r.siteId)).toContain(HUE);
  });
});
