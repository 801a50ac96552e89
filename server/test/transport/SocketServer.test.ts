/**
 * The socket edge on a real socket.io server and the real memory store, meeting and workspace
 * services. The meeting's media stays unavailable here (its own suites run mediasoup), so these
 * tests cover what the edge decides before any handler runs: the handler map, the handshake,
 * validation, the join-first rule and the request budgets.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CLIENT_EVENT_NAMES,
  ClientEvents,
  type ClientToServerEvents,
  type JoinLink,
  type JoinLinkId,
  type MeetingId,
  PROTOCOL_VERSION,
  type Result,
  type ServerToClientEvents,
  type SiteId,
} from '@giaoban/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetingService } from '../../src/app/MeetingService.js';
import { TokenService } from '../../src/auth/tokens.js';
import { DomainError } from '../../src/domain/DomainError.js';
import { createMeetingRecord } from '../../src/domain/MeetingRecord.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import { handlers } from '../../src/transport/handlers/index.js';
import { mediaHandlers } from '../../src/transport/handlers/media.js';
import { meetingHandlers } from '../../src/transport/handlers/meeting.js';
import { queueHandlers } from '../../src/transport/handlers/queue.js';
import { BUDGETS } from '../../src/transport/RateLimiter.js';
import { SocketServer } from '../../src/transport/SocketServer.js';
import { WorkspaceService } from '../../src/workspace/WorkspaceService.js';
import { DIRECTORY, HN, HOST } from '../domain/harness.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const SECRET = 'socket-edge-test-secret-socket-edge-test-secret';
const MEETING = 'mtg-edge' as MeetingId;

let http: HttpServer;
let sockets: SocketServer;
let url: string;
const tokens = new TokenService(SECRET);
const store = new MemoryStore();
const opened: Client[] = [];

/** A join link in the store and its token. */
async function link(id: string, role: JoinLink['role'], siteId: SiteId | null): Promise<string> {
  const l: JoinLink = {
    id: id as JoinLinkId,
    meetingId: MEETING,
    role,
    siteId,
    displayName: id,
    issuedAt: Date.now(),
    expiresAt: Date.now() + 3_600_000,
    revokedAt: null,
  };
  await store.links.put(l);
  return tokens.signJoin({ sub: l.id, mid: MEETING, role, sid: siteId, name: id }, l.expiresAt);
}

function connect(token: string, protocolVersion = PROTOCOL_VERSION): Promise<Client> {
  const s: Client = io(url, {
    auth: { token, protocolVersion },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  opened.push(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

function send(s: Client, event: string, payload: unknown): Promise<Result<unknown>> {
  return new Promise((resolve) => {
    // biome-ignore lint/suspicious/noExplicitAny: the tests send arbitrary events and payloads
    (s.emit as any)(event, payload, resolve);
  });
}

beforeAll(async () => {
  await store.meetings.create(
    createMeetingRecord({
      id: MEETING,
      title: 'Giao ban',
      scheduledAt: Date.now() + 3_600_000,
      hostSite: DIRECTORY[HOST]!,
      chairName: 'Chủ trì',
      floorSeconds: 120,
      maxConnections: 100,
      invitedSites: [DIRECTORY[HN]!],
    }),
  );
  const meetings = new MeetingService(store);
  http = createServer();
  sockets = new SocketServer(http, {
    tokens,
    store,
    meetings,
    workspace: new WorkspaceService(store, meetings),
    media: { get: () => Promise.reject(new DomainError('UNAVAILABLE', 'no media in this test')) },
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of opened) s.close();
  await sockets.close();
  http.close();
});

describe('socket edge', () => {
  it('has exactly one handler per event of the shared table, each in its area module', () => {
    expect(Object.keys(handlers).sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
    for (const [module, area] of [
      [meetingHandlers, 'meeting'],
      [queueHandlers, 'queue'],
      [mediaHandlers, 'media'],
    ] as const) {
      for (const event of Object.keys(module)) {
        expect(ClientEvents[event as keyof typeof ClientEvents].area, event).toBe(area);
      }
    }
  });

  it('refuses a handshake from another protocol version with PROTOCOL_MISMATCH', async () => {
    const err = await connect(await link('old', 'observer', null), PROTOCOL_VERSION + 1).catch((e) => e);
    expect((err as { data?: { code: string } }).data?.code).toBe('PROTOCOL_MISMATCH');
  });

  it('answers a bad payload with VALIDATION and what is wrong', async () => {
    const s = await connect(await link('site-a', 'site', HN));
    const r = await send(s, 'queue:request', { topic: 42 });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(r.ok ? '' : r.error.message).toMatch(/topic/);
  });

  it('refuses every other event before meeting:join with INVALID_STATE', async () => {
    const s = await connect(await link('site-b', 'site', HN));
    expect(await send(s, 'queue:request', { topic: 'Kiến nghị' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_STATE' },
    });
  });

  it('answers meeting:join with the media layer refusal as UNAVAILABLE, and nothing joined', async () => {
    const s = await connect(await link('site-c', 'site', HN));
    expect(await send(s, 'meeting:join', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect((await store.meetings.get(MEETING))?.participants).toEqual([]);
  });

  it('turns a flood of refused requests into LIMIT', async () => {
    const s = await connect(await link('script', 'site', HN));
    const answers = await Promise.all(
      Array.from({ length: BUDGETS.refused.burst + 20 }, () => send(s, 'queue:request', { topic: 1 })),
    );
    const codes = answers.map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes).toContain('VALIDATION');
    expect(codes).toContain('LIMIT');
  });

  it('ignores an event sent without an ack callback, and the connection still answers', async () => {
    const s = await connect(await link('no-ack', 'site', HN));
    // biome-ignore lint/suspicious/noExplicitAny: an event without its ack, as a broken client sends it
    (s.emit as any)('queue:request', { topic: 'x' });
    expect(await send(s, 'meeting:sync', {})).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
  });
});
