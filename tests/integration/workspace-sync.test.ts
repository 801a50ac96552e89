/**
 * The secretary workspace through the real hub: two secretaries' Y.Docs over real socket.io,
 * driven by the client's own sync engine (client/src/workspace/DocSync.ts) with an in-memory
 * outbox. Concurrent typing converges, offline edits arrive after reconnect and are stored, and
 * a hub restart on durable storage (a real redis-server with AOF, appendfsync always) keeps
 * every acknowledged edit. Also: permissions and the size cap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  addConclusion,
  DOC_UPDATE_MAX_BYTES,
  type DocSyncResult,
  type MeetingId,
  minutesText,
  PROTOCOL_VERSION,
  type SiteId,
} from '@giaoban/shared';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocSync, type SyncStatus } from '../../client/src/workspace/DocSync.js';
import { MemoryOutbox } from '../../client/src/workspace/outbox.js';
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
  outbox: MemoryOutbox;
}

async function openSecretary(
  name: string,
  outbox = new MemoryOutbox(),
  doc = new Y.Doc(),
): Promise<Secretary> {
  const socket: HubSocket = io(url, {
    auth: { token: links[name] as string, protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
    forceNew: true,
  });
  const self = { name, socket, doc, outbox } as Secretary;
  self.status = { state: 'offline', pending: 0, refused: null };
  self.sync = new DocSync(
    doc,
    {
      sync: async (stateVector) => must(socket, 'doc:sync', { stateVector }) as Promise<DocSyncResult>,
      update: async (update) => {
        const r = await request(socket, 'doc:update', { update });
        if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
        return null;
      },
    },
    outbox,
    { onStatus: (s) => (self.status = s), retryMs: 100 },
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
