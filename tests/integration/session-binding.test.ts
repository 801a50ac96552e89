/**
 * Sessions stay bound to their join link, with either store: the hub tells a client why it ends
 * its session before the connection closes (replaced, expired, revoked), on whichever instance
 * the other device is connected; and a recovered session (socket.io connection-state recovery)
 * resumes only for the link that left — another link, or a revoked one, starts fresh and gets
 * none of the rooms or missed packets.
 */
import type {
  AgendaItemId,
  DisconnectReason,
  IssueLinkBody,
  JoinLink,
  MeetingId,
  SiteId,
} from '@giaoban/shared';
import { PROTOCOL_VERSION } from '@giaoban/shared';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TokenService } from '../../server/src/auth/tokens.js';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub, TEST_JWT_SECRET } from '../support/inProcessHub.js';
import { api, connect, eventually, type HubSocket, must } from '../support/meeting.js';
import { prepareMeeting, type RedisServer, redisHubEnv, startRedis } from '../support/redis.js';

const HUE = 'hue' as SiteId;

/** What a raw client saw, in order: events by name (before socket.io hands them over) and its disconnect. */
interface Watched {
  socket: HubSocket;
  seen: string[];
}

/** Records every event packet the connection receives (even ones socket.io-client buffers) and the disconnect. */
function watch(socket: HubSocket): Watched {
  const seen: string[] = [];
  socket.io.on('packet', (p: { type: number; data?: unknown[] }) => {
    if (p.type === 2 && typeof p.data?.[0] === 'string') seen.push(p.data[0]);
  });
  socket.on('session:ended', ({ reason }, ack) => {
    seen.push(`ended:${reason}`);
    ack();
  });
  socket.on('disconnect', () => seen.push('disconnect'));
  return { socket, seen };
}

/** A connection that recovers a parked session: `pid`/`offset` as socket.io-client sends them. */
function connectRecovering(
  url: string,
  token: string,
  session: { pid: string; offset: string },
): Promise<{ w: Watched; error: { data?: { code?: string } } | null }> {
  const socket: HubSocket = io(url, {
    auth: { token, protocolVersion: PROTOCOL_VERSION, pid: session.pid, offset: session.offset },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const w = watch(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ w, error: null }));
    socket.once('connect_error', (error) => resolve({ w, error: error as { data?: { code?: string } } }));
  });
}

/** The recovery handle socket.io-client keeps for a connection (private fields of its Socket). */
function sessionOf(socket: HubSocket): { pid: string; offset: string } {
  const s = socket as unknown as { _pid?: string; _lastOffset?: string };
  if (!s._pid || !s._lastOffset)
    throw new Error('no recoverable session (connection-state recovery is off?)');
  return { pid: s._pid, offset: s._lastOffset };
}

/** One secretary edit of the minutes of an item, as a fresh Y.Doc's update. */
function minutesEdit(itemId: string, text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText(`minutes:${itemId}`).insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

for (const store of ['memory', 'redis'] as const) {
  describe(`sessions bound to their link (${store} store)`, () => {
    let redis: RedisServer | null = null;
    let hub: Hub;
    let other: Hub | null = null;
    let url: string;
    let otherUrl: string;
    let meetingId: string;
    let orgToken: string;
    let tokens: Record<string, string>;
    let itemId: AgendaItemId;
    const opened: HubSocket[] = [];

    const joined = async (name: string, at = url): Promise<HubSocket> => {
      const s = await connect(at, tokens[name]!);
      opened.push(s);
      await must(s, 'meeting:join', {});
      return s;
    };

    beforeAll(async () => {
      let env: Record<string, string> = {};
      if (store === 'redis') {
        redis = await startRedis();
        env = redisHubEnv(redis);
      }
      hub = await startTestHub(env);
      url = hub.url.replace('localhost', '127.0.0.1');
      // With Redis a second instance on the same state: a link's devices may sit on either.
      if (store === 'redis') {
        other = await startTestHub(env);
        otherUrl = other.url.replace('localhost', '127.0.0.1');
      } else otherUrl = url;
      const people: Record<string, IssueLinkBody> = {
        chair: { role: 'chair', siteId: HOST_SITE },
        hue: { role: 'site', siteId: HUE },
        observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
        secretary: { role: 'secretary', displayName: 'Thư ký 1' },
        secretary2: { role: 'secretary', displayName: 'Thư ký 2' },
        revoked: { role: 'secretary', displayName: 'Thư ký (thu hồi)' },
        replaced: { role: 'observer', displayName: 'Hai thiết bị' },
        remote: { role: 'observer', displayName: 'Hai máy chủ' },
      };
      const prepared = await prepareMeeting(url, [HUE], people);
      ({ meetingId, orgToken, tokens } = prepared);
      const summary = await api<{ agenda: { id: AgendaItemId }[] }>(
        url,
        'GET',
        `/api/meetings/${meetingId}`,
        orgToken,
      );
      itemId = summary.agenda[0]!.id;
    }, 60_000);

    afterAll(async () => {
      for (const s of opened) s.close();
      await other?.stop();
      await hub?.stop();
      await redis?.stop();
    });

    it('a replaced device is told "replaced" before its connection closes', async () => {
      const first = watch(await joined('replaced'));
      await joined('replaced');
      await eventually(() => first.seen.includes('disconnect'), 'the first device to be cut');
      expect(first.seen.filter((e) => e === 'ended:replaced' || e === 'disconnect')).toEqual([
        'ended:replaced',
        'disconnect',
      ]);
    });

    it('a device on another hub instance is replaced too, and told why first', async () => {
      const first = watch(await joined('remote', url));
      const second = await joined('remote', otherUrl);
      // Through Redis (pub/sub to the other instance, then a told-why ack from the client): slow
      // on a loaded machine, so a generous wait — it asserts the outcome, not its speed.
      await eventually(
        () => first.seen.includes('disconnect'),
        'the device on the first instance to be cut',
        30_000,
      );
      expect(first.seen.filter((e) => e === 'ended:replaced' || e === 'disconnect')).toEqual([
        'ended:replaced',
        'disconnect',
      ]);
      expect(second.connected).toBe(true);
    }, 60_000);

    it('an expiring link is told "expired", not left to guess', async () => {
      const links = await api<JoinLink[]>(url, 'GET', `/api/meetings/${meetingId}/links`, orgToken);
      const hue = links.find((l) => l.siteId === HUE)!;
      const shortToken = new TokenService(TEST_JWT_SECRET).signJoin(
        { sub: hue.id, mid: meetingId as MeetingId, role: 'site', sid: HUE, name: hue.displayName },
        Date.now() + 2_000,
      );
      const s = await connect(url, shortToken);
      opened.push(s);
      const w = watch(s);
      await must(s, 'meeting:join', {});
      await eventually(() => w.seen.includes('disconnect'), 'the expired connection to be closed', 8_000);
      const reasons = w.seen.filter((e) => e.startsWith('ended:') || e === 'disconnect');
      expect(reasons).toEqual(['ended:expired' satisfies `ended:${DisconnectReason}`, 'disconnect']);
    });

    it("an observer link that presents the chair's recovery handle starts fresh, without the chair's rooms or missed updates", async () => {
      const chair = await joined('chair');
      await must(chair, 'doc:sync', { stateVector: Y.encodeStateVector(new Y.Doc()) });
      const secretary = await joined('secretary');
      // The chair has received increments (with recovery offsets) by now.
      await eventually(() => {
        try {
          sessionOf(chair);
          return true;
        } catch {
          return false;
        }
      }, 'the chair to hold a recovery offset');
      const handle = sessionOf(chair);
      chair.io.engine.close(); // a dropped network: the session is parked for recovery
      await eventually(() => !chair.connected, 'the chair to drop');
      await must(secretary, 'doc:update', {
        update: minutesEdit(itemId, 'Ý kiến trong lúc chủ trì mất kết nối. '),
      });

      const { w: obs, error } = await connectRecovering(url, tokens.observer!, handle);
      expect(error).toBeNull();
      opened.push(obs.socket);
      await must(obs.socket, 'meeting:join', {});
      await must(secretary, 'doc:update', { update: minutesEdit(itemId, 'Ý kiến sau đó. ') });
      // Give a wrongly kept room every chance to deliver: the secretary's own next request round-trips through it.
      await must(secretary, 'meeting:sync', {});
      await must(obs.socket, 'meeting:sync', {});
      expect(obs.seen).not.toContain('doc:updated');
      expect(obs.seen).not.toContain('doc:conclusions');
      const r = await must(obs.socket, 'meeting:sync', {});
      expect(r.meeting.id).toBe(meetingId);
    });

    it('the same link recovering its own session gets what it missed', async () => {
      const chair = await joined('chair');
      await must(chair, 'doc:sync', { stateVector: Y.encodeStateVector(new Y.Doc()) });
      const secretary = await joined('secretary2');
      await eventually(() => {
        try {
          sessionOf(chair);
          return true;
        } catch {
          return false;
        }
      }, 'the chair to hold a recovery offset');
      const handle = sessionOf(chair);
      const parkedId = chair.id;
      chair.io.engine.close();
      await eventually(() => !chair.connected, 'the chair to drop');
      await must(secretary, 'doc:update', { update: minutesEdit(itemId, 'Khi chủ trì vắng. ') });
      const { w: back, error } = await connectRecovering(url, tokens.chair!, handle);
      expect(error).toBeNull();
      opened.push(back.socket);
      // The hub resumed the parked session (same socket id) rather than starting a fresh one.
      expect(back.socket.id).toBe(parkedId);
      await eventually(() => back.seen.includes('doc:updated'), 'the missed update to arrive');
    });

    it("a revoked secretary's device recovering its session gets nothing it missed", async () => {
      const sec = await joined('revoked');
      await must(sec, 'doc:sync', { stateVector: Y.encodeStateVector(new Y.Doc()) });
      const writer = await joined('secretary');
      await eventually(() => {
        try {
          sessionOf(sec);
          return true;
        } catch {
          return false;
        }
      }, 'the secretary to hold a recovery offset');
      const handle = sessionOf(sec);
      sec.io.engine.close();
      await eventually(() => !sec.connected, 'the secretary to drop');
      await must(writer, 'doc:update', { update: minutesEdit(itemId, 'Nội dung mật sau khi thu hồi. ') });
      const links = await api<JoinLink[]>(url, 'GET', `/api/meetings/${meetingId}/links`, orgToken);
      const link = links.find((l) => l.displayName === 'Thư ký (thu hồi)')!;
      await api(url, 'POST', `/api/meetings/${meetingId}/links/${link.id}/revoke`, orgToken);

      const own = await connectRecovering(url, tokens.revoked!, handle);
      opened.push(own.w.socket);
      expect(own.error?.data?.code).toBe('UNAUTHENTICATED');
      const viaOther = await connectRecovering(url, tokens.observer!, handle);
      opened.push(viaOther.w.socket);
      expect(viaOther.error).toBeNull();
      await must(viaOther.w.socket, 'meeting:join', {}).catch(() => undefined);
      await must(writer, 'doc:update', { update: minutesEdit(itemId, 'Thêm nữa. ') });
      await must(writer, 'meeting:sync', {});
      expect(own.w.seen).not.toContain('doc:updated');
      expect(viaOther.w.seen).not.toContain('doc:updated');
    });
  });
}
