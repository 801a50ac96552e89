/**
 * The secretary workspace in Chromium: two secretaries type into the same item's minutes at once
 * and converge; with the hub stopped one keeps typing (offline), closes the tab, and after the hub
 * restarts on the same store a new tab sends the edits kept in IndexedDB; an oversized paste is
 * refused in the editor with a visible message; the chair confirms a conclusion on the console.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type MeetingId, type SiteId, WORKSPACE_DOC } from '@giaoban/shared';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { type Hub, startHub } from '../../server/src/main.js';
import { MemoryStore } from '../../server/src/store/MemoryStore.js';
import { launchChromium } from '../support/browser.js';
import { HOST_SITE, TEST_JWT_SECRET } from '../support/inProcessHub.js';
import { api, createMeeting, issueLink, login } from '../support/meeting.js';
import { freeTcpPort, freeUdpPort } from '../support/ports.js';
import { screenshot } from './client-pages.js';

const POLL = { timeout: 20_000, interval: 200 };
const ITEM = 'Báo cáo kết quả công tác tháng 5';

let store: MemoryStore;
let hub: Hub;
let port: number;
let url: string;
let meetingId: string;
const tokens: Record<string, string> = {};
let browser: Browser;

async function start(): Promise<Hub> {
  return startHub(
    {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      GIAOBAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'giaoban-wsb-')),
      JWT_SECRET: TEST_JWT_SECRET,
      GIAOBAN_ORGANIZERS: `org:${hashPassword('org-password')}`,
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_WORKERS: '1',
      MEDIA_RTC_PORT: String(await freeUdpPort()),
      MEDIA_RTC_MIN_PORT: '20000',
      MEDIA_RTC_MAX_PORT: '29999',
      LOG_LEVEL: 'silent',
    },
    // The memory store is not durable; the restart below keeps this same instance, which stands
    // in for the durable store (tests/integration/workspace-sync.test.ts restarts on redis-server).
    { store },
  );
}

async function open(context: BrowserContext, name: string): Promise<Page> {
  const page = await context.newPage();
  if (process.env.WS_DEBUG) page.on('console', (m) => console.log(`[${name}] ${m.text()}`));
  await page.goto(`${url}/join#${tokens[name]}`);
  await page.getByTestId('secretary-workspace').waitFor();
  return page;
}

const editor = (p: Page) => p.getByLabel(`Biên bản nội dung 1: ${ITEM}`);
const saveState = (p: Page) => p.getByTestId('save-state').getAttribute('data-state');

async function hubMinutes(): Promise<string> {
  const doc = new Y.Doc();
  for (const u of await store.readDocUpdates(meetingId as MeetingId, WORKSPACE_DOC)) Y.applyUpdate(doc, u);
  const item = (
    await api<{ agenda: { id: string }[] }>(url, 'GET', `/api/meetings/${meetingId}`, tokens.org as string)
  ).agenda[0]?.id;
  return doc.getText(`minutes:${item}`).toString();
}

beforeAll(async () => {
  store = new MemoryStore();
  port = await freeTcpPort();
  url = `http://127.0.0.1:${port}`;
  hub = await start();
  tokens.org = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, tokens.org, {
    title: 'Hội nghị giao ban trực tuyến tháng 5',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    chairName: 'Đồng chí Chủ trì',
    floorSeconds: 120,
    invitedSiteIds: ['hue' as SiteId],
  });
  meetingId = summary.meeting.id;
  await api(url, 'POST', `/api/meetings/${meetingId}/agenda`, tokens.org, {
    title: ITEM,
    kind: 'report',
    plannedMinutes: 15,
  });
  for (const [name, body] of Object.entries({
    sec1: { role: 'secretary', displayName: 'Thư ký Một' },
    sec2: { role: 'secretary', displayName: 'Thư ký Hai' },
    chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
  } as const)) {
    tokens[name] = (await issueLink(url, tokens.org, meetingId, body)).token;
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await store?.close();
});

describe('secretary workspace in the browser', () => {
  let ctx1: BrowserContext;
  let ctx2: BrowserContext;
  let p1: Page;
  let p2: Page;

  it('two secretaries typing into the same item at once converge, and the hub stores it', async () => {
    ctx1 = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1440, height: 900 } });
    ctx2 = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1440, height: 900 } });
    p1 = await open(ctx1, 'sec1');
    p2 = await open(ctx2, 'sec2');
    await expect.poll(() => saveState(p1), POLL).toBe('saved');
    await expect.poll(() => saveState(p2), POLL).toBe('saved');
    // Secretary 1 opens the line; then both type at once, one at the end and one at the start,
    // each seeing the other's characters arrive while its own caret stays where it is.
    await editor(p1).pressSequentially('Ý kiến các điểm cầu: ', { delay: 5 });
    await expect.poll(() => editor(p2).inputValue(), POLL).toBe('Ý kiến các điểm cầu: ');
    const a = 'Hà Nội báo cáo tiến độ giải ngân. ';
    const b = '[Huế kiến nghị bổ sung biên chế] ';
    await editor(p1).press('End');
    await editor(p2).press('Home');
    await Promise.all([
      editor(p1).pressSequentially(a, { delay: 15 }),
      editor(p2).pressSequentially(b, { delay: 15 }),
    ]);
    await expect
      .poll(async () => (await editor(p1).inputValue()) === (await editor(p2).inputValue()), POLL)
      .toBe(true);
    await expect.poll(() => saveState(p1), POLL).toBe('saved');
    await expect.poll(() => saveState(p2), POLL).toBe('saved');
    const text = await editor(p1).inputValue();
    expect(text).toBe(`${b}Ý kiến các điểm cầu: ${a}`);
    expect(await hubMinutes()).toBe(text);
    await screenshot(p1, 'workspace-secretary');
  });

  it('edits typed while the hub is down survive closing the tab and reach everyone after the restart', async () => {
    await hub.stop();
    await expect.poll(() => saveState(p2), POLL).toBe('offline');
    await editor(p2).press('End');
    await editor(p2).pressSequentially(' GHI KHI MẤT KẾT NỐI.', { delay: 5 });
    await expect
      .poll(() => p2.getByTestId('save-state').textContent(), POLL)
      .toContain('thay đổi được giữ trên máy');
    await p2.close(); // the tab goes away with the edits only in its IndexedDB
    hub = await start();
    p2 = await open(ctx2, 'sec2'); // same browser profile, new tab
    await expect.poll(() => editor(p2).inputValue(), POLL).toContain('GHI KHI MẤT KẾT NỐI.');
    await expect.poll(() => saveState(p2), POLL).toBe('saved');
    await expect.poll(() => editor(p1).inputValue(), POLL).toContain('GHI KHI MẤT KẾT NỐI.');
    await expect.poll(() => saveState(p1), POLL).toBe('saved');
    expect(await hubMinutes()).toBe(await editor(p1).inputValue());
    // A hub stop and start, a closed and reopened tab and two pages reconciling: several of the
    // suite's 30 s waits in a row on a busy machine, so this test gets its own time budget.
  }, 300_000);

  it('an oversized paste is refused in the editor with a visible message, nothing is lost', async () => {
    const before = await editor(p1).inputValue();
    await editor(p1).fill(`${before}${'x'.repeat(300 * 1024)}`);
    await expect.poll(() => p1.getByRole('alert').first().textContent(), POLL).toContain('quá lớn');
    expect(await editor(p1).inputValue()).toBe(before);
    await expect.poll(() => saveState(p1), POLL).toBe('saved');
  });

  it('a conclusion appears live on the chair console, and the chair confirms it', async () => {
    await p1.getByRole('tab', { name: /Kết luận/ }).click();
    await p1.getByLabel('Kết luận mới').fill('Giao Sở Nội vụ trả lời kiến nghị của Huế trong tháng 6.');
    await p1.getByRole('button', { name: 'Thêm kết luận' }).click();
    const chairCtx = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1440, height: 900 } });
    const chair = await chairCtx.newPage();
    await chair.goto(`${url}/join#${tokens.chair}`);
    await chair.getByTestId('console-view').waitFor();
    await chair.getByRole('tab', { name: /Kết luận \(1\)/ }).click();
    const panel = chair.getByTestId('conclusions-panel');
    await expect.poll(() => panel.textContent(), POLL).toContain('Giao Sở Nội vụ trả lời kiến nghị của Huế');
    await panel.getByRole('button', { name: /Xác nhận/ }).click();
    await expect
      .poll(() => p1.getByTestId('conclusions').textContent(), POLL)
      .toContain('Chủ trì đã xác nhận');
    await screenshot(chair, 'workspace-chair-conclusions');
    await chairCtx.close();
  });
});
