/**
 * Helpers for the client's browser tests: open a join link in its own browser context (its own
 * sessionStorage and localStorage, like another computer), read the page's serialisable state
 * (`globalThis.giaoban.state()`), and tell which remote track the main stage is decoding.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '../support/hub.js';

/** Where the tests save a screenshot of each view (docs/screenshots has the committed copies). */
export const SHOTS_DIR = path.join(repoRoot, 'test-results', 'screenshots');

/** The slice of the client state the tests read. */
export interface ClientState {
  phase: string;
  closedReason: string | null;
  self: { role: string; siteId: string | null } | null;
  snapshot: { version: number; meeting: { status: string }; stage: { programSiteId: string | null } } | null;
  consumers: Record<
    string,
    {
      id: string;
      producerId: string;
      siteId: string | null;
      source: string;
      paused: boolean;
      producerPaused: boolean;
    }
  >;
  trackStats: Record<string, { kbps: number; audioLevel: number | null }>;
  media: { producerIds: { camera: string | null; mic: string | null }; camera: string; mic: string };
  mic: { allowed: boolean; selfMuted: boolean; open: boolean } | null;
}

/** A page of one participant, with the console errors it logged. */
export interface ClientPage {
  page: Page;
  errors: string[];
}

/** Opens `url` in a fresh context of `browser` at the given screen size. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1920, height: 1080 },
): Promise<ClientPage> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN' });
  // A loaded 2-core machine renders slowly: an action waits up to a minute, not Playwright's 30 s.
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

/** The page's client state (see client/src/state/meetingState.ts). */
export function clientState(page: Page): Promise<ClientState> {
  return page.evaluate(() =>
    (globalThis as unknown as { giaoban: { state(): ClientState } }).giaoban.state(),
  );
}

/** Waits until a page's client state satisfies `ok` (the page may still be loading or reconnecting). */
export async function untilState(
  page: Page,
  ok: (s: ClientState) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await clientState(page).catch(() => null);
    if (state && ok(state)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(200);
  }
}

/**
 * Waits until a page's main stage decodes `siteId` — new frames keep arriving on one stream, other
 * than `notStream` — and returns that stream. The stage may show the site's camera or the hub's
 * program stream: either way the element names the site it shows.
 */
export async function untilDecoding(
  page: Page,
  siteId: string,
  notStream: string | null,
  what: string,
  timeoutMs = 90_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = await programInfo(page).catch(() => null);
    await page.waitForTimeout(400);
    const after = await programInfo(page).catch(() => null);
    if (
      before &&
      after &&
      after.siteId === siteId &&
      after.stream === before.stream &&
      after.stream !== notStream &&
      after.width > 0 &&
      after.frames > before.frames
    )
      return after.stream;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(after)}`);
  }
}

/** Sends a raw request from inside the page, as a user forcing an action would. */
export function forceRequest(
  page: Page,
  event: string,
  payload: unknown,
): Promise<{ ok: boolean; error?: { code: string } }> {
  return page.evaluate(
    ([e, p]) =>
      (
        globalThis as unknown as {
          giaoban: { request(e: string, p: unknown): Promise<{ ok: boolean; error?: { code: string } }> };
        }
      ).giaoban.request(e as string, p),
    [event, payload] as const,
  );
}

/** The chair opens the technical check and takes the meeting live; throws what the hub refused. */
export async function goLive(chair: Page): Promise<void> {
  for (const event of ['meeting:openTechCheck', 'meeting:goLive']) {
    const result = await forceRequest(chair, event, {});
    if (!result.ok) throw new Error(`${event} refused: ${JSON.stringify(result)}`);
  }
}

/** A site asks for the floor on `topic` and the chair grants it; throws what the hub refused. */
export async function grantFloor(chair: Page, site: Page, topic: string): Promise<void> {
  const asked = (await forceRequest(site, 'queue:request', { topic })) as {
    ok: boolean;
    data?: { requestId: string };
  };
  if (!asked.ok) throw new Error(`queue:request refused: ${JSON.stringify(asked)}`);
  const granted = await forceRequest(chair, 'floor:grant', { requestId: asked.data?.requestId });
  if (!granted.ok) throw new Error(`floor:grant refused: ${JSON.stringify(granted)}`);
}

/** What the main-stage video element is showing. */
export interface ProgramInfo {
  /** Site the element says it plays (data-site-id). */
  siteId: string;
  /** Registry key of its stream: a consumer id, or 'local:camera'. */
  stream: string;
  width: number;
  frames: number;
}

/** Reads the main-stage video element. */
export function programInfo(page: Page): Promise<ProgramInfo> {
  return page.getByTestId('program-video').evaluate((el) => {
    const v = el as HTMLVideoElement;
    return {
      siteId: v.dataset.siteId ?? '',
      stream: v.dataset.stream ?? '',
      width: v.videoWidth,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
    };
  });
}

/**
 * What the main stage decodes right now, or null: the program element's consumer (its producer and
 * source — `program` for the meeting's one program stream), provided new frames keep arriving on it.
 */
export async function decodedProgram(page: Page): Promise<{ producerId: string; source: string } | null> {
  const before = await programInfo(page);
  await page.waitForTimeout(400);
  const after = await programInfo(page);
  if (after.stream !== before.stream || after.frames <= before.frames || after.width === 0) return null;
  const state = await clientState(page);
  const consumer = state.consumers[after.stream];
  return consumer ? { producerId: consumer.producerId, source: consumer.source } : null;
}

/** True when the page receives `siteId`'s microphone: its consumer flows and carries packets. */
export async function hearsSite(page: Page, siteId: string): Promise<boolean> {
  const state = await clientState(page);
  const mic = Object.values(state.consumers).find((c) => c.siteId === siteId && c.source === 'mic');
  if (!mic || mic.paused || mic.producerPaused) return false;
  return (state.trackStats[mic.id]?.kbps ?? 0) > 0;
}

/** Saves a full-page screenshot under test-results/screenshots. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`) });
}

/**
 * Waits until the page's main stage shows `producerId`'s picture: it decodes that camera directly,
 * or it decodes the meeting's program stream while the hub's program switcher carries that camera
 * (`programSource` asks the hub). On timeout the error says what the stage showed instead
 * (element, consumers and their states), so a failure explains itself.
 */
export async function waitForProgram(
  page: Page,
  producerId: string | null,
  programSource: () => Promise<string | null>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let hub: string | null = null;
  while (Date.now() < deadline) {
    const decoded = await decodedProgram(page);
    if (decoded?.producerId === producerId) return;
    if (decoded?.source === 'program') {
      hub = await programSource();
      if (hub === producerId) return;
    }
    await page.waitForTimeout(250);
  }
  const state = await clientState(page);
  const consumers = Object.values(state.consumers).map(
    (c) =>
      `${c.siteId}:${c.source}:${c.producerId.slice(0, 8)}:${c.paused ? 'paused' : 'flowing'}${c.producerPaused ? ':producerPaused' : ''}`,
  );
  throw new Error(
    `main stage never showed producer ${producerId} within ${timeoutMs} ms; element: ${JSON.stringify(await programInfo(page))}; hub's program source: ${hub}; program site: ${state.snapshot?.stage.programSiteId}; consumers: ${consumers.join(', ')}`,
  );
}
