/**
 * A commune's page of a linked province meeting, in a real browser (issue 13, Deliver 4 and 6): it
 * shows the national meeting ("Cầu trung ương: …") with its floor holder and the topic the province
 * carried up from a commune; when the national hub goes away it shows "Mất kết nối cầu trung ương,
 * đang kết nối lại" while the province meeting goes on, and the notice clears once the national hub
 * is back (restarted on the same store) and the link has come back by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SiteId } from '@giaoban/shared';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { type Hub, startHub } from '../../server/src/main.js';
import { MemoryStore } from '../../server/src/store/MemoryStore.js';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE, startTestHub, TEST_JWT_SECRET } from '../support/inProcessHub.js';
import { api, createMeeting, eventually, issueLink, login, must } from '../support/meeting.js';
import { freeTcpPort, freeUdpPort } from '../support/ports.js';
import { type LiveClient, liveClient } from '../support/redis.js';
import { type ClientPage, openPage, screenshot } from './client-pages.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const NGHE_AN = 'nghe-an' as SiteId;
const HA_TINH = 'ha-tinh' as SiteId;

let scratch: string;
/** The national hub's store and port: a restart on the same ones keeps its meeting and links. */
const nationalStore = new MemoryStore();
let nationalPort: number;
let national: Hub | null = null;
let nationalUrl: string;
let nationalMeeting: string;
let province: Hub;
let provinceUrl: string;
let provinceMeeting: string;
let browser: Browser;
let commune: ClientPage;
const sockets: LiveClient[] = [];

/** Starts (or restarts) the national hub in this process, on its own port and store. */
async function startNational(): Promise<Hub> {
  return startHub(
    {
      ...process.env,
      PORT: String(nationalPort),
      HOST: '127.0.0.1',
      GIAOBAN_DATA_DIR: path.join(scratch, 'national'),
      JWT_SECRET: TEST_JWT_SECRET,
      GIAOBAN_ORGANIZERS: `org:${hashPassword('org-password')}`,
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_WORKERS: '1',
      MEDIA_RTC_PORT: String(await freeUdpPort()),
      MEDIA_RTC_MIN_PORT: '20000',
      MEDIA_RTC_MAX_PORT: '29999',
      LOG_LEVEL: 'silent',
      SIP_PORT: '0',
    },
    { store: nationalStore },
  );
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'giaoban-linked-state-'));
  nationalPort = await freeTcpPort();
  national = await startNational();
  nationalUrl = `http://127.0.0.1:${nationalPort}`;
  const nationalOrg = await login(nationalUrl, 'org', 'org-password');
  nationalMeeting = (
    await createMeeting(nationalUrl, nationalOrg, {
      title: 'Hội nghị giao ban trực tuyến toàn quốc',
      scheduledAt: Date.now() + 3_600_000,
      hostSiteId: HOST_SITE,
      chairName: 'Đồng chí Chủ trì Trung ương',
      invitedSiteIds: [NGHE_AN],
    })
  ).meeting.id;
  const chairLink = await issueLink(nationalUrl, nationalOrg, nationalMeeting, { role: 'chair' });
  const relayLink = await issueLink(nationalUrl, nationalOrg, nationalMeeting, {
    role: 'relay',
    siteId: NGHE_AN,
  });
  const nationalChair = await liveClient(nationalUrl, chairLink.token, 'national chair');
  sockets.push(nationalChair);
  await must(nationalChair.socket, 'meeting:openTechCheck', {});
  await must(nationalChair.socket, 'meeting:goLive', {});

  // Nghệ An's meeting with one commune-level bridge point, on a second hub.
  province = await startTestHub({ GIAOBAN_DATA_DIR: path.join(scratch, 'province') });
  provinceUrl = province.url.replace('localhost', '127.0.0.1');
  const provinceOrg = await login(provinceUrl, 'org', 'org-password');
  provinceMeeting = (
    await createMeeting(provinceUrl, provinceOrg, {
      title: 'Giao ban tỉnh Nghệ An',
      scheduledAt: Date.now() + 3_600_000,
      hostSiteId: NGHE_AN,
      chairName: 'Đồng chí Bí thư Tỉnh ủy',
      invitedSiteIds: [HA_TINH],
    })
  ).meeting.id;
  const provinceChairLink = await issueLink(provinceUrl, provinceOrg, provinceMeeting, { role: 'chair' });
  const communeLink = await issueLink(provinceUrl, provinceOrg, provinceMeeting, {
    role: 'site',
    siteId: HA_TINH,
  });
  const provinceChair = await liveClient(provinceUrl, provinceChairLink.token, 'province chair');
  sockets.push(provinceChair);
  await must(provinceChair.socket, 'meeting:openTechCheck', {});
  await must(provinceChair.socket, 'meeting:goLive', {});
  await api(provinceUrl, 'PUT', `/api/meetings/${provinceMeeting}/parent`, provinceOrg, {
    url: nationalUrl,
    token: relayLink.token,
  });
  const relay = province.parts.relay.clientOf(provinceMeeting);
  await eventually(() => relay?.state === 'relaying', 'the province relays the nation', 30_000);

  browser = await launchChromium();
  commune = await openPage(browser, `${provinceUrl}/join#${communeLink.token}`);
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await browser?.close();
  await province?.stop();
  await national?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("a commune's page of a linked province meeting", () => {
  it('shows the national meeting and its floor holder with the topic carried up from the province', async () => {
    const panel = commune.page.getByRole('region', { name: 'Cầu trung ương' });
    await expect
      .poll(() => panel.getByRole('heading').textContent(), { timeout: 60_000 })
      .toBe('Cầu trung ương: Hội nghị giao ban trực tuyến toàn quốc');

    // The province chair asks the national floor; the national chair gives it.
    const provinceChair = sockets.find((s) => s.name === 'province chair');
    const nationalChair = sockets.find((s) => s.name === 'national chair');
    if (!provinceChair || !nationalChair) throw new Error('no chairs');
    const asked = await must(provinceChair.socket, 'relay:requestFloor', { topic: 'Sạt lở bờ sông Lam' });
    await must(nationalChair.socket, 'floor:grant', { requestId: asked.requestId as never, seconds: 0 });
    const ngheAn = (await national?.parts.meetings.get(nationalMeeting))?.sites.find((s) => s.id === NGHE_AN);
    await expect
      .poll(() => panel.getByTestId('parent-floor').textContent(), { timeout: 30_000 })
      .toBe(`Đang phát biểu: ${ngheAn?.name} — Sạt lở bờ sông Lam`);
    await expect.poll(() => panel.getByTestId('parent-on-stage').isVisible(), { timeout: 30_000 }).toBe(true);
    await screenshot(commune.page, 'linked-commune-parent-floor');
  });

  it('says the national link is lost while the national hub is away, and clears when it is back', async () => {
    const notice = commune.page.getByRole('alert').filter({ hasText: 'Mất kết nối cầu trung ương' });
    expect(await notice.count()).toBe(0);
    await national?.stop();
    national = null;
    await expect
      .poll(() => notice.textContent(), { timeout: 60_000 })
      .toContain('Mất kết nối cầu trung ương, đang kết nối lại');
    await screenshot(commune.page, 'linked-commune-link-lost');
    // The province meeting goes on: the page is still in it, with its own program.
    expect(await commune.page.getByTestId('site-view').isVisible()).toBe(true);

    // The national hub restarts on the same store and port; the link comes back by itself.
    national = await startNational();
    await expect.poll(() => notice.count(), { timeout: 90_000 }).toBe(0);
    await expect
      .poll(() => commune.page.getByRole('region', { name: 'Cầu trung ương' }).getAttribute('data-link'))
      .toBe('connected');
  });
});
