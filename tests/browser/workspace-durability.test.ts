/**
 * The secretary workspace never says "Đã lưu" while the hub lacks text the page shows, in real
 * Chromium with a real browser profile (IndexedDB on disk): the browser killed (SIGKILL) while the
 * secretary types offline; the newest unsent record deleted from IndexedDB before the page is
 * reopened; "CHƯA LƯU … giây" within seconds when the hub cannot store; an over-long paste into the
 * notice's "Nơi nhận" refused with a visible message; a confirmed conclusion shown locked, its
 * deletion (once unlocked) asked in a dialog and undone; what the previous two-database client
 * kept is moved into the one store and sent.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type MeetingId, type SiteId, WORKSPACE_DOC } from '@giaoban/shared';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { type Hub, startHub } from '../../server/src/main.js';
import { MemoryStore } from '../../server/src/store/MemoryStore.js';
import { chromiumArgs, chromiumPath } from '../support/browser.js';
import { HOST_SITE, TEST_JWT_SECRET } from '../support/inProcessHub.js';
import { api, connect, createMeeting, issueLink, login, must } from '../support/meeting.js';
import { freeTcpPort, freeUdpPort } from '../support/ports.js';

const POLL = { timeout: 45_000, interval: 200 };
// Hub restarts and browsers killed and reopened: a loaded machine needs more than 90 s per test.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const ITEM = 'Báo cáo kết quả công tác tháng 5';

/** A memory store whose document writes can be held, like a storage server that stopped answering. */
class StallingStore extends MemoryStore {
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  stall(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  resume(): void {
    this.open?.();
    this.gate = null;
  }

  override async appendDocUpdate(meetingId: MeetingId, docName: string, update: Uint8Array): Promise<void> {
    if (this.gate) await this.gate;
    return super.appendDocUpdate(meetingId, docName, update);
  }
}

let store: StallingStore;
let hub: Hub;
let port: number;
let url: string;
let meetingId: string;
let itemId: string;
const tokens: Record<string, string> = {};
const profiles: string[] = [];

async function start(): Promise<Hub> {
  return startHub(
    {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      GIAOBAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'giaoban-wsd-')),
      JWT_SECRET: TEST_JWT_SECRET,
      GIAOBAN_ORGANIZERS: `org:${hashPassword('org-password')}`,
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_WORKERS: '1',
      MEDIA_RTC_PORT: String(await freeUdpPort()),
      MEDIA_RTC_MIN_PORT: '20000',
      MEDIA_RTC_MAX_PORT: '29999',
      LOG_LEVEL: 'silent',
    },
    // The same store instance across hub restarts stands in for durable storage.
    { store },
  );
}

/** A browser with its own profile folder on disk (IndexedDB survives the process being killed). */
async function launchProfile(dir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs],
    locale: 'vi-VN',
    viewport: { width: 1440, height: 900 },
  });
}

/** The pid of the Chromium browser process started on profile `dir` (ours: we launched it). */
function browserPid(dir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(`--user-data-dir=${dir}`) && !args.some((a) => a.startsWith('--type='))) {
        return Number(entry);
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  throw new Error(`no browser process on ${dir}`);
}

async function openWorkspace(context: BrowserContext, name = 'sec1'): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  // The session's own account of its connection (joins, drops, a replaced session) is printed, so a
  // failure on a CI machine says what the page went through; WS_DEBUG prints everything.
  page.on('console', (m) => {
    if (process.env.WS_DEBUG || /onEnded|onDisconnect|join\(\)|reconnect/.test(m.text()))
      console.log(`[${name}] ${m.text()}`);
  });
  await page.goto(`${url}/join#${tokens[name]}`);
  await page.getByTestId('secretary-workspace').waitFor();
  return page;
}

/**
 * Resolves once every IndexedDB write the page has started on the meeting's workspace store is
 * committed: a read-write transaction over its stores runs only after the earlier ones on them
 * have finished. Never waits more than 15 s (then the kill goes ahead and the check after it says
 * what was lost).
 */
const localWritesCommitted = (p: Page) =>
  p.evaluate(async (name) => {
    const settled = new Promise<void>((resolve) => {
      const open = indexedDB.open(name);
      open.onerror = () => resolve();
      open.onsuccess = () => {
        const db = open.result;
        const stores = Array.from(
          { length: db.objectStoreNames.length },
          (_, i) => db.objectStoreNames.item(i) ?? '',
        );
        if (stores.length === 0) {
          db.close();
          resolve();
          return;
        }
        const tx = db.transaction(stores, 'readwrite');
        tx.oncomplete =
          tx.onerror =
          tx.onabort =
            () => {
              db.close();
              resolve();
            };
      };
    });
    await Promise.race([settled, new Promise((r) => setTimeout(r, 15_000))]);
  }, `giaoban-workspace:${meetingId}`);

const editor = (p: Page) => p.getByLabel(`Biên bản nội dung 1: ${ITEM}`);
const saveState = (p: Page) => p.getByTestId('save-state').getAttribute('data-state');

async function hubDoc(): Promise<Y.Doc> {
  const doc = new Y.Doc();
  for (const u of await store.readDocUpdates(meetingId as MeetingId, WORKSPACE_DOC)) Y.applyUpdate(doc, u);
  return doc;
}

async function hubMinutes(): Promise<string> {
  return (await hubDoc()).getText(`minutes:${itemId}`).toString();
}

beforeAll(async () => {
  store = new StallingStore();
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
  itemId = (
    await api<{ id: string }>(url, 'POST', `/api/meetings/${meetingId}/agenda`, tokens.org, {
      title: ITEM,
      kind: 'report',
      plannedMinutes: 15,
    })
  ).id;
  for (const [name, body] of Object.entries({
    sec1: { role: 'secretary', displayName: 'Thư ký Một' },
    chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
  } as const)) {
    tokens[name] = (await issueLink(url, tokens.org, meetingId, body)).token;
  }
});

afterAll(async () => {
  store?.resume();
  await hub?.stop();
  await store?.close();
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

describe('the workspace never shows "saved" while the hub lacks its text', () => {
  it('the browser killed while the secretary types offline: reopened, every character on screen reaches the hub', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-profile-'));
    profiles.push(dir);
    let context = await launchProfile(dir);
    let page = await openWorkspace(context);
    await expect.poll(() => saveState(page), POLL).toBe('saved');
    await editor(page).pressSequentially('Trực tuyến. ', { delay: 5 });
    await expect.poll(() => saveState(page), POLL).toBe('saved');

    await hub.stop();
    await expect.poll(() => saveState(page), POLL).toBe('offline');
    await editor(page).press('End');
    // Typing fast, and the browser is killed in the middle of it (no unload, no flush).
    const typing = editor(page)
      .pressSequentially('Ghi khi mất kết nối, gõ thật nhanh rồi trình duyệt bị tắt đột ngột.', { delay: 2 })
      .catch(() => undefined);
    await expect.poll(() => editor(page).inputValue(), POLL).toContain('Ghi khi mất kết nối');
    // What is on screen has been handed to IndexedDB; the kill may only come once those writes are
    // committed (a busy renderer can lag behind the screen by more than the poll). Typing goes on.
    await localWritesCommitted(page);
    const killedAt = Date.now();
    process.kill(browserPid(dir), 'SIGKILL');
    await typing;
    await context.close().catch(() => undefined);
    if (process.env.WS_DEBUG) console.log(`closed ${Date.now() - killedAt} ms after the kill`);

    hub = await start();
    context = await launchProfile(dir);
    page = await openWorkspace(context);
    await expect.poll(() => saveState(page), POLL).toBe('saved');
    const shown = await editor(page).inputValue();
    expect(shown).toContain('Trực tuyến. Ghi khi mất kết nối');
    expect(await hubMinutes()).toBe(shown);
    await context.close();
  });

  it('the newest unsent record deleted from IndexedDB before reopening: the page is saved only once the hub has it all', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-profile-'));
    profiles.push(dir);
    let context = await launchProfile(dir);
    let page = await openWorkspace(context);
    await expect.poll(() => saveState(page), POLL).toBe('saved');
    await hub.stop();
    await expect.poll(() => saveState(page), POLL).toBe('offline');
    await editor(page).press('End');
    await editor(page).pressSequentially(' Một hai ba bốn.', { delay: 20 });
    await expect
      .poll(() => page.getByTestId('save-state').textContent(), POLL)
      .toContain('thay đổi được giữ trên máy');
    await context.close();

    // Another page of the hub (no workspace open) deletes the newest unsent record.
    hub = await start();
    context = await launchProfile(dir);
    const other = context.pages()[0] ?? (await context.newPage());
    await other.goto(`${url}/`);
    const left = await other.evaluate(async (name) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const tx = db.transaction('unsent', 'readwrite');
      const store = tx.objectStore('unsent');
      const keys = await new Promise<IDBValidKey[]>((resolve) => {
        const r = store.getAllKeys();
        r.onsuccess = () => resolve(r.result);
      });
      store.delete(keys[keys.length - 1] as IDBValidKey);
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
      return keys.length - 1;
    }, `giaoban-workspace:${meetingId}`);
    expect(left).toBeGreaterThan(0);

    page = await openWorkspace(context);
    await expect.poll(() => editor(page).inputValue(), POLL).toContain('Một hai ba bốn.');
    // More typing on top of the text whose record was deleted.
    await editor(page).press('End');
    await editor(page).pressSequentially(' Năm.', { delay: 20 });
    await expect.poll(() => saveState(page), POLL).toBe('saved');
    const shown = await editor(page).inputValue();
    expect(shown).toContain('Một hai ba bốn. Năm.');
    expect(await hubMinutes()).toBe(shown);
    await context.close();
  });
});

describe('upgrading from the two-database client', () => {
  it('edits kept by the previous version (document and outbox databases) reach the hub after the upgrade', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-profile-'));
    profiles.push(dir);
    const context = await launchProfile(dir);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/`);
    // What the old page kept: its document in y-indexeddb's layout and an outbox, never sent.
    const old = new Y.Doc();
    Y.applyUpdate(old, Y.encodeStateAsUpdate(await hubDoc()));
    const sv = Y.encodeStateVector(old);
    old.getText(`minutes:${itemId}`).insert(0, 'GÕ TRÊN BẢN CŨ. ');
    const edit = Array.from(Y.encodeStateAsUpdate(old, sv));
    await page.evaluate(
      async ({ meeting, bytes }) => {
        for (const name of [`giaoban-ws:${meeting}`, `giaoban-outbox:${meeting}`]) {
          const db = await new Promise<IDBDatabase>((resolve, reject) => {
            const open = indexedDB.open(name, 1);
            open.onupgradeneeded = () => open.result.createObjectStore('updates', { autoIncrement: true });
            open.onsuccess = () => resolve(open.result);
            open.onerror = () => reject(open.error);
          });
          const tx = db.transaction('updates', 'readwrite');
          tx.objectStore('updates').add(new Uint8Array(bytes));
          await new Promise((resolve) => (tx.oncomplete = resolve));
          db.close();
        }
      },
      { meeting: meetingId, bytes: edit },
    );
    const upgraded = await openWorkspace(context);
    await expect.poll(() => editor(upgraded).inputValue(), POLL).toContain('GÕ TRÊN BẢN CŨ. ');
    await expect.poll(() => saveState(upgraded), POLL).toBe('saved');
    expect(await hubMinutes()).toContain('GÕ TRÊN BẢN CŨ. ');
    const left = await upgraded.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(left).toEqual([`giaoban-workspace:${meetingId}`]);
    await context.close();
  });
});

describe('the workspace says what is not saved, and protects confirmed conclusions', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-profile-'));
    profiles.push(dir);
    context = await launchProfile(dir);
    page = await openWorkspace(context);
    await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: POLL.timeout });
  });

  afterAll(async () => {
    await context?.close();
  });

  it('"CHƯA LƯU … giây" appears within seconds while the hub cannot store, and "Đã lưu" once it has', async () => {
    store.stall();
    try {
      await editor(page).press('End');
      await editor(page).pressSequentially(' Khi kho dữ liệu treo.', { delay: 10 });
      const state = page.getByTestId('save-state');
      await expect.poll(() => state.getAttribute('data-late'), POLL).toBe('true');
      expect(await state.textContent()).toMatch(/CHƯA LƯU \d+ giây/);
      expect(await state.getAttribute('data-state')).toBe('saving');
    } finally {
      store.resume();
    }
    await expect.poll(() => saveState(page), POLL).toBe('saved');
    expect(await page.getByTestId('save-state').getAttribute('data-late')).toBe('false');
    expect(await hubMinutes()).toContain('Khi kho dữ liệu treo.');
  });

  it('a 9.3 KB paste into "Nơi nhận" is refused with a visible message and the field keeps its text', async () => {
    await page.getByRole('tab', { name: /Thông báo/ }).click();
    const recipients = page.getByLabel('Nơi nhận (mỗi dòng một nơi)');
    await recipients.fill('- Như trên;\n- Lưu VT.');
    await expect.poll(() => saveState(page), POLL).toBe('saved');
    const paste = Array.from({ length: 330 }, (_, i) => `- Ủy ban nhân dân xã số ${i + 1};`).join('\n');
    expect(new TextEncoder().encode(paste).length).toBeGreaterThan(9000);
    await recipients.fill(paste);
    await expect
      .poll(() => page.getByTestId('notice-recipients-too-large').textContent(), POLL)
      .toContain('quá dài');
    expect(await recipients.inputValue()).toBe('- Như trên;\n- Lưu VT.');
  });

  it('a confirmed conclusion is shown locked; once unlocked its deletion asks first and can be undone', async () => {
    await page.getByRole('tab', { name: /Kết luận/ }).click();
    await page.getByLabel('Kết luận mới').fill('Giao Sở Tài chính bố trí vốn trong quý III.');
    await page.getByRole('button', { name: 'Thêm kết luận' }).click();
    await expect.poll(() => saveState(page), POLL).toBe('saved');
    const chair = await connect(url, tokens.chair as string);
    await must(chair, 'meeting:join', {});
    const [conclusion] = await must(chair, 'doc:conclusions', {});
    await must(chair, 'doc:confirm', { conclusionId: conclusion?.id as string, confirmed: true });

    const item = page.getByTestId('conclusions').getByRole('listitem').first();
    await expect.poll(() => item.getAttribute('data-locked'), POLL).toBe('true');
    expect(await item.textContent()).toContain('Đã khóa');
    expect(await page.getByLabel('Kết luận 1').getAttribute('readonly')).not.toBeNull();
    expect(await page.getByRole('button', { name: 'Xóa kết luận 1' }).count()).toBe(0);

    await must(chair, 'doc:confirm', { conclusionId: conclusion?.id as string, confirmed: false });
    await expect.poll(() => item.getAttribute('data-locked'), POLL).toBe('false');
    await page.getByRole('button', { name: 'Xóa kết luận 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Xóa kết luận 1?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Không xóa' }).click();
    expect(await page.getByLabel('Kết luận 1').inputValue()).toContain('Giao Sở Tài chính');
    await page.getByRole('button', { name: 'Xóa kết luận 1' }).click();
    await dialog.getByRole('button', { name: 'Xóa kết luận' }).click();
    await expect.poll(() => page.getByTestId('conclusions').getByRole('listitem').count(), POLL).toBe(0);
    await page.getByRole('button', { name: 'Hoàn tác xóa' }).click();
    await expect.poll(() => page.getByLabel('Kết luận 1').inputValue(), POLL).toContain('Giao Sở Tài chính');
    await expect.poll(() => saveState(page), POLL).toBe('saved');
    const after = await must(chair, 'doc:conclusions', {});
    expect(after).toMatchObject([{ id: conclusion?.id, author: 'Thư ký Một', confirmed: false }]);
    // The history lists every change, with who made it.
    await page.getByText(/Lịch sử thay đổi/).click();
    const history = await item.locator('details').textContent();
    for (const line of [
      'Thư ký Một tạo',
      'Đồng chí Chủ trì xác nhận',
      'Đồng chí Chủ trì bỏ xác nhận',
      'Thư ký Một xóa',
      'Thư ký Một khôi phục',
    ])
      expect(history).toContain(line);
    chair.close();
  });
});
