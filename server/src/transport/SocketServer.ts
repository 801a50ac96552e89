import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import {
  type ClientEventName,
  ClientEventSchemas,
  type ClientPayload,
  type ClientToServerEvents,
  type DisconnectReason,
  fail,
  type JoinLink,
  type JoinResult,
  type MeetingId,
  ok,
  type Result,
  type ServerToClientEvents,
  type SiteId,
} from '@giaoban/shared';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { AppError, describeZodError, toWireError } from '../app/errors.js';
import { log } from '../app/log.js';
import type { MediaAccess, PeerHandle } from '../app/MediaAccess.js';
import type { MeetingService } from '../app/MeetingService.js';
import type { TokenService } from '../auth/tokens.js';
import {
  type Actor,
  CLIENT_COMMAND_TYPES,
  type ClientCommandType,
  can,
  commandFromClient,
  type MeetingRecord,
  Slides,
  SYSTEM,
  toSnapshot,
} from '../domain/index.js';
import type { Store } from '../store/Store.js';
import type { WorkspaceService } from '../workspace/WorkspaceService.js';
import { authenticateHandshake, HandshakeError, type SocketIdentity } from './handshake.js';

interface SocketData {
  identity: SocketIdentity;
  joined: boolean;
  peer: PeerHandle | null;
  /** Last quality verdict sent to the domain, so only changes are reported. */
  poor: boolean;
  /** The screen this connection shares, closed when it stops being allowed to present. */
  screenProducerId: string | null;
}

type GbServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type GbSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Rooms: every socket of a meeting; those who may read minutes; the sockets of one link. */
const rooms = {
  meeting: (id: string) => `m:${id}`,
  minutes: (id: string) => `m:${id}:minutes`,
  moderators: (id: string) => `m:${id}:mod`,
  /** Holders of the workspace document (joined at `doc:sync`). */
  doc: (id: string) => `m:${id}:doc`,
  /** Watchers of the conclusions (joined at `doc:conclusions`). */
  conclusions: (id: string) => `m:${id}:conclusions`,
  link: (id: string) => `link:${id}`,
};

/** Loss or round trip above these marks a site's network as poor on the roll-call board. */
const POOR_LOSS_PCT = 5;
const POOR_RTT_MS = 400;
const MAX_TIMER_MS = 2_147_000_000;

export interface SocketServerDeps {
  tokens: TokenService;
  store: Store;
  meetings: MeetingService;
  /** The meeting's media: here (MediaRegistry) or, with several instances, wherever it lives (ClusterMedia). */
  media: MediaAccess;
  /** socket.io adapter: the Redis Streams one when several instances share a Redis (fan-out, recovery). */
  adapter?: ServerOptions['adapter'];
  workspace: WorkspaceService;
}

/**
 * The socket.io edge: authenticates each connection from its join link, validates every inbound
 * payload against its schema, turns it into a domain command or a media call under the
 * authenticated identity (payloads never say who is acting), and fans changes out to the meeting.
 */
export class SocketServer {
  readonly io: GbServer;

  constructor(
    httpServer: HttpServer | HttpsServer,
    private readonly deps: SocketServerDeps,
  ) {
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
    this.io.on('connection', (socket) => this.#onConnection(socket));
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
        this.#announceMinutes(meetingId, record.minutes, previous.minutes);
      },
    });
  }

  /** Cuts every connection of a link (it was revoked). */
  endLinkSessions(link: JoinLink, reason: DisconnectReason = 'revoked'): void {
    this.io.to(rooms.link(link.id)).emit('session:ended', { reason });
    this.io.in(rooms.link(link.id)).disconnectSockets(true);
  }

  /** Sends microphone levels to the moderators of a meeting (volatile: a lost sample is no loss). */
  sendAudioLevels(meetingId: MeetingId, levels: { siteId: SiteId; level: number }[]): void {
    this.io.to(rooms.moderators(meetingId)).volatile.emit('media:audioLevels', levels);
  }

  /** Drops this instance's connections to a meeting; their clients reconnect and rejoin (its media moved). */
  rejoinMeeting(meetingId: MeetingId): void {
    this.io.local.in(rooms.meeting(meetingId)).disconnectSockets(true);
  }

  /** Drops every connection of this instance; their clients reconnect and rejoin. */
  rejoinAll(): void {
    this.io.local.disconnectSockets(true);
  }

  /** Disconnects everyone and stops accepting connections. */
  async close(): Promise<void> {
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  async #authenticate(socket: GbSocket): Promise<void> {
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
    socket.data = { identity, joined: false, peer: null, poor: false, screenProducerId: null };
    // socket.data is saved for connection-state recovery, through Redis (msgpack) when several
    // instances share one: the live media peer must stay out of it.
    Object.defineProperty(socket.data, 'peer', { value: null, writable: true, enumerable: false });
  }

  #onConnection(socket: GbSocket): void {
    const { identity } = socket.data;
    const actor = actorOf(identity);
    log.debug('SocketServer', 'connected', { participant: identity.participantId, role: identity.role });
    // A link stands for one device: a second connection with it (a reload, a new PC) replaces the first.
    const linkRoom = rooms.link(identity.linkId);
    for (const other of this.io.sockets.adapter.rooms.get(linkRoom) ?? []) {
      const s = this.io.sockets.sockets.get(other);
      if (s && s.id !== socket.id) {
        s.emit('session:ended', { reason: 'replaced' });
        s.disconnect(true);
      }
    }
    void socket.join(linkRoom);
    const expiry = setTimeout(
      () => {
        socket.emit('session:ended', { reason: 'expired' });
        socket.disconnect(true);
      },
      Math.min(Math.max(0, identity.expiresAt - Date.now()), MAX_TIMER_MS),
    );

    for (const event of Object.keys(ClientEventSchemas) as ClientEventName[]) {
      socket.on(event, (payload: unknown, ack: unknown) => {
        if (typeof ack !== 'function') {
          log.warn('SocketServer', 'event without ack ignored', {
            event,
            participant: identity.participantId,
          });
          return;
        }
        const reply = ack as (r: Result<unknown>) => void;
        const parsed = ClientEventSchemas[event].safeParse(payload ?? {});
        if (!parsed.success) {
          reply(fail('VALIDATION', describeZodError(parsed.error)));
          return;
        }
        this.#handle(socket, actor, event, parsed.data as ClientPayload<typeof event>).then(
          (data) => reply(ok(data)),
          (err: unknown) => reply({ ok: false, error: toWireError(err, `SocketServer ${event}`) }),
        );
      });
    }

    socket.on('disconnect', (reason) => {
      clearTimeout(expiry);
      log.debug('SocketServer', 'disconnected', { participant: identity.participantId, reason });
      socket.data.peer?.close('left');
      if (socket.data.joined) {
        void this.deps.meetings.system(identity.meetingId, {
          type: 'participant:left',
          participantId: identity.participantId,
        });
      }
    });
  }

  async #handle(socket: GbSocket, actor: Actor, event: ClientEventName, payload: unknown): Promise<unknown> {
    const { identity } = socket.data;
    const meetingId = identity.meetingId;
    if (event === 'meeting:join') return this.#join(socket, actor);
    if (!socket.data.joined) throw new AppError('INVALID_STATE', 'Send meeting:join first');
    if (event === 'meeting:sync') return toSnapshot(await this.deps.meetings.get(meetingId));
    if (event.startsWith('doc:')) return this.#doc(socket, actor, event, payload);
    if (event === 'slides:pointer')
      return this.#pointer(socket, actor, payload as ClientPayload<'slides:pointer'>);
    if ((CLIENT_COMMAND_TYPES as readonly string[]).includes(event)) {
      const type = event as ClientCommandType;
      return this.deps.meetings.run(
        meetingId,
        actor,
        commandFromClient(type, payload as ClientPayload<typeof type>),
      );
    }
    return this.#media(socket, event, payload);
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

  /**
   * The presenter's pointer: checked against the stored presenter, then sent straight to the
   * other clients as a volatile event (a lost sample is no loss), never stored.
   */
  async #pointer(socket: GbSocket, actor: Actor, payload: ClientPayload<'slides:pointer'>): Promise<null> {
    const meetingId = socket.data.identity.meetingId;
    const { slides } = await this.deps.meetings.get(meetingId);
    const may = Slides.mayPresent(slides, actor);
    if (!may.ok) throw may.error;
    if (!slides.showing) throw new AppError('INVALID_STATE', 'No document is being shown');
    const point = 'x' in payload ? { x: payload.x, y: payload.y } : null;
    socket.to(rooms.meeting(meetingId)).volatile.emit('slides:pointer', {
      documentId: slides.showing.documentId,
      page: slides.showing.page,
      point,
    });
    return null;
  }

  async #join(socket: GbSocket, actor: Actor): Promise<JoinResult> {
    const { identity } = socket.data;
    const meetingId = identity.meetingId as MeetingId;
    if (socket.data.joined) throw new AppError('CONFLICT', 'Already joined');
    const media = await this.deps.media.get(meetingId);
    // Rooms first, then the snapshot: a change committed in between arrives as a stale batch the
    // client ignores, never as a gap.
    await socket.join(rooms.meeting(meetingId));
    if (can(actor, 'readMinutes')) await socket.join(rooms.minutes(meetingId));
    if (can(actor, 'viewGrid')) await socket.join(rooms.moderators(meetingId));
    try {
      await this.deps.meetings.run(meetingId, SYSTEM, {
        type: 'participant:joined',
        participant: {
          id: identity.participantId,
          role: identity.role,
          siteId: identity.siteId,
          displayName: identity.displayName,
        },
      });
    } catch (err) {
      for (const room of [rooms.meeting(meetingId), rooms.minutes(meetingId), rooms.moderators(meetingId)]) {
        void socket.leave(room);
      }
      throw err;
    }
    socket.data.joined = true;
    socket.data.peer = media.addPeer(
      { participantId: identity.participantId, siteId: identity.siteId, role: identity.role },
      {
        newConsumer: async (info) => {
          const result = (await socket
            .timeout(10_000)
            .emitWithAck('media:newConsumer', info)) as Result<null>;
          if (!result.ok)
            throw new AppError('UNAVAILABLE', `client could not consume: ${result.error.message}`);
        },
        consumerClosed: (id) => socket.emit('media:consumerClosed', { id }),
        consumerState: (state) => socket.emit('media:consumerState', state),
        micState: (state) => socket.emit('media:micState', state),
      },
    );
    const record = await this.deps.meetings.get(meetingId);
    return {
      self: {
        participantId: identity.participantId,
        role: identity.role,
        siteId: identity.siteId,
        displayName: identity.displayName,
      },
      snapshot: toSnapshot(record),
      routerRtpCapabilities: media.rtpCapabilities as unknown as Record<string, unknown>,
    };
  }

  /** The secretary workspace; the service authorises each call for the socket's actor. */
  async #doc(socket: GbSocket, actor: Actor, event: ClientEventName, payload: unknown): Promise<unknown> {
    const meetingId = socket.data.identity.meetingId as MeetingId;
    const workspace = this.deps.workspace;
    switch (event) {
      case 'doc:sync': {
        const p = payload as ClientPayload<'doc:sync'>;
        if (!can(actor, 'readMinutes'))
          throw new AppError('FORBIDDEN', `a ${actor.role} may not readMinutes`);
        // Room first: an update stored while the reply is built reaches this socket anyway (Yjs merges it twice harmlessly).
        await socket.join(rooms.doc(meetingId));
        return workspace.sync(meetingId, actor, p.stateVector);
      }
      case 'doc:update':
        return workspace.update(meetingId, actor, (payload as ClientPayload<'doc:update'>).update, socket.id);
      case 'doc:conclusions': {
        const list = await workspace.conclusions(meetingId, actor);
        await socket.join(rooms.conclusions(meetingId));
        return list;
      }
      case 'doc:confirm': {
        const p = payload as ClientPayload<'doc:confirm'>;
        return workspace.confirm(meetingId, actor, p.conclusionId, p.confirmed);
      }
      default:
        throw new AppError('VALIDATION', `Unknown event ${event}`);
    }
  }

  async #media(socket: GbSocket, event: ClientEventName, payload: unknown): Promise<unknown> {
    const peer = socket.data.peer;
    if (!peer || peer.closed) throw new AppError('UNAVAILABLE', 'Media for this meeting is not available');
    const { identity } = socket.data;
    switch (event) {
      case 'media:setRtpCapabilities': {
        const p = payload as ClientPayload<'media:setRtpCapabilities'>;
        await peer.setRtpCapabilities(p.rtpCapabilities);
        return null;
      }
      case 'media:createTransport':
        return peer.createTransport((payload as ClientPayload<'media:createTransport'>).direction);
      case 'media:connectTransport': {
        const p = payload as ClientPayload<'media:connectTransport'>;
        await peer.connectTransport(p.transportId, p.dtlsParameters);
        return null;
      }
      case 'media:produce': {
        const p = payload as ClientPayload<'media:produce'>;
        if (p.source === 'screen') {
          // A shared screen replaces the slides for everyone: only who may present may share one.
          const record = await this.deps.meetings.get(identity.meetingId);
          const may = Slides.mayPresent(record.slides, actorOf(identity));
          if (!may.ok) throw new AppError('FORBIDDEN', 'Only the presenter may share a screen');
        }
        const producerId = await peer.produce(p);
        if (p.source === 'screen') socket.data.screenProducerId = producerId;
        return { producerId };
      }
      case 'media:closeProducer': {
        const { producerId } = payload as ClientPayload<'media:closeProducer'>;
        await peer.closeProducer(producerId);
        if (socket.data.screenProducerId === producerId) socket.data.screenProducerId = null;
        return null;
      }
      case 'media:visibleTiles':
        if (!can(actorOf(identity), 'viewGrid'))
          throw new AppError('FORBIDDEN', `a ${identity.role} has no grid`);
        await peer.setVisibleTiles((payload as ClientPayload<'media:visibleTiles'>).siteIds);
        return null;
      case 'media:report': {
        const p = payload as ClientPayload<'media:report'>;
        const poor = p.lossPct > POOR_LOSS_PCT || p.rttMs > POOR_RTT_MS;
        if (identity.siteId && poor !== socket.data.poor) {
          socket.data.poor = poor;
          await this.deps.meetings.system(identity.meetingId, {
            type: 'site:quality',
            siteId: identity.siteId,
            poor,
          });
        }
        return null;
      }
      default:
        throw new AppError('VALIDATION', `Unknown event ${event}`);
    }
  }

  /** New or changed minutes entries go only to those who may read minutes. */
  #announceMinutes(
    meetingId: string,
    now: readonly { id: string }[],
    before: readonly { id: string }[],
  ): void {
    if (now === before) return;
    const old = new Map(before.map((e) => [e.id, e]));
    for (const entry of now as Parameters<ServerToClientEvents['minutes:added']>[0][]) {
      const prev = old.get(entry.id);
      if (!prev) this.io.to(rooms.minutes(meetingId)).emit('minutes:added', entry);
      else if (JSON.stringify(prev) !== JSON.stringify(entry))
        this.io.to(rooms.minutes(meetingId)).emit('minutes:updated', entry);
    }
  }
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
