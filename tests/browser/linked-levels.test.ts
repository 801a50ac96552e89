/**
 * Three levels of linked meetings in real pages (issue 13, Deliver 7): the national meeting runs on
 * its own hub process with its own store; the province meeting (Nghệ An) and a commune-level
 * meeting below it (Hà Tĩnh's bridge point, linked to the province) run on a second hub. Every
 * camera is a colour (Chromium's fake capture from a Y4M file): the national chair red, the
 * province chair blue, the commune chair yellow; pages read the colour their main stage decodes.
 *
 * - the commune's bridge point decodes the national chair's red, through two relays;
 * - the national chair gives the floor to Nghệ An: a national site decodes the province's blue;
 * - the province chair gives the floor to Hà Tĩnh: the national site decodes the commune's yellow;
 * - the national–province link drops and comes back by itself (the province sees it reconnecting);
 * - the national organizer revokes the relay link: the province is cut off for good and its
 *   meeting — and the commune's below it — goes on with the province's own stage.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MeetingId, SiteId } from '@giaoban/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { api, createMeeting, issueLink, login } from '../support/meeting.js';
import { type HubProcess, startHubProcess } from '../support/redis.js';
import { type ClientPage, forceRequest, goLive, openPage, untilState } from './client-pages.js';

const NGHE_AN = 'nghe-an' as SiteId;
const DA_NANG = 'da-nang' as SiteId;
const HA_TINH = 'ha-tinh' as SiteId;
const QUANG_TRI = 'quang-tri' as SiteId;

type Colour = 'red' | 'blue' | 'yellow';
const COLOURS: Record<Colour, string> = { red: '0xD01010', blue: '0x1020D0', yellow: '0xD0D010' };

let scratch: string;
let national: HubProcess;
let nationalOrg: string;
let nationalMeeting: string;
let relayNgheAn: { token: string; id: string };
let hub: Hub;
let provinceMeeting: string;
let communeMeeting: string;
const browsers: Browser[] = [];
const pages: Record<string, ClientPage> = {};

/** A headless Chromium whose fake camera shows one colour. */
async function colourBrowser(colour: Colour | null): Promise<Browser> {
  const extraArgs: string[] = [];
  if (colour) {
    const file = path.join(scratch, `${colour}.y4m`);
    execFileSync('ffmpeg', [
      ...['-loglevel', 'error', '-y', '-f', 'lavfi'],
      ...['-i', `color=c=${COLOURS[colour]}:s=640x480:r=20`],
      ...['-frames:v', '10', '-pix_fmt', 'yuv420p', file],
    ]);
    extraArgs.push(`--use-file-for-fake-video-capture=${file}`);
  }
  const browser = await launchChromium({ extraArgs });
  browsers.push(browser);
  return browser;
}

/**
 * The colour the main stage shows now (mean of a 32×24 sample), or what it shows instead, and how
 * many frames it has decoded so far (a frozen picture keeps its colour but not its count).
 */
function stageColour(page: Page): Promise<{ colour: string; frames: number }> {
  return page.getByTestId('program-video').evaluate((el) => {
    const v = el as HTMLVideoElement;
    const frames = v.getVideoPlaybackQuality().totalVideoFrames;
    const colour = ((): string => {
      if (v.videoWidth === 0) return 'nothing';
      const c = document.createElement('canvas');
      c.width = 32;
      c.height = 24;
      const g = c.getContext('2d');
      if (!g) return 'nothing';
      g.drawImage(v, 0, 0, 32, 24);
      const d = g.getImageData(0, 0, 32, 24).data;
      let r = 0;
      let gr = 0;
      let b = 0;
      for (let i = 0; i < d.length; i += 4) {
        r += d[i] ?? 0;
        gr += d[i + 1] ?? 0;
        b += d[i + 2] ?? 0;
      }
      const n = d.length / 4;
      [r, gr, b] = [r / n, gr / n, b / n];
      if (r > 140 && gr > 140 && b < 90) return 'yellow';
      if (r > 140 && gr < 90 && b < 90) return 'red';
      if (b > 140 && r < 90 && gr < 90) return 'blue';
      return `rgb(${Math.round(r)},${Math.round(gr)},${Math.round(b)})`;
    })();
    return { colour, frames };
  });
}

/**
 * Waits until a page's main stage decodes `colour`, new frames arriving (not a picture frozen on
 * it); the error says what it showed instead.
 */
async function untilColour(page: Page, colour: Colour, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const sample = () =>
    stageColour(page).catch((e: unknown) => ({ colour: `error: ${String(e)}`, frames: -1 }));
  let seen = await sample();
  for (;;) {
    await page.waitForTimeout(300);
    const now = await sample();
    if (seen.colour === colour && now.colour === colour && now.frames > seen.frames) return;
    seen = now;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: the stage shows ${now.colour}`);
  }
}

/** Waits until a page of a linked meeting is told its parent link is in `state`. */
async function untilLink(page: Page, state: string, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string | null = null;
  for (;;) {
    seen = await parentLink(page).catch(() => null);
    if (seen === state) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: the link is ${seen}`);
    await page.waitForTimeout(200);
  }
}

/** The state of the link to its parent meeting, as a page of a linked meeting is told. */
function parentLink(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const s = (
      globalThis as unknown as {
        giaoban: { state(): { snapshot: { parent?: { link: string } | null } | null } };
      }
    ).giaoban.state();
    return s.snapshot?.parent?.link ?? null;
  });
}

async function must(page: Page, event: string, payload: unknown): Promise<void> {
  const result = await forceRequest(page, event, payload);
  if (!result.ok) throw new Error(`${event} refused: ${JSON.stringify(result)}`);
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'giaoban-levels-'));
  // The national hub: its own process, its own (memory) store.
  national = await startHubProcess({
    GIAOBAN_DATA_DIR: path.join(scratch, 'national'),
    GIAOBAN_STORE: 'memory',
    SIP_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  nationalOrg = await login(national.url, 'org', 'org-password');
  nationalMeeting = (
    await createMeeting(national.url, nationalOrg, {
      title: 'Hội nghị trực tuyến toàn quốc',
      scheduledAt: Date.now() + 3_600_000,
      hostSiteId: HOST_SITE,
      chairName: 'Đồng chí Chủ trì Trung ương',
      floorSeconds: 300,
      invitedSiteIds: [NGHE_AN, DA_NANG],
    })
  ).meeting.id;
  const nationalChair = await issueLink(national.url, nationalOrg, nationalMeeting, { role: 'chair' });
  const daNang = await issueLink(national.url, nationalOrg, nationalMeeting, {
    role: 'site',
    siteId: DA_NANG,
  });
  const relay = await issueLink(national.url, nationalOrg, nationalMeeting, {
    role: 'relay',
    siteId: NGHE_AN,
  });
  relayNgheAn = { token: relay.token, id: relay.link.id };

  // The province hub holds Nghệ An's meeting and, below it, Hà Tĩnh's.
  hub = await startTestHub();
  const url = hub.url.replace('localhost', '127.0.0.1');
  const org = await login(url, 'org', 'org-password');
  const meeting = async (title: string, host: SiteId, site: SiteId) =>
    (
      await createMeeting(url, org, {
        title,
        scheduledAt: Date.now() + 3_600_000,
        hostSiteId: host,
        chairName: 'Đồng chí Chủ trì',
        floorSeconds: 300,
        invitedSiteIds: [site],
      })
    ).meeting.id;
  provinceMeeting = await meeting('Giao ban tỉnh Nghệ An', NGHE_AN, HA_TINH);
  communeMeeting = await meeting('Giao ban cấp xã (cầu Hà Tĩnh)', HA_TINH, QUANG_TRI);
  const provinceChair = await issueLink(url, org, provinceMeeting, { role: 'chair', siteId: NGHE_AN });
  const relayHaTinh = await issueLink(url, org, provinceMeeting, { role: 'relay', siteId: HA_TINH });
  const communeChair = await issueLink(url, org, communeMeeting, { role: 'chair', siteId: HA_TINH });
  const communeSite = await issueLink(url, org, communeMeeting, { role: 'site', siteId: QUANG_TRI });

  const red = await colourBrowser('red');
  const blue = await colourBrowser('blue');
  const yellow = await colourBrowser('yellow');
  const viewers = await colourBrowser(null);
  pages.nationalChair = await openPage(red, `${national.url}/join#${nationalChair.token}`);
  pages.provinceChair = await openPage(blue, `${url}/join#${provinceChair.token}`);
  pages.communeChair = await openPage(yellow, `${url}/join#${communeChair.token}`);
  for (const p of Object.values(pages))
    await untilState(p.page, (s) => s.phase === 'joined', 'a chair joined');
  for (const p of Object.values(pages)) await goLive(p.page);

  // Each lower meeting is linked to the one above, over the public protocol with its relay link.
  await api(url, 'PUT', `/api/meetings/${provinceMeeting}/parent`, org, {
    url: national.url,
    token: relayNgheAn.token,
  });
  await api(url, 'PUT', `/api/meetings/${communeMeeting}/parent`, org, { url, token: relayHaTinh.token });

  pages.daNang = await openPage(viewers, `${national.url}/join#${daNang.token}`);
  pages.communeSite = await openPage(viewers, `${url}/join#${communeSite.token}`);
  for (const p of [pages.daNang, pages.communeSite])
    await untilState(p.page, (s) => s.phase === 'joined', 'a site joined');
}, 240_000);

afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await hub?.stop();
  await national?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const page = (name: string): Page => {
  const p = pages[name];
  if (!p) throw new Error(`no page ${name}`);
  return p.page;
};

describe('national → province → commune, on two hub processes', () => {
  it("the commune's bridge point decodes the national chair, through two relays", async () => {
    await untilColour(page('daNang'), 'red', 'Đà Nẵng decoding the national chair');
    await untilColour(page('provinceChair'), 'red', 'the province decoding the national chair');
    await untilColour(page('communeSite'), 'red', "the commune's bridge point decoding the national chair");
  }, 240_000);

  it('the floor goes up level by level: the nation sees the province, then the commune the province gave it to', async () => {
    await must(page('nationalChair'), 'floor:grant', { siteId: NGHE_AN, seconds: 0 });
    await untilColour(page('daNang'), 'blue', "Đà Nẵng decoding the province chair's stage");
    await must(page('provinceChair'), 'floor:grant', { siteId: HA_TINH, seconds: 0 });
    await untilColour(page('daNang'), 'yellow', "Đà Nẵng decoding the commune's stage, two levels down");
    await must(page('provinceChair'), 'floor:revoke', {});
    await must(page('nationalChair'), 'floor:revoke', {});
    await untilColour(page('communeSite'), 'red', 'the commune back on the national program');
  }, 240_000);

  it('a dropped national link comes back by itself', async () => {
    const relay = hub.parts.relay.clientOf(provinceMeeting as MeetingId);
    if (!relay) throw new Error('no relay client of the province meeting');
    const seen: string[] = [];
    const watch = setInterval(() => {
      void parentLink(page('provinceChair')).then(
        (l) => {
          if (l && seen.at(-1) !== l) seen.push(l);
        },
        () => undefined,
      );
    }, 100);
    try {
      relay.dropForTesting();
      await untilState(
        page('provinceChair'),
        () => seen.includes('reconnecting'),
        'the province told the link is down',
      );
      await untilLink(page('provinceChair'), 'connected', 'the province told the link is back');
      await untilColour(page('communeSite'), 'red', 'the commune on the national program again');
    } finally {
      clearInterval(watch);
    }
  }, 240_000);

  it("revoking the province's relay link cuts it; the province and the commune go on with the province's stage", async () => {
    await api(
      national.url,
      'POST',
      `/api/meetings/${nationalMeeting}/links/${relayNgheAn.id}/revoke`,
      nationalOrg,
      {},
    );
    await untilColour(page('communeSite'), 'blue', "the commune on the province's own stage");
    await untilLink(page('provinceChair'), 'lost', 'the province told the link is cut for good');
  }, 240_000);
});
