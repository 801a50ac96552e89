import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import {
  CLIENT_EVENT_NAMES,
  type ClientAckData,
  type ClientEventName,
  type DisconnectReason,
  fail,
  type IceConfig,
  isModerator,
  type JoinLink,
  type MeetingId,
  ok,
  parseClientPayload,
  type Result,
  type SiteId,
} from '@giaoban/shared';
import { Server, type ServerOptions } from 'socket.io';
import { ChatService } from '../app/ChatService.js';
import type { MediaAccess } from '../app/MediaAccess.js';
import type { MeetingService } from '../app/MeetingService.js';
import { describeZodError, toWireError } from '../app/wireError.js';
import type { TokenService } from '../auth/tokens.js';
import { type Actor, type MeetingRecord, Slides } from '../domain/index.js';
import { log } from '../log/log.js';
import type { RelayService } from '../relay/RelayService.js';
import type { Store } from '../store/Store.js';
import type { WorkspaceService } from '../workspace/WorkspaceService.js';
import type { GbServer, GbSocket, Handler, HandlerContext, SipDialer } from './HandlerContext.js';
import { handlers } from './handlers/index.js';
import { authenticateHandshake, HandshakeError, type SocketIdentity } from './handshake.js';
import { RateLimiter, rateClassOf } from './RateLimiter.js';
import { rooms } from './rooms.js';

const MAX_TIMER_MS = 2_147_000_000;
/** How long the hub waits for a client to acknowledge `session:ended` before closing anyway. */
const SESSION_END_ACK_MS = 3_000;
/** Missed packets of a recovered session wait at most this long for the handshake to finish. */
const HELD_PACKETS_MS = 30_000;
/** Default of {@link SocketServerDeps.mediaMoveGraceMs} (the cluster's FAILOVER_GRACE_MS). */
const MEDIA_MOVE_GRACE_MS = 30_000;
/**
 * Default of {@link SocketServerDeps.networkDropGraceMs}: as long as socket.io itself takes to
 * notice a silent network (ping interval + ping timeout), so a site whose line dropped for half a
 * minute comes back to its floor turn and queue place.
 */
const NETWORK_DROP_GRACE_MS = 45_000;
/** Disconnect reasons of a connection that dropped rather than left (socket.io's own names). */
const DROPPED = new Set(['ping timeout', 'transport close', 'transport error']);
/** How long the hub waits for a client to acknowledge `media:moving` before dropping it anyway. */
const MEDIA_MOVING_ACK_MS = 1_000;

export interface SocketServerDeps {
  tokens: TokenService;
  store: Store;
  meetings: MeetingService;
  /** The meeting's media: here (MediaRegistry) or, with several instances, wherever it lives (ClusterMedia). */
  media: MediaAccess;
  /** socket.io adapter: the Redis Streams one when several instances share a Redis (fan-out, recovery). */
  adapter?: ServerOptions['adapter'];
  workspace: WorkspaceService;
  /** The meeting's chat (default: one over `store`, auditing through `meetings`). */
  chat?: ChatService;
  /**
   * How long a connection dropped because its meeting's media moved stays in the roster: its
   * client rejoins meanwhile, so its site keeps the floor and its queue place (default 30 s).
   */
  mediaMoveGraceMs?: number;
  /** How long a dropped connection (not a leave) stays in the meeting waiting for its client. */
  networkDropGraceMs?: number;
  /** Linked meetings: answers relay links' `relay:pipe` (server/src/relay/). */
  relay?: RelayService;
  /** The SIP edge's dial-out; absent without SIP. */
  sip?: SipDialer;
  /** TURN servers handed out with each transport (server/src/turn/). */
  ice?: (linkId: string, pageHost: string | undefined) => IceConfig;
}

/**
 * The socket.io edge: authenticates each connection from its join link, validates every inbound
 * payload against its schema, turns it into a domain command or a media call under the
 * authenticated identity (payloads never say who is acting), and fans changes out to the meeting.
 */
export class SocketServer {
  readonly io: GbServer;
  /** Sockets dropped because their media moved: their leaving waits for the grace. */
  readonly #mediaMoved = new Set<string>();
  /**
   * Leaves held back for connections that dropped or moved, by link: run at once when the same
   * link joins again here (its new connection stands for the device now) or is ended.
   */
  readonly #heldLeaves = new Map<string, Set<() => void>>();
  /**
   * Packets a recovered session missed, held back (by socket id) until the handshake shows the
   * same join link is back: socket.io would otherwise write them before any middleware runs.
   */
  readonly #heldPackets = new Map<string, unknown[][]>();
  /** Per-connection and per-link request budgets; excess is refused with LIMIT. */
  readonly #limiter = new RateLimiter(({ socketId, linkId, cls, count }) =>
    log.warn('SocketServer', 'requests over budget refused', {
      socket: socketId,
      link: linkId,
      class: cls,
      count,
    }),
  );

  readonly #chat: ChatService;

  constructor(
    httpServer: HttpServer | HttpsServer,
    private readonly deps: SocketServerDeps,
  ) {
    this.#chat = deps.chat ?? new ChatService(deps.store, deps.meetings, deps.meetings.audit);
    this.io = new Server(httpServer, {
      serveClient: false,
      maxHttpBufferSize: 1_000_000,
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
      ...(deps.adapter ? { adapter: deps.adapter } : {}),
    });
    this.io.use((socket, next) => {
      this.#authenticate(socket as GbSocket).then(
        () => next(),
        (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
      );
    });
    this.#holdMissedPackets();
    this.io.on('connection', (socket) => this.#onConnection(socket));
    // Another instance got a new connection of a link (or revoked it): end ours.
    this.io.on('link:end', ({ linkId, except, reason }) =>
      this.#endLocalLinkSessions(linkId, except, reason),
    );
    deps.workspace.onChanged({
      updated: (meetingId, update, writer) => {
        const to = this.io.to(rooms.doc(meetingId));
        (writer ? to.except(writer) : to).emit('doc:updated', { update });
      },
      conclusions: (meetingId, list) =>
        this.io.to(rooms.conclusions(meetingId)).emit('doc:conclusions', list),
    });
    deps.meetings.onChanged({
      changed: (meetingId, batch, record, previous, origin) => {
        // The instance that committed it emits to the room; the adapter brings it to every instance.
        if (record.slides.presenter !== previous.slides.presenter)
          this.#endScreenShares(meetingId, record.slides);
        if (origin === 'elsewhere') return;
        this.io.to(rooms.meeting(meetingId)).emit('meeting:changed', batch);
      },
    });
  }

  /** Cuts every connection of a link (it was revoked), on every instance, each told why first. */
  endLinkSessions(link: JoinLink, reason: DisconnectReason = 'revoked'): void {
    this.#endLocalLinkSessions(link.id, null, reason);
    this.#tellOtherInstances(link.id, null, reason);
  }

  /** Sends microphone levels to the moderators of a meeting (volatile: a lost sample is no loss). */
  sendAudioLevels(meetingId: MeetingId, levels: { siteId: SiteId; level: number }[]): void {
    this.io.to(rooms.moderators(meetingId)).volatile.emit('media:audioLevels', levels);
  }

  /**
   * Drops this instance's connections to a meeting whose media peer closed (the media moved to
   * another instance): each is told (`media:moving`) and rejoins. Their leaving is held back for
   * the grace, so the rejoin finds its site still present, with its floor turn and queue place.
   */
  rejoinMeeting(meetingId: MeetingId): void {
    for (const id of this.io.sockets.adapter.rooms.get(rooms.meeting(meetingId)) ?? []) {
      const socket = this.io.sockets.sockets.get(id);
      if (!socket || (socket.data.peer && !socket.data.peer.closed)) continue;
      this.#mediaMoved.add(socket.id);
      // Emits travel through the adapter (connection-state recovery), so a disconnect right away
      // would overtake the notice: wait for the client's ack, or a second.
      socket
        .timeout(MEDIA_MOVING_ACK_MS)
        .emitWithAck('media:moving')
        .catch(() => undefined)
        .finally(() => socket.disconnect(true));
    }
  }

  /** Drops every connection of this instance; their clients reconnect and rejoin. */
  rejoinAll(): void {
    this.io.local.disconnectSockets(true);
  }

  /** Disconnects this instance's connections and stops accepting connections. */
  async close(): Promise<void> {
    // This instance's connections only: through the Redis adapter a plain disconnectSockets()
    // reaches every instance, and stopping one hub would drop every client of every meeting.
    this.io.local.disconnectSockets(true);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  async #authenticate(socket: GbSocket): Promise<void> {
    // A recovered session arrives with the data and rooms of the connection it resumes.
    const held = this.#heldPackets.get(socket.id);
    this.#heldPackets.delete(socket.id);
    const resumedLinkId = socket.recovered ? linkIdOf(socket.data) : null;
    const identity = await authenticateHandshake(
      socket.handshake.auth,
      this.deps.tokens,
      (id) => this.deps.store.links.get(id as JoinLink['id']),
      randomUUID,
    );
    const record = await this.deps.store.meetings.get(identity.meetingId as MeetingId);
    if (!record) throw new HandshakeError('UNAUTHENTICATED', 'This meeting no longer exists');
    // The stored roster counts connections on every instance, at no cost per handshake.
    if (record.participants.length >= record.meeting.maxConnections) {
      throw new HandshakeError('LIMIT', `The meeting is full (${record.meeting.maxConnections} connections)`);
    }
    if (socket.recovered) {
      if (resumedLinkId === identity.linkId) {
        // The same link is back: what it missed is its own.
        for (const data of held ?? []) sendRawEvent(socket, data);
      } else {
        // Recovery belongs to the link that left: another link starts fresh, with none of its rooms.
        log.warn(
          'SocketServer.#authenticate()',
          'recovered session of another link refused; starting fresh',
          {
            link: identity.linkId,
            resumed: resumedLinkId ?? 'unknown',
          },
        );
        for (const room of [...socket.rooms]) if (room !== socket.id) void socket.leave(room);
      }
    }
    socket.data = { identity, joined: false, peer: null, poor: false, screenProducerId: null };
    // socket.data is saved for connection-state recovery, through Redis (msgpack) when several
    // instances share one: the live media peer must stay out of it.
    Object.defineProperty(socket.data, 'peer', { value: null, writable: true, enumerable: false });
  }

  /**
   * Makes the adapter hand recovered sessions over without their missed packets, which are held
   * until `#authenticate` has checked the returning link (released or dropped there).
   */
  #holdMissedPackets(): void {
    const adapter = this.io.of('/').adapter;
    const restore = adapter.restoreSession.bind(adapter);
    adapter.restoreSession = async (pid, offset) => {
      const session = await restore(pid, offset);
      if (!session) return session;
      this.#heldPackets.set(session.sid, session.missedPackets);
      setTimeout(() => this.#heldPackets.delete(session.sid), HELD_PACKETS_MS).unref();
      return { ...session, missedPackets: [] };
    };
  }

  /** Ends this instance's connections of a link but `except`, each told why before it closes. */
  #endLocalLinkSessions(linkId: string, except: string | null, reason: DisconnectReason): void {
    // Revoked, expired or the meeting over: nothing of this link is coming back.
    if (reason !== 'replaced') this.#settleLeaves(linkId);
    for (const id of this.io.sockets.adapter.rooms.get(rooms.link(linkId)) ?? []) {
      const socket = this.io.sockets.sockets.get(id);
      if (socket && socket.id !== except) void endSession(socket, reason);
    }
  }

  /** Asks the other hub instances (if any) to end their connections of a link. */
  #tellOtherInstances(linkId: string, except: string | null, reason: DisconnectReason): void {
    if (!this.deps.adapter) return;
    this.io.serverSideEmit('link:end', { linkId, except, reason });
  }

  #onConnection(socket: GbSocket): void {
    const { identity } = socket.data;
    log.debug('SocketServer', 'connected', { participant: identity.participantId, role: identity.role });
    // A link stands for one device: a second connection with it (a reload, a new PC) replaces the
    // first, wherever it is connected.
    this.#endLocalLinkSessions(identity.linkId, socket.id, 'replaced');
    this.#tellOtherInstances(identity.linkId, socket.id, 'replaced');
    void socket.join(rooms.link(identity.linkId));
    const expiry = setTimeout(
      () => void endSession(socket, 'expired'),
      Math.min(Math.max(0, identity.expiresAt - Date.now()), MAX_TIMER_MS),
    );

    const ctx = this.#contextOf(socket);
    for (const event of CLIENT_EVENT_NAMES) {
      socket.on(event, (payload: unknown, ack: unknown) => {
        if (typeof ack !== 'function') {
          log.warn('SocketServer', 'event without ack ignored', {
            event,
            participant: identity.participantId,
          });
          return;
        }
        void this.#dispatch(ctx, event, payload, ack as (r: Result<unknown>) => void);
      });
    }

    socket.on('disconnect', (reason) => {
      clearTimeout(expiry);
      this.#limiter.forgetSocket(socket.id);
      log.debug('SocketServer', 'disconnected', { participant: identity.participantId, reason });
      socket.data.peer?.close('left');
      const moved = this.#mediaMoved.delete(socket.id);
      if (socket.data.joined) {
        const leave = () =>
          void this.deps.meetings.system(identity.meetingId, {
            type: 'participant:left',
            participantId: identity.participantId,
          });
        // A connection that dropped (network cut, media rebuild) or moved leaves after a grace: its
        // client rejoins as a new participant meanwhile, so the site never looks gone.
        if (moved) this.#holdLeave(identity.linkId, leave, this.deps.mediaMoveGraceMs ?? MEDIA_MOVE_GRACE_MS);
        else if (DROPPED.has(reason)) {
          log.info('SocketServer', 'connection dropped; its leave waits for a reconnect', {
            participant: identity.participantId,
            reason,
          });
          this.#holdLeave(identity.linkId, leave, this.deps.networkDropGraceMs ?? NETWORK_DROP_GRACE_MS);
        } else leave();
      }
    });
  }

  /** Runs `leave` after `graceMs`, or sooner when the link joins again or is ended ({@link #settleLeaves}). */
  #holdLeave(linkId: string, leave: () => void, graceMs: number): void {
    const held = this.#heldLeaves.get(linkId) ?? new Set<() => void>();
    this.#heldLeaves.set(linkId, held);
    const run = (): void => {
      clearTimeout(timer);
      if (!held.delete(run)) return;
      if (held.size === 0 && this.#heldLeaves.get(linkId) === held) this.#heldLeaves.delete(linkId);
      leave();
    };
    const timer = setTimeout(run, graceMs);
    timer.unref();
    held.add(run);
  }

  /** The held-back leaves of a link's earlier connections, now. */
  #settleLeaves(linkId: string): void {
    for (const run of [...(this.#heldLeaves.get(linkId) ?? [])]) run();
  }

  /** The context every request of this socket is handled with. */
  #contextOf(socket: GbSocket): HandlerContext {
    const { identity } = socket.data;
    const meetingId = identity.meetingId as MeetingId;
    const actor = actorOf(identity);
    const { meetings, media, workspace, relay, ice, sip } = this.deps;
    const chat = this.#chat;
    return {
      socket,
      identity,
      actor,
      meetingId,
      services: {
        meetings,
        media,
        workspace,
        chat,
        ...(relay ? { relay } : {}),
        ...(ice ? { ice } : {}),
        ...(sip ? { sip } : {}),
      },
      // A moderator's command goes ahead of the commands waiting for the meeting (a site's flood).
      run: (command) => meetings.run(meetingId, actor, command, isModerator(actor.role)),
    };
  }

  /** Validates one request against its event's schema and hands it to the event's handler. */
  async #dispatch<E extends ClientEventName>(
    ctx: HandlerContext,
    event: E,
    raw: unknown,
    reply: (r: Result<ClientAckData[E]>) => void,
  ): Promise<void> {
    // What is refused before any work is charged to its own budget, so a client's bad requests
    // are answered with what is wrong (until they become a flood) and never eat its real budget.
    const refuse = (code: 'VALIDATION' | 'INVALID_STATE', message: string): void =>
      reply(
        this.#limiter.allow(ctx.socket.id, ctx.identity.linkId, 'refused')
          ? fail(code, message)
          : fail('LIMIT', 'Too many refused requests: slow down and try again'),
      );
    const parsed = parseClientPayload(event, raw ?? {});
    if (!parsed.success) return refuse('VALIDATION', describeZodError(parsed.error));
    if (event !== 'meeting:join' && !ctx.socket.data.joined)
      return refuse('INVALID_STATE', 'Send meeting:join first');
    const cls = rateClassOf(event, ctx.identity.role);
    if (!this.#limiter.allow(ctx.socket.id, ctx.identity.linkId, cls)) {
      reply(fail('LIMIT', `Too many requests (${cls}): slow down and try again`));
      return;
    }
    try {
      const handler: Handler<E> = handlers[event];
      reply(ok(await handler(ctx, parsed.data)));
      // The link's new connection is in the roster: its dropped ones need not wait any longer.
      if (event === 'meeting:join') this.#settleLeaves(ctx.identity.linkId);
    } catch (err) {
      reply({ ok: false, error: toWireError(err, `SocketServer ${event}`) });
    }
  }

  /** Closes the screens shared on this instance by connections that may no longer present. */
  #endScreenShares(meetingId: string, slides: MeetingRecord['slides']): void {
    for (const id of this.io.sockets.adapter.rooms.get(rooms.meeting(meetingId)) ?? []) {
      const socket = this.io.sockets.sockets.get(id);
      const producerId = socket?.data.screenProducerId;
      if (!socket || !producerId || Slides.mayPresent(slides, actorOf(socket.data.identity)).ok) continue;
      socket.data.screenProducerId = null;
      Promise.resolve(socket.data.peer?.closeProducer(producerId)).catch((err: unknown) =>
        log.warn('SocketServer.#endScreenShares()', 'could not close a screen share', {
          producerId,
          error: String(err),
        }),
      );
    }
  }
}

/**
 * Tells a client why its session ends and waits for its ack before closing: with connection-state
 * recovery every emit goes through the adapter (through Redis with several instances), so a
 * disconnect right after the emit would overtake it.
 */
async function endSession(socket: GbSocket, reason: DisconnectReason): Promise<void> {
  if (!socket.connected) return;
  log.info('SocketServer', 'session ended', { participant: socket.data.identity?.participantId, reason });
  try {
    await socket.timeout(SESSION_END_ACK_MS).emitWithAck('session:ended', { reason });
  } catch {
    // No ack in time (an old client, a dead network): close anyway.
  }
  socket.disconnect(true);
}

/** The link id in a recovered socket's data, whatever shape the store gave back. */
function linkIdOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || !('identity' in data)) return null;
  const identity = data.identity;
  if (typeof identity !== 'object' || identity === null || !('linkId' in identity)) return null;
  return typeof identity.linkId === 'string' ? identity.linkId : null;
}

/**
 * Writes one event packet as socket.io itself writes a recovered session's missed packets
 * (`Socket#packet`, which the typings keep private): the data already carries its offset.
 */
function sendRawEvent(socket: GbSocket, data: unknown[]): void {
  const EVENT = 2; // socket.io-parser PacketType.EVENT
  (socket as unknown as { packet(p: { type: number; data: unknown[] }): void }).packet({ type: EVENT, data });
}

/** The domain actor of an authenticated socket. */
function actorOf(identity: SocketIdentity): Actor {
  return {
    participantId: identity.participantId,
    role: identity.role,
    siteId: identity.siteId,
    displayName: identity.displayName,
  };
}
