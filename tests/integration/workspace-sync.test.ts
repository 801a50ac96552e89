/**
 * The secretary workspace through the real hub: two secretaries' Y.Docs over real socket.io,
 * driven by the client's own sync engine (client/src/workspace/DocSync.ts) with an in-memory
 * local store. Concurrent typing converges, offline edits arrive after reconnect and are stored,
 * and a hub restart on durable storage (a real redis-server with AOF, appendfsync always) keeps
 * every acknowledged edit. Also: permissions and the size cap; a lost unsent record or a wiped
 * local store never leaves "saved" on the page while the hub lacks its text; the hub refuses an
 * update it cannot place; a confirmed conclusion is locked and every change is in its history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  addConclusion,
  conclusionsArray,
  DOC_CONCLUSION_LOCKED,
  DOC_MISSING_UPDATES,
  DOC_UPDATE_MAX_BYTES,
  type DocSyncResult,
  type DocUpdateResult,
  type MeetingId,
  minutesText,
  PROTOCOL_VERSION,
  readConclusionHistory,
  removeEntry,
  type SiteId,
  toBytes,
} from '@giaoban/shared';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocSync, type SyncStatus } from '../../client/src/workspace/DocSync.js';
import { MemoryDocStore } from '../../client/src/workspace/LocalDocStore.js';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { type Hub, startHub } from '../../server/src/main.js';
import { RedisStore } from '../../server/src/store/RedisStore.js';
import { RedisSupervisor } from '../../server/src/store/RedisSupervisor.js';
import type { Store } from '../../server/src/store/Store.js';
import { HOST_SITE, TEST_JWT_SECRET } from '../support/inProcessHub.js';
import {
  api,
  connect,
  createMeeting,
  eventually,
  type HubSocket,
  issueLink,
  login,
  must,
  request,
} from '../support/meeting.js';
import { freeTcpPort, freeUdpPort } from '../support/ports.js';

const SITES = ['hue', 'da-nang'] as SiteId[];

let redis: RedisSupervisor;
let redisDir: string;
let store: Store;
let hub: Hub;
let port: number;
let url: string;
let meetingId: string;
let items: string[];
const links: Record<string, string> = {};

async function startOn(s: Store): Promise<Hub> {
  return startHub(
    {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      GIAOBAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'giaoban-ws-')),
      JWT_SECRET: TEST_JWT_SECRET,
      GIAOBAN_ORGANIZERS: `org:${hashPassword('org-password')}`,
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_WORKERS: '1',
      MEDIA_RTC_PORT: String(await freeUdpPort()),
      MEDIA_RTC_MIN_PORT: '20000',
      MEDIA_RTC_MAX_PORT: '29999',
      LOG_LEVEL: 'silent',
    },
    { store: s },
  );
}

/** A secretary's page: a socket that reconnects by itself, a Y.Doc and the client's sync engine. */
interface Secretary {
  name: string;
  socket: HubSocket;
  doc: Y.Doc;
  sync: DocSync;
  status: SyncStatus;
  /** Every state the page showed, in order. */
  shown: SyncStatus['state'][];
  local: MemoryDocStore;
}

async function openSecretary(
  name: string,
  local = new MemoryDocStore(),
  doc = new Y.Doc(),
  options: { waitSaved?: boolean } = {},
): Promise<Secretary> {
  const socket: HubSocket = io(url, {
    auth: { token: links[name] as string, protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
    forceNew: true,
  });
  const self = { name, socket, doc, local } as Secretary;
  self.status = { state: 'offline', pending: 0, unsavedSince: null, refused: null, localStoreFailed: false };
  self.shown = [];
  self.sync = new DocSync(
    doc,
    {
      sync: async (stateVector) => must(socket, 'doc:sync', { stateVector }) as Promise<DocSyncResult>,
      update: async (update) => {
        const r = await request(socket, 'doc:update', { update });
        if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
        return r.data as DocUpdateResult;
      },
    },
    local,
    {
      onStatus: (s) => {
        self.status = s;
        if (self.shown.at(-1) !== s.state) self.shown.push(s.state);
      },
      retryMs: 100,
    },
  );
  socket.on('doc:updated', ({ update }) => self.sync.receive(update));
  socket.on('connect', () => {
    void request(socket, 'meeting:join', {}).then((r) => {
      if (r.ok) void self.sync.connected();
    });
  });
  socket.on('disconnect', (reason) => {
    self.sync.disconnected();
    // Like the page's session: a server-side disconnect (a hub restart) is not retried by socket.io.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 200);
  });
  await self.sync.start();
  if (options.waitSaved !== false)
    await eventually(() => self.status.state === 'saved', `${name} synced`, 10_000);
  return self;
}

const text = (s: Secretary, item = 0) => minutesText(s.doc, items[item] as string).toString();

/** The hub's own view of the item's minutes, read through the public export path's service. */
async function hubMinutes(h: Hub, item = 0): Promise<string> {
  return (await h.parts.workspace.content(meetingId as MeetingId)).minutes[items[item] as string] ?? '';
}

/** Types `chars` one character at a time at random places, yielding to the event loop in between. */
async function typeRandomly(s: Secretary, chars: string, seed: number): Promise<void> {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const t = minutesText(s.doc, items[0] as string);
  for (const ch of chars) {
    t.insert(Math.floor(rnd() * (t.length + 1)), ch);
    if (rnd() < 0.5) await new Promise((r) => setImmediate(r));
  }
}

beforeAll(async () => {
  redisDir = mkdtempSync(path.join(tmpdir(), 'giaoban-ws-redis-'));
  redis = await RedisSupervisor.start({ dataDir: redisDir, restartOnCrash: false });
  store = await RedisStore.connect({ url: redis.url, prefix: 'ws:', commandTimeoutMs: 2_000 });
  port = await freeTcpPort();
  url = `http://127.0.0.1:${port}`;
  hub = await startOn(store);
  const org = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, org, {
    title: 'Hội nghị giao ban trực tuyến tháng 5',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    chairName: 'Đồng chí Chủ trì',
    floorSeconds: 120,
    invitedSiteIds: [...SITES],
  });
  meetingId = summary.meeting.id;
  items = [];
  for (const title of ['Báo cáo kết quả công tác tháng 5', 'Thảo luận']) {
    const item = await api<{ id: string }>(url, 'POST', `/api/meetings/${meetingId}/agenda`, org, {
      title,
      kind: 'report',
      plannedMinutes: 15,
    });
    items.push(item.id);
  }
  const people = {
    sec1: { role: 'secretary', displayName: 'Thư ký Một' },
    sec2: { role: 'secretary', displayName: 'Thư ký Hai' },
    sec3: { role: 'secretary', displayName: 'Thư ký Ba' },
    sec4: { role: 'secretary', displayName: 'Thư ký Bốn' },
    sec5: { role: 'secretary', displayName: 'Thư ký Năm' },
    chair: { role: 'chair', siteId: HOST_SITE },
    operator: { role: 'operator' },
    hue: { role: 'site', siteId: 'hue' as SiteId },
  } as const;
  for (const [name, body] of Object.entries(people))
    links[name] = (await issueLink(url, org, meetingId, body)).token;
});

afterAll(async () => {
  await hub?.stop();
  await store?.close();
  await redis?.stop();
  rmSync(redisDir, { recursive: true, force: true });
});

describe('secretary workspace over the hub', () => {
  let s1: Secretary;
  let s2: Secretary;

  it('two secretaries typing into the same item at once converge to the same text', async () => {
    s1 = await openSecretary('sec1');
    s2 = await openSecretary('sec2');
    const a = 'Đồng chí Trưởng ban phát biểu chỉ đạo. '.repeat(3);
    const b = 'Tỉnh Huế báo cáo khó khăn về biên chế. '.repeat(3);
    await Promise.all([typeRandomly(s1, a, 7), typeRandomly(s2, b, 11)]);
    await eventually(
      () => s1.status.state === 'saved' && s2.status.state === 'saved' && text(s1) === text(s2),
      'convergence',
      15_000,
    );
    expect(text(s1)).toHaveLength(a.length + b.length);
    expect([...text(s1)].sort().join('')).toBe([...(a + b)].sort().join(''));
    expect(await hubMinutes(hub)).toBe(text(s1));
  });

  it('edits made while one secretary is disconnected appear after reconnect and are stored', async () => {
    s2.socket.disconnect();
    await eventually(() => s2.status.state === 'offline', 'offline');
    const t2 = minutesText(s2.doc, items[1] as string);
    t2.insert(0, 'Ghi khi mất mạng: Đà Nẵng kiến nghị bổ sung kinh phí.');
    addConclusion(s2.doc, items[1] as string, {
      id: 'c-offline',
      text: 'Giao Ban Tổ chức nghiên cứu, trả lời kiến nghị của Đà Nẵng.',
      author: 'Thư ký Hai',
      at: Date.now(),
    });
    minutesText(s1.doc, items[1] as string).insert(0, 'Trực tuyến: ');
    expect(s2.status).toMatchObject({ state: 'offline' });
    expect(s2.status.pending).toBeGreaterThan(0);
    await eventually(() => s1.status.state === 'saved', 's1 saved');
    expect(minutesText(s1.doc, items[1] as string).toString()).toBe('Trực tuyến: ');

    s2.socket.connect();
    const both = (s: Secretary) => minutesText(s.doc, items[1] as string).toString();
    await eventually(
      () => s2.status.state === 'saved' && both(s1) === both(s2) && both(s1).includes('Đà Nẵng'),
      'offline edits delivered',
      10_000,
    );
    expect(both(s1)).toContain('Trực tuyến: ');
    // Stored: a reader that starts from nothing gets it from the hub's store.
    const fresh = new Y.Doc();
    for (const u of await store.readDocUpdates(meetingId as MeetingId, 'workspace')) Y.applyUpdate(fresh, u);
    expect(minutesText(fresh, items[1] as string).toString()).toBe(both(s1));
    const chair = await connect(url, links.chair as string);
    await must(chair, 'meeting:join', {});
    const conclusions = await must(chair, 'doc:conclusions', {});
    expect(conclusions).toMatchObject([{ id: 'c-offline', author: 'Thư ký Hai', confirmed: false }]);
    chair.close();
  });

  it('a hub restart on durable storage keeps every acknowledged edit', async () => {
    minutesText(s1.doc, items[0] as string).insert(0, 'TRƯỚC KHI KHỞI ĐỘNG LẠI. ');
    await eventually(() => s1.status.state === 'saved' && s2.status.state === 'saved', 'acknowledged');
    const acknowledged = [text(s1), minutesText(s1.doc, items[1] as string).toString()];

    await hub.stop();
    await store.close();
    await eventually(() => s1.status.state === 'offline' && s2.status.state === 'offline', 'both offline');
    // Typed while the hub is down: queued, sent after the restart.
    minutesText(s2.doc, items[0] as string).insert(0, 'TRONG LÚC HUB DỪNG. ');
    store = await RedisStore.connect({ url: redis.url, prefix: 'ws:', commandTimeoutMs: 2_000 });
    hub = await startOn(store);

    await eventually(
      () => s1.status.state === 'saved' && s2.status.state === 'saved' && text(s1) === text(s2),
      'reconnected and converged',
      20_000,
    );
    expect(text(s1).startsWith('TRONG LÚC HUB DỪNG. ') || text(s1).includes('TRONG LÚC HUB DỪNG. ')).toBe(
      true,
    );
    expect(text(s1)).toContain(acknowledged[0]);
    expect(minutesText(s1.doc, items[1] as string).toString()).toBe(acknowledged[1]);
    // A third secretary opening the page after the restart sees everything from the hub.
    const s3 = await openSecretary('sec3');
    await eventually(() => text(s3) === text(s1), 'fresh reader has it all');
    expect(await hubMinutes(hub)).toBe(text(s1));
    s3.socket.close();
  });

  it('a site cannot read or write the minutes, a secretary cannot confirm, the chair can', async () => {
    const site = await connect(url, links.hue as string);
    await must(site, 'meeting:join', {});
    const sv = Y.encodeStateVector(new Y.Doc());
    for (const [event, payload] of [
      ['doc:sync', { stateVector: sv }],
      ['doc:update', { update: Y.encodeStateAsUpdate(s1.doc) }],
      ['doc:conclusions', {}],
      ['doc:confirm', { conclusionId: 'c-offline', confirmed: true }],
    ] as const) {
      const r = await request(site, event, payload);
      expect(r, event).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    // Nothing written by the site's attempt reaches a secretary.
    let leaked = false;
    site.on('doc:updated', () => (leaked = true));
    site.close();

    const secConfirm = await request(s1.socket, 'doc:confirm', {
      conclusionId: 'c-offline',
      confirmed: true,
    });
    expect(secConfirm).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const operator = await connect(url, links.operator as string);
    await must(operator, 'meeting:join', {});
    const seen: unknown[][] = [];
    operator.on('doc:conclusions', (list) => seen.push(list));
    expect(await must(operator, 'doc:conclusions', {})).toHaveLength(1);
    expect(await request(operator, 'doc:sync', { stateVector: sv })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });

    const chair = await connect(url, links.chair as string);
    await must(chair, 'meeting:join', {});
    const confirmed = await must(chair, 'doc:confirm', { conclusionId: 'c-offline', confirmed: true });
    expect(confirmed).toMatchObject({ id: 'c-offline', confirmed: true });
    // The operator's read-only panel hears it; the secretaries' documents get the hub's update.
    await eventually(
      () => seen.some((l) => (l as { confirmed: boolean }[])[0]?.confirmed === true),
      'operator hears',
    );
    const inDoc = () => s2.doc.getMap<{ by: string }>('confirmations').get('c-offline')?.by;
    await eventually(() => inDoc() !== undefined, 'secretary doc has the confirmation');
    expect(leaked).toBe(false);
    operator.close();
    chair.close();
  });

  it('an update over the size cap is refused with LIMIT and nothing of it is stored', async () => {
    const big = new Y.Doc();
    minutesText(big, items[0] as string).insert(0, 'x'.repeat(DOC_UPDATE_MAX_BYTES + 1024));
    const before = (await store.readDocUpdates(meetingId as MeetingId, 'workspace')).length;
    const r = await request(s1.socket, 'doc:update', { update: Y.encodeStateAsUpdate(big) });
    expect(r).toMatchObject({ ok: false, error: { code: 'LIMIT' } });
    if (!r.ok) expect(r.error.message).toMatch(/KB/);
    expect((await store.readDocUpdates(meetingId as MeetingId, 'workspace')).length).toBe(before);
    // A malformed payload is a VALIDATION error, not a crash.
    expect(await request(s1.socket, 'doc:update', { update: 'not base64!' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });

  afterAll(() => {
    s1?.socket.close();
    s2?.socket.close();
  });
});

/** A raw secretary connection with its own Y.Doc synced from the hub (no sync engine): sends exactly what a test gives it. */
async function rawSecretary(name: string): Promise<{ socket: HubSocket; doc: Y.Doc }> {
  const socket = await connect(url, links[name] as string);
  await must(socket, 'meeting:join', {});
  const doc = new Y.Doc();
  const r = await must(socket, 'doc:sync', { stateVector: Y.encodeStateVector(doc) });
  Y.applyUpdate(doc, toBytes(r.update));
  return { socket, doc };
}

/** Sends what `doc` has that the hub lacks, the way the refusal asks: sync first, then the difference. */
async function sendDifference(socket: HubSocket, doc: Y.Doc) {
  const r = await must(socket, 'doc:sync', { stateVector: Y.encodeStateVector(doc) });
  Y.applyUpdate(doc, toBytes(r.update));
  return request(socket, 'doc:update', { update: Y.encodeStateAsUpdate(doc, toBytes(r.stateVector)) });
}

const storedCount = async () => (await store.readDocUpdates(meetingId as MeetingId, 'workspace')).length;

describe('nothing typed is ever shown as saved while the hub lacks it', () => {
  it('the newest unsent record lost before reopening: the reopened page is "saved" only once the hub has all it shows', async () => {
    const local = new MemoryDocStore();
    const a = await openSecretary('sec4', local);
    a.socket.disconnect();
    await eventually(() => a.status.state === 'offline', 'offline');
    const t = minutesText(a.doc, items[1] as string);
    for (const word of ['Một, ', 'hai, ', 'ba, ', 'bốn. ']) t.insert(t.length, word);
    expect(local.unsent).toHaveLength(4);
    // The tab goes away; what it kept is the store, minus the newest unsent record (a crash between writes).
    a.sync.close();
    a.socket.close();
    local.unsent.pop();

    const b = await openSecretary('sec4', local, new Y.Doc(), { waitSaved: false });
    const tb = minutesText(b.doc, items[1] as string);
    expect(tb.toString()).toContain('Một, hai, ba, bốn. ');
    // Typed on top of the text whose record was lost: this edit depends on it.
    tb.insert(tb.length, 'Năm.');
    await eventually(() => b.status.state === 'saved', 'reopened page saved', 15_000);
    expect(await hubMinutes(hub, 1)).toBe(tb.toString());
    expect(b.status.refused).toBeNull();
    // And another secretary sees every word of it.
    const reader = await rawSecretary('sec3');
    expect(minutesText(reader.doc, items[1] as string).toString()).toBe(tb.toString());
    reader.socket.close();
    b.socket.close();
    b.sync.close();
  });

  it('a local store wiped after typing: the page says "not saved" until the hub has the text, then the hub has it', async () => {
    const local = new MemoryDocStore();
    const w = await openSecretary('sec4', local);
    w.socket.disconnect();
    await eventually(() => w.status.state === 'offline', 'offline');
    const typedAt = Date.now();
    minutesText(w.doc, items[0] as string).insert(0, 'GÕ XONG THÌ BỘ NHỚ BỊ XÓA. ');
    expect(w.status.state).toBe('offline');
    expect(w.status.unsavedSince).toBeGreaterThanOrEqual(typedAt);
    // The browser's storage is wiped and the sync engine starts over on the page's document:
    // no unsent list anywhere, only the text on screen.
    local.wipe();
    w.sync.close();
    w.socket.close();
    const again = await openSecretary('sec4', local, w.doc, { waitSaved: false });
    expect(again.status.state).not.toBe('saved');
    await eventually(() => again.status.state === 'saved', 'saved after reconciling', 15_000);
    expect(await hubMinutes(hub)).toContain('GÕ XONG THÌ BỘ NHỚ BỊ XÓA. ');
    expect(await hubMinutes(hub)).toBe(text(again));
    again.socket.close();
    again.sync.close();
  });

  it('a page whose own store lacks what its edit builds on says "not saved" (never "saved") and the hub stores nothing of it', async () => {
    // An earlier writer's two edits; this browser kept only the second (the first was never stored anywhere).
    const lost = new Y.Doc();
    Y.applyUpdate(lost, Y.encodeStateAsUpdate((await rawSecretary('sec3')).doc));
    const updates: Uint8Array[] = [];
    lost.on('update', (u: Uint8Array) => updates.push(u));
    const t = minutesText(lost, items[1] as string);
    t.insert(0, 'MẤT HẲN. ');
    t.insert('MẤT HẲN. '.length, 'KHÔNG ĐẶT ĐƯỢC. ');
    const local = new MemoryDocStore();
    await local.addLocal(updates[1] as Uint8Array, Date.now());
    const before = await storedCount();
    const page = await openSecretary('sec4', local, new Y.Doc(), { waitSaved: false });
    await eventually(() => page.status.state === 'unsaved', 'the page says not saved', 10_000);
    expect(page.status.refused).toMatchObject({ code: 'CONFLICT' });
    expect(page.shown).not.toContain('saved');
    expect(page.status.unsavedSince).not.toBeNull();
    expect(await storedCount()).toBe(before);
    expect(await hubMinutes(hub, 1)).not.toContain('KHÔNG ĐẶT ĐƯỢC');
    page.socket.close();
    page.sync.close();
  });

  it('the hub refuses an update that depends on changes it never got (CONFLICT, nothing stored) and takes it once they are sent', async () => {
    const { socket, doc } = await rawSecretary('sec5');
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const t = minutesText(doc, items[0] as string);
    t.insert(0, 'ĐẦU TIÊN. ');
    t.insert(t.length, 'CUỐI CÙNG.');
    const before = await storedCount();

    const refused = await request(socket, 'doc:update', { update: updates[1] as Uint8Array });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!refused.ok) expect(refused.error.message).toContain(DOC_MISSING_UPDATES);
    expect(await storedCount()).toBe(before);
    expect(await hubMinutes(hub)).not.toContain('CUỐI CÙNG.');

    // Another writer's edit anchored to text the hub never got is refused the same way.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const otherUpdates: Uint8Array[] = [];
    other.on('update', (u: Uint8Array) => otherUpdates.push(u));
    minutesText(other, items[0] as string).insert('ĐẦU TIÊN. '.length, '[chen] ');
    const s5b = await rawSecretary('sec5');
    expect(await request(s5b.socket, 'doc:update', { update: otherUpdates[0] as Uint8Array })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await storedCount()).toBe(before);

    // As the refusal says: sync, send what the hub lacks; then the dependent edit is taken.
    const taken = await sendDifference(socket, doc);
    expect(taken.ok).toBe(true);
    if (taken.ok) {
      const hubSv = Y.decodeStateVector(toBytes(taken.data.stateVector));
      for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc)))
        expect(hubSv.get(client) ?? 0).toBeGreaterThanOrEqual(clock);
    }
    expect(await request(s5b.socket, 'doc:update', { update: otherUpdates[0] as Uint8Array })).toMatchObject({
      ok: true,
    });
    const minutes = await hubMinutes(hub);
    expect(minutes).toContain('ĐẦU TIÊN. [chen] ');
    expect(minutes).toContain('CUỐI CÙNG.');
    socket.close();
    s5b.socket.close();
  });

  it('edits the hub does not acknowledge show "not saved" with the time of the first one, until the store is back', async () => {
    const w = await openSecretary('sec4');
    const pid = redis.pid as number;
    process.kill(pid, 'SIGSTOP'); // the store stops answering: the hub cannot store, so it does not acknowledge
    try {
      const typedAt = Date.now();
      minutesText(w.doc, items[1] as string).insert(0, 'KHI KHO DỮ LIỆU TREO. ');
      await eventually(() => w.status.state === 'saving', 'saving');
      // Still not saved well after the request timed out at the hub, and the page knows since when.
      await new Promise((r) => setTimeout(r, 3500));
      expect(w.status.state).toBe('saving');
      expect(w.status.unsavedSince).toBeGreaterThanOrEqual(typedAt);
      expect(w.status.unsavedSince).toBeLessThanOrEqual(typedAt + 1000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await eventually(() => w.status.state === 'saved', 'saved once the store is back', 15_000);
    expect(w.status.unsavedSince).toBeNull();
    expect(await hubMinutes(hub, 1)).toContain('KHI KHO DỮ LIỆU TREO. ');
    w.socket.close();
    w.sync.close();
  });
});

describe('a confirmed conclusion is locked', () => {
  it('nobody edits or deletes a confirmed conclusion until the chair withdraws the confirmation; every change is in its history', async () => {
    const item = items[0] as string;
    const one = await rawSecretary('sec1');
    const two = await rawSecretary('sec2');
    const chair = await connect(url, links.chair as string);
    await must(chair, 'meeting:join', {});

    // Thư ký Một writes a conclusion; the chair confirms it.
    let sv = Y.encodeStateVector(one.doc);
    addConclusion(one.doc, item, {
      id: 'k-lock',
      text: 'Giao Sở Tài chính bố trí vốn.',
      author: 'Thư ký Một',
      at: Date.now(),
    });
    await must(one.socket, 'doc:update', { update: Y.encodeStateAsUpdate(one.doc, sv) });
    const confirmed = await must(chair, 'doc:confirm', { conclusionId: 'k-lock', confirmed: true });
    expect(confirmed).toMatchObject({ confirmed: true, text: 'Giao Sở Tài chính bố trí vốn.' });

    // Thư ký Hai (synced, so she has the confirmation) tries to change the text, then to delete it.
    await sendDifference(two.socket, two.doc);
    const before = await storedCount();
    const entry = () =>
      conclusionsArray(two.doc, item)
        .toArray()
        .find((m) => m.get('id') === 'k-lock');
    sv = Y.encodeStateVector(two.doc);
    (entry()?.get('text') as Y.Text | undefined)?.insert(0, 'SỬA: ');
    expect(entry()?.get('text')?.toString()).toMatch(/^SỬA: /);
    const edit = await request(two.socket, 'doc:update', { update: Y.encodeStateAsUpdate(two.doc, sv) });
    expect(edit).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    if (!edit.ok) expect(edit.error.message).toContain(DOC_CONCLUSION_LOCKED);

    const fresh = await rawSecretary('sec2');
    sv = Y.encodeStateVector(fresh.doc);
    removeEntry(conclusionsArray(fresh.doc, item), 'k-lock');
    const deletion = await request(fresh.socket, 'doc:update', {
      update: Y.encodeStateAsUpdate(fresh.doc, sv),
    });
    expect(deletion).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await storedCount()).toBe(before);
    const chairView = async () => (await must(chair, 'doc:conclusions', {})).find((c) => c.id === 'k-lock');
    expect(await chairView()).toMatchObject({ confirmed: true, text: 'Giao Sở Tài chính bố trí vốn.' });

    // The chair withdraws the confirmation: now it can be changed, and deleted.
    await must(chair, 'doc:confirm', { conclusionId: 'k-lock', confirmed: false });
    const editor = await rawSecretary('sec2');
    sv = Y.encodeStateVector(editor.doc);
    const text = conclusionsArray(editor.doc, item)
      .toArray()
      .find((m) => m.get('id') === 'k-lock')
      ?.get('text') as Y.Text;
    text.insert(text.length, ' Hoàn thành trong quý III.');
    await must(editor.socket, 'doc:update', { update: Y.encodeStateAsUpdate(editor.doc, sv) });
    expect(await chairView()).toMatchObject({
      confirmed: false,
      text: 'Giao Sở Tài chính bố trí vốn. Hoàn thành trong quý III.',
    });
    sv = Y.encodeStateVector(editor.doc);
    removeEntry(conclusionsArray(editor.doc, item), 'k-lock');
    await must(editor.socket, 'doc:update', { update: Y.encodeStateAsUpdate(editor.doc, sv) });
    expect(await chairView()).toBeUndefined();

    // Every change, with who and the text, in the order it happened.
    const reader = await rawSecretary('sec3');
    const history = readConclusionHistory(reader.doc, 'k-lock');
    expect(history.map((c) => [c.action, c.by])).toEqual([
      ['created', 'Thư ký Một'],
      ['confirmed', confirmed.confirmedBy],
      ['unconfirmed', confirmed.confirmedBy],
      ['edited', 'Thư ký Hai'],
      ['deleted', 'Thư ký Hai'],
    ]);
    expect(history[3]?.text).toBe('Giao Sở Tài chính bố trí vốn. Hoàn thành trong quý III.');
    expect(history[4]?.text).toBe('Giao Sở Tài chính bố trí vốn. Hoàn thành trong quý III.');
    for (const c of history) expect(c.at).toBeGreaterThan(0);
    for (const s of [one, two, fresh, editor, reader]) s.socket.close();
    chair.close();
  });

  it('a deletion undone restores the conclusion with its author, and the history says so', async () => {
    const item = items[1] as string;
    const writer = await rawSecretary('sec1');
    let sv = Y.encodeStateVector(writer.doc);
    addConclusion(writer.doc, item, { id: 'k-undo', text: 'Rà soát biên chế.', author: 'Thư ký Một', at: 1 });
    await must(writer.socket, 'doc:update', { update: Y.encodeStateAsUpdate(writer.doc, sv) });
    // Thư ký Hai deletes it, then undoes the deletion (Yjs UndoManager, as the page does).
    const other = await rawSecretary('sec2');
    const origin = Symbol('deletion');
    const undo = new Y.UndoManager(conclusionsArray(other.doc, item), { trackedOrigins: new Set([origin]) });
    sv = Y.encodeStateVector(other.doc);
    other.doc.transact(() => removeEntry(conclusionsArray(other.doc, item), 'k-undo'), origin);
    await must(other.socket, 'doc:update', { update: Y.encodeStateAsUpdate(other.doc, sv) });
    await sendDifference(other.socket, other.doc); // receives the hub's history line
    sv = Y.encodeStateVector(other.doc);
    undo.undo();
    await must(other.socket, 'doc:update', { update: Y.encodeStateAsUpdate(other.doc, sv) });
    const reader = await rawSecretary('sec3');
    const back = conclusionsArray(reader.doc, item)
      .toArray()
      .find((m) => m.get('id') === 'k-undo');
    expect(back?.get('author')).toBe('Thư ký Một');
    expect(String(back?.get('text'))).toBe('Rà soát biên chế.');
    expect(readConclusionHistory(reader.doc, 'k-undo').map((c) => [c.action, c.by])).toEqual([
      ['created', 'Thư ký Một'],
      ['deleted', 'Thư ký Hai'],
      ['restored', 'Thư ký Hai'],
    ]);
    // A secretary cannot pass off a new conclusion as someone else's by calling it a restoration.
    sv = Y.encodeStateVector(other.doc);
    addConclusion(other.doc, item, { id: 'k-fake', text: 'Giả mạo.', author: 'Thư ký Một', at: 2 });
    expect(
      await request(other.socket, 'doc:update', { update: Y.encodeStateAsUpdate(other.doc, sv) }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    for (const s of [writer, other, reader]) s.socket.close();
  });
});
