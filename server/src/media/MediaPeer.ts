import type {
  MediaKind,
  MediaSource,
  MicState,
  ParticipantId,
  PublishLayers,
  Role,
  SiteId,
  TransportDirection,
  TransportInfo,
} from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { kindOfSource, mayPublish, type PolicyPass } from './ConsumptionPolicy.js';
import { errorText } from './logger.js';
import { MediaError } from './MediaError.js';
import { type ConsumerSignal, PeerConsumers } from './PeerConsumers.js';
import type { PeerHost, RoomProducer } from './PeerHost.js';
import { SafeEmitter } from './SafeEmitter.js';

/** Who a peer is, from the authenticated connection (never from a payload). */
export interface MediaPeerInfo {
  participantId: ParticipantId;
  siteId: SiteId | null;
  role: Role;
}

/**
 * How the media layer talks to one client; the socket layer implements it with its events.
 * Only `newConsumer` waits for the client (emitWithAck); the others are fire-and-forget.
 */
export interface PeerSignal extends ConsumerSignal {
  /** Whether this device's microphone is heard, and why not. */
  micState(state: MicState): void;
  /** Dynacast: how many of this device's camera encodings anyone consumes. */
  publishLayers?(layers: PublishLayers): void;
}

/** Why a peer closed. */
export type MediaPeerCloseReason = 'left' | 'replaced' | 'meetingclosed' | 'workerdied' | 'poolclosed';

/** Events of a MediaPeer. */
export type MediaPeerEvents = { close: [MediaPeerCloseReason] };

/** Arguments of `MediaPeer.produce()`, as validated by `MediaSchemas.produce`. */
export interface ProduceRequest {
  transportId: string;
  kind: MediaKind;
  source: MediaSource;
  rtpParameters: Record<string, unknown>;
}

type AnyTransport = ms.WebRtcTransport | ms.PlainTransport;

/**
 * One connected participant's media: its two transports, what it publishes, and (through
 * PeerConsumers, which explains the consumption model) what it receives.
 */
export class MediaPeer extends SafeEmitter<MediaPeerEvents> {
  readonly participantId: ParticipantId;
  readonly siteId: SiteId | null;
  readonly role: Role;

  #closed = false;
  #send: AnyTransport | null = null;
  #recv: AnyTransport | null = null;
  readonly #producers = new Map<MediaSource, ms.Producer>();
  /** Sources whose produce() is in flight, so a second one for the same source is refused. */
  readonly #producing = new Set<MediaSource>();
  readonly #consumers: PeerConsumers;
  #visibleTiles: ReadonlySet<SiteId> = new Set();
  #micSent: MicState | null = null;

  constructor(
    info: MediaPeerInfo,
    private readonly signal: PeerSignal,
    private readonly host: PeerHost,
  ) {
    super(host.logger);
    this.participantId = info.participantId;
    this.siteId = info.siteId;
    this.role = info.role;
    this.#consumers = new PeerConsumers(info.participantId, this, signal, host);
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Ids of this peer's live producers by source. */
  get producerIds(): Partial<Record<MediaSource, string>> {
    return Object.fromEntries([...this.#producers].map(([s, p]) => [s, p.id]));
  }

  /** The sites whose grid tiles the client reports visible. */
  get visibleTiles(): ReadonlySet<SiteId> {
    return this.#visibleTiles;
  }

  /**
   * Stores the client's RTP capabilities (from its mediasoup-client Device). If the receive
   * transport already exists, starts consuming every remote producer (observers, secretaries:
   * every one the policy wants now — see PeerConsumers).
   */
  setRtpCapabilities(rtpCapabilities: Record<string, unknown>): void {
    this.#assertOpen('setRtpCapabilities');
    if (!Array.isArray(rtpCapabilities.codecs)) {
      throw new MediaError('VALIDATION', 'rtpCapabilities.codecs must be an array');
    }
    this.#consumers.setRtpCapabilities(rtpCapabilities as unknown as ms.RtpCapabilities);
  }

  /**
   * Creates the send or receive WebRtcTransport, on the worker's WebRtcServer when it has one.
   * A second transport of the same direction replaces the first (client recovery after ICE
   * failure); replacing the receive transport re-creates the consumers on the new one.
   * Consumption starts after this call returns, so the socket layer's ack reaches the client
   * before the first `newConsumer`; clients should still queue a `newConsumer` that arrives
   * before their receive transport exists.
   */
  async createTransport(direction: TransportDirection): Promise<TransportInfo> {
    this.#assertOpen('createTransport');
    const { config } = this.host;
    const transport = await this.host.router.createWebRtcTransport({
      ...(this.host.listen.webRtcServer
        ? { webRtcServer: this.host.listen.webRtcServer }
        : { listenIps: this.host.listen.listenIps }),
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: config.initialAvailableOutgoingBitrate,
      appData: { participantId: this.participantId, direction },
    });
    if (this.#closed) {
      transport.close();
      throw new MediaError('INVALID_STATE', 'createTransport() | peer closed meanwhile');
    }
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') {
        this.logger.warn(
          `transport "dtlsstatechange" | ${state} [participantId:${this.participantId}, direction:${direction}]`,
        );
      }
    });
    if (direction === 'send') {
      await transport.setMaxIncomingBitrate(config.maxIncomingBitrate).catch((e: unknown) => {
        this.logger.warn(`createTransport() | setMaxIncomingBitrate failed [error:${errorText(e)}]`);
      });
    }
    this.#adoptTransport(direction, transport);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
      dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
    };
  }

  /**
   * Test-only: a PlainTransport in place of the send or receive WebRtcTransport, so tests can
   * publish RTP from a Node UDP socket or ffmpeg and read what consumers forward, without a browser.
   */
  async createPlainTransportForTesting(
    direction: TransportDirection,
    options: { comedia?: boolean; rtcpMux?: boolean } = {},
  ): Promise<ms.PlainTransport> {
    this.#assertOpen('createPlainTransportForTesting');
    const transport = await this.host.router.createPlainTransport({
      listenIp: { ip: this.host.config.listenIp, announcedIp: this.host.config.announcedIp },
      comedia: options.comedia ?? direction === 'send',
      rtcpMux: options.rtcpMux ?? true,
      appData: { participantId: this.participantId, direction },
    });
    this.#adoptTransport(direction, transport);
    return transport;
  }

  /** Completes DTLS for one of this peer's transports. */
  async connectTransport(transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    this.#assertOpen('connectTransport');
    const transport = this.#ownTransport(transportId);
    try {
      await transport.connect({ dtlsParameters: dtlsParameters as unknown as ms.DtlsParameters });
    } catch (e) {
      throw new MediaError('VALIDATION', `connectTransport() | ${errorText(e)}`);
    }
  }

  /**
   * Restarts ICE on one of this peer's WebRTC transports (its network dropped or changed address):
   * returns the new ICE parameters, which the client hands to its own transport's restartIce().
   * DTLS, producers and consumers stay as they are, so the media resumes without rebuilding.
   */
  async restartIce(transportId: string): Promise<Record<string, unknown>> {
    this.#assertOpen('restartIce');
    const transport = this.#ownTransport(transportId);
    if (!('restartIce' in transport)) throw new MediaError('INVALID_STATE', 'this transport has no ICE');
    try {
      return (await transport.restartIce()) as unknown as Record<string, unknown>;
    } catch (e) {
      throw new MediaError('INVALID_STATE', `restartIce() | ${errorText(e)}`);
    }
  }

  /**
   * Publishes a camera, microphone or screen. Roles are enforced here as well as in the domain:
   * chair and site publish camera + mic; chair, operator and a site may share a screen. One
   * producer per source. Camera video is simulcast: the client sends three spatial layers
   * (low/medium/high encodings); whatever encodings arrive are accepted and mediasoup picks among
   * them per viewer. A microphone starts paused at the server unless the policy lets it be heard.
   * Returns the producer id.
   */
  async produce(request: ProduceRequest): Promise<string> {
    this.#assertOpen('produce');
    const { source, kind } = request;
    if (!mayPublish(this.role, source)) {
      throw new MediaError('FORBIDDEN', `role ${this.role} may not publish ${source}`);
    }
    if (kind !== kindOfSource(source)) {
      throw new MediaError('VALIDATION', `${source} must be ${kindOfSource(source)}, got ${kind}`);
    }
    // The one microphone from no room is the operator's, for talk-back (consumerTarget sends it to one room).
    const talkBackMic = source === 'mic' && this.role === 'operator' && this.siteId === null;
    if (source !== 'screen' && this.siteId === null && !talkBackMic) {
      throw new MediaError('FORBIDDEN', `${source} is published by a site; this participant has none`);
    }
    const transport = this.#send;
    if (!transport || transport.id !== request.transportId) {
      throw new MediaError('NOT_FOUND', `no send transport ${request.transportId} for this participant`);
    }
    if (this.#producers.has(source) || this.#producing.has(source)) {
      throw new MediaError('CONFLICT', `a ${source} is already published; close it first`);
    }
    this.#producing.add(source);
    let producer: ms.Producer;
    try {
      const pass = this.host.pass();
      const paused =
        source === 'mic' &&
        (pass === null || (this.siteId === null ? !pass.policy.talkBackSiteId : !pass.micOpen(this.siteId)));
      producer = await transport.produce({
        kind,
        rtpParameters: request.rtpParameters as unknown as ms.RtpParameters,
        paused,
        appData: { participantId: this.participantId, siteId: this.siteId, source },
      });
    } catch (e) {
      if (e instanceof MediaError) throw e;
      throw new MediaError('VALIDATION', `produce() | ${errorText(e)}`);
    } finally {
      this.#producing.delete(source);
    }
    if (this.#closed || transport.closed) {
      producer.close();
      throw new MediaError('INVALID_STATE', 'produce() | transport closed meanwhile');
    }
    this.#producers.set(source, producer);
    producer.observer.once('close', () => {
      if (this.#producers.get(source) === producer) this.#producers.delete(source);
    });
    this.logger.debug(
      `produce() | ${source} [participantId:${this.participantId}, producerId:${producer.id}, ` +
        `encodings:${producer.rtpParameters.encodings?.length ?? 0}, paused:${producer.paused}]`,
    );
    this.host.producerAdded({
      producer,
      participantId: this.participantId,
      siteId: this.siteId,
      role: this.role,
      source,
    });
    return producer.id;
  }

  /** Stops one of this peer's producers; every consumer of it closes and its viewers are told. */
  closeProducer(producerId: string): void {
    this.#assertOpen('closeProducer');
    const producer = [...this.#producers.values()].find((p) => p.id === producerId);
    if (!producer) throw new MediaError('NOT_FOUND', `no producer ${producerId} for this participant`);
    producer.close();
  }

  /**
   * The grid tiles this client shows (chair/operator multiview). Cameras of hidden tiles are paused
   * at the server; visible ones flow at the lowest layer. Ignored for roles without a grid.
   */
  async setVisibleTiles(siteIds: readonly SiteId[]): Promise<void> {
    this.#assertOpen('setVisibleTiles');
    this.#visibleTiles = new Set(siteIds);
    await Promise.all(this.reconcileConsumers(this.host.pass()));
  }

  /** Closes both transports (and with them every producer and consumer). Idempotent. */
  close(reason: MediaPeerCloseReason = 'left'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.logger.debug(`close() | [participantId:${this.participantId}, reason:${reason}]`);
    this.#send?.close();
    this.#recv?.close();
    this.#send = null;
    this.#recv = null;
    this.#consumers.close();
    this.host.peerClosed(this.participantId, this);
    this.safeEmit('close', reason);
  }

  // ---- called by MeetingMedia ------------------------------------------------------------

  /** Creates this peer's consumer of a (remote) producer, if it can consume yet. */
  consumeProducer(from: RoomProducer): Promise<void> {
    return this.#consumers.consume(from);
  }

  /** Brings this peer's consumers in line with the policy; returns the pending work. */
  /** Dynacast: see PeerConsumers.collectFlowingLayers. */
  collectFlowingLayers(out: Map<string, number>, allLayers: number): void {
    if (!this.#closed) this.#consumers.collectFlowingLayers(out, allLayers);
  }

  /** Dynacast: tells this device how many encodings of its producer anyone consumes. */
  requestPublishLayers(layers: PublishLayers): void {
    if (this.#closed || !this.signal.publishLayers) return;
    try {
      this.signal.publishLayers(layers);
    } catch (e) {
      this.host.logger.error('requestPublishLayers() | signal.publishLayers threw', e);
    }
  }

  reconcileConsumers(pass: PolicyPass | null): Promise<void>[] {
    return this.#closed ? [] : this.#consumers.reconcile(pass);
  }

  /** Sends `micState` if whether this device's microphone is heard has changed. */
  updateMicState(pass: PolicyPass | null): void {
    if (this.#closed || pass === null || this.siteId === null || !mayPublish(this.role, 'mic')) return;
    const allowed = pass.policy.micAllowed(this.siteId);
    const selfMuted = pass.policy.selfMuted(this.siteId);
    const state: MicState = { allowed, selfMuted, open: allowed && !selfMuted };
    const sent = this.#micSent;
    if (sent && sent.allowed === state.allowed && sent.selfMuted === state.selfMuted) return;
    this.#micSent = state;
    try {
      this.signal.micState(state);
    } catch (e) {
      this.logger.error('updateMicState() | signal.micState threw', e);
    }
  }

  /** Consumer ids of this peer by producer id (tests, diagnostics). */
  consumersForTesting(): Map<string, ms.Consumer> {
    return this.#consumers.byProducer();
  }

  // ---- internals ---------------------------------------------------------------------------

  #assertOpen(method: string): void {
    if (this.#closed) throw new MediaError('INVALID_STATE', `${method}() | media peer closed`);
  }

  #ownTransport(transportId: string): AnyTransport {
    if (this.#send?.id === transportId) return this.#send;
    if (this.#recv?.id === transportId) return this.#recv;
    throw new MediaError('NOT_FOUND', `no transport ${transportId} for this participant`);
  }

  #adoptTransport(direction: TransportDirection, transport: AnyTransport): void {
    if (this.#closed) {
      transport.close();
      throw new MediaError('INVALID_STATE', 'media peer closed');
    }
    const old = direction === 'send' ? this.#send : this.#recv;
    if (direction === 'send') this.#send = transport;
    else this.#recv = transport;
    if (old) {
      this.logger.info(
        `createTransport() | replacing ${direction} transport [participantId:${this.participantId}]`,
      );
      old.close();
    }
    if (direction === 'recv') this.#consumers.setTransport(transport);
  }
}
