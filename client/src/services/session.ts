import {
  type ClientAckData,
  type ClientEventName,
  type ClientPayload,
  type ClientToServerEvents,
  type DisconnectReason,
  type HandshakeErrorData,
  type JoinResult,
  type MeetingChanged,
  PROTOCOL_VERSION,
  type Result,
  type ServerToClientEvents,
} from '@giaoban/shared';
import { io, type Socket } from 'socket.io-client';
import { type ClosedReason, initialMeetingState, meetingStore } from '../state/meetingState';
import { reconcileBatch, reconcileSnapshot } from '../state/reconcile';
import { forgetJoinToken } from './joinToken';
import { log, logError } from './log';
import { MediaService } from './media';
import { errorCodeOf, RequestError } from './request';
import { StatsMonitor } from './statsMonitor';

const REQUEST_TIMEOUT_MS = 15_000;

type GiaoBanSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The meeting connection of this page: owns the socket, joins, merges state increments,
 * re-syncs on a gap, and after a dropped link rejoins and rebuilds media by itself.
 */
export class MeetingSession {
  private socket: GiaoBanSocket | null = null;
  private token: string | null = null;
  /** Set when the server or the user ended the session: no automatic reconnect. */
  private closed = false;
  private joining = false;
  private syncing = false;
  /** Batches that arrive while the join is in flight; applied after the join snapshot. */
  private pending: MeetingChanged[] = [];
  private lastReconnectAt = 0;
  /** Server-side disconnects in a row without a successful join: each waits longer before reconnecting. */
  private serverDrops = 0;
  private levelsTimer: ReturnType<typeof setTimeout> | null = null;
  readonly media = new MediaService(
    (event, payload) => this.request(event, payload),
    () => this.reconnect(),
  );
  private readonly stats = new StatsMonitor(this.media, (event, payload) => this.request(event, payload));
  /** Listeners of other services (the workspace), attached to every socket this session opens. */
  private readonly extraListeners: [keyof ServerToClientEvents, (...args: never[]) => void][] = [];

  /** Listens to a server event on this and every later connection; returns the unsubscribe function. */
  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): () => void {
    const entry: [keyof ServerToClientEvents, (...args: never[]) => void] = [event, listener as never];
    this.extraListeners.push(entry);
    (this.socket?.on as ((e: string, l: unknown) => void) | undefined)?.call(this.socket, event, listener);
    return () => {
      const at = this.extraListeners.indexOf(entry);
      if (at >= 0) this.extraListeners.splice(at, 1);
      (this.socket?.off as ((e: string, l: unknown) => void) | undefined)?.call(this.socket, event, listener);
    };
  }

  /** The join token of this page (the exports download with it). */
  get joinToken(): string | null {
    return this.token;
  }

  /** Connects with a join-link token and joins its meeting. */
  start(token: string): void {
    this.stop();
    this.token = token;
    this.closed = false;
    meetingStore.set({ ...initialMeetingState, phase: 'connecting' });
    const socket: GiaoBanSocket = io({
      path: '/socket.io',
      auth: { token, protocolVersion: PROTOCOL_VERSION },
      // WebSocket first; where it cannot open (a proxy that refuses the upgrade) the same attempt
      // goes on over HTTP long-polling instead of failing and retrying forever. A browser without
      // WebSocket at all gets polling only: engine.io-client loses the error its WebSocket
      // transport throws while opening, and would wait for ever.
      transports: typeof WebSocket === 'function' ? ['websocket', 'polling'] : ['polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    // Closing the page is leaving: say so, or the hub would wait for a dropped network to return.
    globalThis.addEventListener?.('pagehide', this.leaveOnPageHide);
    globalThis.addEventListener?.('pageshow', this.backOnPageShow);
    socket.on('connect', () => void this.join());
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    socket.on('connect_error', (error) => this.onConnectError(error));
    socket.io.on('reconnect_attempt', (attempt) => meetingStore.set({ attempts: attempt }));
    socket.on('meeting:changed', (batch) => this.onChanged(batch));
    socket.on('media:newConsumers', (infos, ack) => void this.media.consumeBatch(infos).then(ack));
    socket.on('media:consumerClosed', ({ id }) => this.media.closeConsumer(id));
    socket.on('media:consumerState', (state) => this.media.updateConsumer(state));
    socket.on('media:micState', (mic) => {
      meetingStore.set({ mic });
      // A site's microphone the hub does not forward sends nothing (the operator's talk-back is
      // its own microphone, opened and closed by the talk-back itself).
      if (meetingStore.get().self?.role === 'site') this.media.publisher.setMicOpen(mic.open);
    });
    socket.on('media:publishLayers', (layers) => this.media.publisher.setPublishLayers(layers));
    socket.on('media:audioLevels', (levels) => this.onAudioLevels(levels));
    socket.on('session:ended', ({ reason }, ack) => {
      // Ack first: the hub closes the connection once it knows we have the reason.
      ack();
      this.onEnded(reason);
    });
    socket.on('media:moving', (ack) => {
      ack();
      this.onMediaMoving();
    });
    for (const [event, listener] of this.extraListeners) {
      (socket.on as (e: string, l: unknown) => void).call(socket, event, listener);
    }
  }

  private readonly leaveOnPageHide = (): void => {
    this.socket?.disconnect();
  };

  /** A page the browser kept and shows again (back/forward cache) joins again. */
  private readonly backOnPageShow = (event: Event): void => {
    if ((event as PageTransitionEvent).persisted && !this.closed) this.socket?.connect();
  };

  /** Leaves the meeting and releases camera and microphone. */
  stop(): void {
    globalThis.removeEventListener?.('pagehide', this.leaveOnPageHide);
    globalThis.removeEventListener?.('pageshow', this.backOnPageShow);
    this.closed = true;
    this.stats.stop();
    this.media.reset();
    this.media.publisher.release();
    this.socket?.removeAllListeners();
    this.socket?.io.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  /** Starts again with the same token (after "replaced", a full meeting, or a failed join). */
  retry(): void {
    if (this.token) this.start(this.token);
  }

  /**
   * Drops the connection underneath the socket, which reconnects by itself: the server releases
   * this connection's media and we rejoin. To the hub this is a dropped network, not a leave, so a
   * site keeps its floor turn and queue place while it comes back.
   */
  private reconnect(): void {
    if (this.closed || !this.socket) return;
    // A network that blocks media would fail again at once: back off instead of looping.
    if (Date.now() - this.lastReconnectAt < 15_000) return;
    this.lastReconnectAt = Date.now();
    log('reconnect', 'rebuilding the connection after a media failure');
    if (this.socket.connected) this.socket.io.engine.close();
  }

  /** Sends a request and waits for its ack; refuses while offline rather than queueing stale actions. */
  request<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<ClientAckData[E]> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.reject(new RequestError('OFFLINE', 'not connected'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RequestError('TIMEOUT', `${event} timed out`)),
        REQUEST_TIMEOUT_MS,
      );
      const ack = (result: Result<ClientAckData[E]>) => {
        clearTimeout(timer);
        if (result.ok) resolve(result.data);
        else reject(new RequestError(result.error.code, result.error.message));
      };
      // The typed map is keyed by event; socket.io's emit overloads cannot narrow a generic key.
      (socket.emit as (e: string, p: unknown, a: typeof ack) => void)(event, payload, ack);
    });
  }

  private async join(): Promise<void> {
    if (this.joining) return;
    this.joining = true;
    this.pending = [];
    let result: JoinResult;
    try {
      result = await this.request('meeting:join', {});
    } catch (error) {
      this.joining = false;
      const code = errorCodeOf(error);
      logError('join', 'join refused', error, { code });
      if (code === 'OFFLINE' || code === 'TIMEOUT' || code === 'UNAVAILABLE') return; // the socket retries
      this.close(code === 'UNAUTHENTICATED' ? 'unauthenticated' : code === 'LIMIT' ? 'limit' : 'joinFailed');
      return;
    }
    log('join', 'joined', { role: result.self.role, version: result.snapshot.version });
    meetingStore.set((s) => ({
      ...reconcileSnapshot({ ...s, snapshot: null }, result.snapshot),
      self: result.self,
      phase: 'joined',
      closedReason: null,
      attempts: 0,
      mediaMoving: false,
    }));
    this.joining = false;
    this.serverDrops = 0;
    // The hub said whether this site's microphone is heard before it answered the join.
    const mic = meetingStore.get().mic;
    if (result.self.role === 'site' && mic) this.media.publisher.setMicOpen(mic.open);
    const early = this.pending;
    this.pending = [];
    for (const batch of early) this.onChanged(batch);
    void this.media.start(result);
    this.stats.start();
  }

  private onChanged(batch: MeetingChanged): void {
    if (this.joining || meetingStore.get().phase !== 'joined') {
      this.pending.push(batch);
      return;
    }
    const outcome = reconcileBatch(meetingStore.get(), batch, Date.now());
    meetingStore.set(outcome.state);
    if (outcome.needsSync) void this.sync();
  }

  private onAudioLevels(levels: { siteId: string; level: number }[]): void {
    meetingStore.set({ audioLevels: Object.fromEntries(levels.map((l) => [l.siteId, l.level])) });
    // The server only sends while someone is heard: fall back to silence when it stops.
    if (this.levelsTimer) clearTimeout(this.levelsTimer);
    this.levelsTimer = setTimeout(() => meetingStore.set({ audioLevels: {} }), 1500);
  }

  private async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const snapshot = await this.request('meeting:sync', {});
      log('sync', 're-synced after a version gap', { version: snapshot.version });
      meetingStore.set((s) => reconcileSnapshot(s, snapshot));
    } catch (error) {
      logError('sync', 'meeting:sync failed', error);
    } finally {
      this.syncing = false;
    }
  }

  private onDisconnect(reason: string): void {
    this.stats.stop();
    this.media.reset();
    if (this.closed) return;
    log('onDisconnect', 'connection lost', { reason });
    meetingStore.set({ phase: 'reconnecting' });
    // A server-side disconnect is not retried by socket.io; a hub restart looks like one. When the
    // media moved, the hub holds this site's place for a moment: come back at once.
    // Without a reason from the hub it is retried, backing off so two devices never bounce each other.
    if (reason === 'io server disconnect') {
      const delay = meetingStore.get().mediaMoving ? 0 : Math.min(30_000, 1000 * 2 ** this.serverDrops);
      this.serverDrops += 1;
      setTimeout(() => {
        if (!this.closed) this.socket?.connect();
      }, delay);
    }
  }

  /**
   * The hub instance holding the meeting's media stopped: the picture would freeze, so drop it,
   * say "reconnecting media", and rejoin as soon as the server lets this connection go.
   */
  private onMediaMoving(): void {
    log('onMediaMoving', 'the meeting media is moving to another hub instance');
    this.stats.stop();
    this.media.reset();
    meetingStore.set({ phase: 'reconnecting', mediaMoving: true });
  }

  private onConnectError(error: Error & { data?: Partial<HandshakeErrorData> }): void {
    const code = error.data?.code;
    if (!code) {
      // Network trouble: socket.io keeps retrying; the banner shows it.
      if (meetingStore.get().phase === 'joined') meetingStore.set({ phase: 'reconnecting' });
      return;
    }
    log('onConnectError', 'handshake refused', { code });
    this.close(
      code === 'PROTOCOL_MISMATCH' ? 'protocolMismatch' : code === 'LIMIT' ? 'limit' : 'unauthenticated',
    );
  }

  private onEnded(reason: DisconnectReason): void {
    log('onEnded', 'session ended by the server', { reason });
    this.close(reason);
  }

  private close(reason: ClosedReason): void {
    this.stop();
    if (reason === 'unauthenticated' || reason === 'revoked' || reason === 'expired') forgetJoinToken();
    meetingStore.set({ phase: 'closed', closedReason: reason });
  }
}

/** The page's one meeting session. */
export const session = new MeetingSession();
