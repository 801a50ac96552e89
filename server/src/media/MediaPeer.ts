import type {
  ConsumerInfo,
  ConsumerState,
  MediaKind,
  MediaSource,
  MicState,
  ParticipantId,
  Role,
  SiteId,
  TransportDirection,
  TransportInfo,
} from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { Coalescer } from './Coalescer.js';
import {
  type ConsumerTarget,
  consumerTarget,
  kindOfSource,
  mayPublish,
  type PolicyPass,
  TILE_SPATIAL_LAYER,
} from './ConsumptionPolicy.js';
import { errorText } from './logger.js';
import { MediaError } from './MediaError.js';
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
export interface PeerSignal {
  /** The client must build this (paused) consumer; resolve once it has, reject if it could not. */
  newConsumer(info: ConsumerInfo): Promise<void>;
  /** The consumer is gone (its producer closed). */
  consumerClosed(consumerId: string): void;
  /** The server paused/resumed the consumer or its producer. */
  consumerState(state: ConsumerState): void;
  /** Whether this device's microphone is heard, and why not. */
  micState(state: MicState): void;
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

/** One remote producer as this peer consumes it. */
interface ConsumerSlot {
  readonly from: RoomProducer;
  consumer: ms.Consumer | null;
  /** The client has built the consumer (newConsumer acknowledged): the policy may resume it. */
  ready: boolean;
  /** The preferred spatial layer we last asked mediasoup for (null = mediasoup's default, the highest). */
  layer: number | null;
  /** The last state told to the client. */
  sent: ConsumerState | null;
  readonly run: Coalescer;
}

type AnyTransport = ms.WebRtcTransport | ms.PlainTransport;

/** Order in which a joining peer's consumers are created: what it must see first comes first. */
function urgency(p: RoomProducer, pass: PolicyPass | null): number {
  if (p.source === 'camera' && p.siteId !== null && p.siteId === pass?.programSiteId) return 0;
  if (p.source === 'mic' && !p.producer.paused) return 1;
  if (p.source === 'screen') return 2;
  return 3;
}

/**
 * One connected participant's media: its two transports, what it publishes and what it consumes.
 *
 * Consumption model: once the peer has given its RTP capabilities and has a receive transport,
 * it gets exactly one consumer per remote producer of the meeting — every microphone, camera and
 * screen — whether or not the policy wants it flowing now. Each is created PAUSED, announced to
 * the client (`newConsumer`, awaited), and only then resumed or left paused as the policy says.
 * Because the consumers of every possible program site already exist, a floor change is just
 * resume + setPreferredLayers + requestKeyFrame on consumers that are already wired end to end:
 * no signalling round trip, no renegotiation. Paused consumers cost the worker nothing per packet.
 */
export class MediaPeer extends SafeEmitter<MediaPeerEvents> {
  readonly participantId: ParticipantId;
  readonly siteId: SiteId | null;
  readonly role: Role;

  #closed = false;
  #rtpCapabilities: ms.RtpCapabilities | null = null;
  #send: AnyTransport | null = null;
  #recv: AnyTransport | null = null;
  readonly #producers = new Map<MediaSource, ms.Producer>();
  /** Sources whose produce() is in flight, so a second one for the same source is refused. */
  readonly #producing = new Set<MediaSource>();
  /** Consumer slots by producer id. */
  readonly #slots = new Map<string, ConsumerSlot>();
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
   * transport already exists, starts consuming every remote producer.
   */
  setRtpCapabilities(rtpCapabilities: Record<string, unknown>): void {
    this.#assertOpen('setRtpCapabilities');
    if (!Array.isArray(rtpCapabilities.codecs)) {
      throw new MediaError('VALIDATION', 'rtpCapabilities.codecs must be an array');
    }
    this.#rtpCapabilities = rtpCapabilities as unknown as ms.RtpCapabilities;
    this.#startConsuming();
  }

  /**
   * Creates the send or receive WebRtcTransport, on the worker's WebRtcServer when it has one.
   * A second transport of the same direction replaces the first (client recovery after ICE
   * failure); replacing the receive transport re-creates every consumer on the new one.
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
    if (source !== 'screen' && this.siteId === null) {
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
        source === 'mic' && (pass === null || this.siteId === null || !pass.micOpen(this.siteId));
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
    this.#slots.clear();
    this.host.peerClosed(this.participantId, this);
    this.safeEmit('close', reason);
  }

  // ---- called by MeetingMedia ------------------------------------------------------------

  /** Creates this peer's consumer of a (remote) producer, if it can consume yet. */
  async consumeProducer(from: RoomProducer): Promise<void> {
    const rtpCapabilities = this.#rtpCapabilities;
    const recv = this.#recv;
    if (this.#closed || !rtpCapabilities || !recv || recv.closed) return;
    if (from.participantId === this.participantId || from.producer.closed) return;
    const producerId = from.producer.id;
    if (this.#slots.has(producerId)) return;
    if (!this.host.router.canConsume({ producerId, rtpCapabilities })) {
      this.logger.warn(
        `consumeProducer() | client cannot consume [participantId:${this.participantId}, producerId:${producerId}]`,
      );
      return;
    }
    const target = this.#target(from, this.host.pass());
    const layer =
      from.source === 'camera' ? (target.spatialLayer ?? TILE_SPATIAL_LAYER) : target.spatialLayer;
    const slot: ConsumerSlot = {
      from,
      consumer: null,
      ready: false,
      layer,
      sent: null,
      run: new Coalescer(() => this.#reconcileSlot(slot)),
    };
    this.#slots.set(producerId, slot);

    let consumer: ms.Consumer;
    try {
      consumer = await recv.consume({
        producerId,
        rtpCapabilities,
        // Create the consumer paused: see below.
        paused: true,
        ...(layer !== null ? { preferredLayers: { spatialLayer: layer } } : {}),
        enableRtx: true,
        ignoreDtx: true,
        appData: { participantId: this.participantId, from: from.participantId, source: from.source },
      });
    } catch (e) {
      this.#dropSlot(slot);
      if (!from.producer.closed && !recv.closed) {
        this.logger.warn(
          `consumeProducer() | consume failed [producerId:${producerId}, error:${errorText(e)}]`,
        );
      }
      this.#retryOnNewTransport(from, recv);
      return;
    }
    if (this.#slots.get(producerId) !== slot || this.#closed || recv.closed) {
      consumer.close();
      this.#dropSlot(slot);
      this.#retryOnNewTransport(from, recv);
      return;
    }
    slot.consumer = consumer;
    this.#watchConsumer(slot, consumer);

    try {
      await this.signal.newConsumer({
        id: consumer.id,
        producerId,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
        siteId: from.siteId,
        participantId: from.participantId,
        source: from.source,
      });
    } catch (e) {
      if (!consumer.closed) {
        this.logger.warn(
          `consumeProducer() | client did not create consumer [participantId:${this.participantId}, ` +
            `consumerId:${consumer.id}, error:${errorText(e)}]`,
        );
        consumer.close();
        this.#dropSlot(slot);
      }
      return;
    }
    if (consumer.closed) return;
    // Now that we got the positive response from the remote endpoint, resume
    // the Consumer so the remote endpoint will receive the a first RTP packet
    // of this new stream once its PeerConnection is already ready to process
    // and associate it.
    // (Here "resume" means: let the policy decide; it resumes what should flow.)
    slot.ready = true;
    await slot.run.run();
  }

  /**
   * Brings every consumer of this peer in line with the policy. Returns the pending work; only
   * consumers whose target differs from what was applied (or that are mid-change) cost anything.
   */
  reconcileConsumers(pass: PolicyPass | null): Promise<void>[] {
    const work: Promise<void>[] = [];
    if (this.#closed) return work;
    for (const slot of this.#slots.values()) {
      if (slot.run.busy || this.#needsWork(slot, this.#target(slot.from, pass))) work.push(slot.run.run());
    }
    return work;
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
    const out = new Map<string, ms.Consumer>();
    for (const [producerId, slot] of this.#slots) if (slot.consumer) out.set(producerId, slot.consumer);
    return out;
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
    if (direction === 'recv') this.#startConsuming();
  }

  /** Consumes every existing remote producer once capabilities and a receive transport exist. */
  #startConsuming(): void {
    if (!this.#rtpCapabilities || !this.#recv) return;
    // Deferred so the reply to the call that got us here leaves first.
    const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const pass = this.host.pass();
      const all = [...this.host.producers()].sort((a, b) => urgency(a, pass) - urgency(b, pass));
      return Promise.all(all.map((p) => this.consumeProducer(p)));
    });
    this.host.track(started);
  }

  #target(from: RoomProducer, pass: PolicyPass | null): ConsumerTarget {
    return consumerTarget(this, from, pass);
  }

  #needsWork(slot: ConsumerSlot, target: ConsumerTarget): boolean {
    const c = slot.consumer;
    if (!slot.ready || !c || c.closed) return false;
    if (target.paused) return !c.paused;
    return (
      c.paused || (target.spatialLayer !== null && target.spatialLayer !== slot.layer && c.type !== 'simple')
    );
  }

  /** One reconcile step of one consumer: pause, or set layer + resume + key frame. */
  async #reconcileSlot(slot: ConsumerSlot): Promise<void> {
    const c = slot.consumer;
    if (!slot.ready || !c || c.closed || this.#closed) return;
    const target = this.#target(slot.from, this.host.pass());
    try {
      if (target.paused) {
        if (!c.paused) await c.pause();
      } else {
        if (target.spatialLayer !== null && target.spatialLayer !== slot.layer && c.type !== 'simple') {
          await c.setPreferredLayers({ spatialLayer: target.spatialLayer });
          slot.layer = target.spatialLayer;
        }
        if (c.paused) {
          await c.resume();
          // A viewer switching to this stream needs a key frame now, not at the next GOP.
          if (c.kind === 'video') await c.requestKeyFrame();
        }
      }
    } catch (e) {
      if (!c.closed) {
        this.logger.warn(`reconcile() | consumer update failed [consumerId:${c.id}, error:${errorText(e)}]`);
      }
      return;
    }
    this.#sendState(slot);
  }

  #sendState(slot: ConsumerSlot): void {
    const c = slot.consumer;
    if (!slot.ready || !c || c.closed || this.#closed) return;
    const state: ConsumerState = { id: c.id, paused: c.paused, producerPaused: c.producerPaused };
    if (slot.sent && slot.sent.paused === state.paused && slot.sent.producerPaused === state.producerPaused)
      return;
    slot.sent = state;
    try {
      this.signal.consumerState(state);
    } catch (e) {
      this.logger.error('sendState() | signal.consumerState threw', e);
    }
  }

  /** The receive transport was replaced while a consumer was being made on the old one: redo it. */
  #retryOnNewTransport(from: RoomProducer, oldRecv: AnyTransport): void {
    if (!this.#closed && this.#recv && this.#recv !== oldRecv) this.host.track(this.consumeProducer(from));
  }

  #dropSlot(slot: ConsumerSlot): void {
    const id = slot.from.producer.id;
    if (this.#slots.get(id) === slot) this.#slots.delete(id);
  }

  #watchConsumer(slot: ConsumerSlot, consumer: ms.Consumer): void {
    consumer.on('transportclose', () => this.#dropSlot(slot));
    consumer.on('producerclose', () => {
      this.#dropSlot(slot);
      if (this.#closed) return;
      try {
        this.signal.consumerClosed(consumer.id);
      } catch (e) {
        this.logger.error('consumer "producerclose" | signal.consumerClosed threw', e);
      }
    });
    consumer.on('producerpause', () => this.#sendState(slot));
    consumer.on('producerresume', () => this.#sendState(slot));
  }
}
