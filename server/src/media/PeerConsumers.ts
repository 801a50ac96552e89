import type { ConsumerInfo, ConsumerState, ParticipantId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { Coalescer } from './Coalescer.js';
import {
  type ConsumerTarget,
  consumerTarget,
  type PolicyPass,
  PROGRAM_SPATIAL_LAYER,
  TILE_SPATIAL_LAYER,
  type ViewerView,
  wantedOnDemand,
} from './ConsumptionPolicy.js';
import { errorText } from './logger.js';
import type { PeerHost, RoomProducer } from './PeerHost.js';

/** The part of PeerSignal that concerns consumers. */
export interface ConsumerSignal {
  newConsumer(info: ConsumerInfo): Promise<void>;
  /**
   * Holds announcements back until the returned release is called, so that consumers created
   * together reach the client in one message (a joining page's set after its program). Optional:
   * a signal without it announces each at once.
   */
  holdAnnouncements?(): () => void;
  consumerClosed(consumerId: string): void;
  consumerState(state: ConsumerState): void;
}

/** A transport a peer receives on. */
export type RecvTransport = ms.WebRtcTransport | ms.PlainTransport;

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
  /** The timer that closes this consumer once the policy has not wanted it for a grace period. */
  release: NodeJS.Timeout | null;
}

const PAUSED: ConsumerTarget = { paused: true, spatialLayer: null };

/**
 * Order in which a joining peer's consumers are created: the program first — alone, created,
 * acknowledged and resumed before anything else is even announced — then what is heard, then the rest.
 */
function urgency(p: RoomProducer): number {
  if (p.source === 'program') return 0;
  if ((p.source === 'mic' && !p.producer.paused) || p.source === 'programAudio') return 1;
  if (p.source === 'screen') return 2;
  return 3;
}

/**
 * What one peer receives (see index.ts, "Consumption model"). Every viewer — bridge point,
 * moderator, observer — holds a consumer only while the policy wants it (`wantedOnDemand`): the
 * program (one stream whatever site is on stage), the corner and warm cameras, open microphones,
 * screens, and for moderators the grid tiles on screen. A handful per viewer, however many sites
 * the meeting has. One the policy stops wanting is paused at once and closed (client told
 * `consumerClosed`) after `config.consumerGraceMs`, unless wanted again meanwhile: then it is
 * simply resumed, so a quick back-and-forth (a tile scrolled away and back) does not churn.
 *
 * Each consumer is created PAUSED, announced to the client (`newConsumer`, awaited), and only
 * then resumed or left paused as the policy says.
 */
export class PeerConsumers {
  /** Consumer slots by producer id. */
  readonly #slots = new Map<string, ConsumerSlot>();
  #rtpCapabilities: ms.RtpCapabilities | null = null;
  #recv: RecvTransport | null = null;
  #closed = false;

  constructor(
    private readonly participantId: ParticipantId,
    private readonly viewer: ViewerView,
    private readonly signal: ConsumerSignal,
    private readonly host: PeerHost,
  ) {}

  /** Stores the client's RTP capabilities and starts consuming if a receive transport exists. */
  setRtpCapabilities(rtpCapabilities: ms.RtpCapabilities): void {
    this.#rtpCapabilities = rtpCapabilities;
    this.#startConsuming();
  }

  /**
   * Receives on this transport from now on. The old transport's consumers die with it (the
   * caller closes it); every producer is consumed again on the new one.
   */
  setTransport(recv: RecvTransport): void {
    this.#recv = recv;
    this.#startConsuming();
  }

  /**
   * Creates the consumer of a (remote) producer, if the peer can consume yet. `announced` is called
   * once, as soon as the client has been told of it (or it turned out not to be needed).
   */
  async consume(from: RoomProducer, announced: () => void = () => undefined): Promise<void> {
    let told = false;
    const tell = () => {
      if (told) return;
      told = true;
      announced();
    };
    try {
      await this.#consume(from, tell);
    } finally {
      tell();
    }
  }

  async #consume(from: RoomProducer, announced: () => void): Promise<void> {
    const rtpCapabilities = this.#rtpCapabilities;
    const recv = this.#recv;
    if (this.#closed || !rtpCapabilities || !recv || recv.closed) return;
    if (from.participantId === this.participantId || from.producer.closed) return;
    const producerId = from.producer.id;
    if (this.#slots.has(producerId)) return;
    const pass = this.host.pass();
    if (!wantedOnDemand(this.viewer, from, pass)) return;
    if (!this.host.canConsume(producerId, rtpCapabilities)) {
      this.host.logger.warn(
        `consume() | client cannot consume [participantId:${this.participantId}, producerId:${producerId}]`,
      );
      return;
    }
    const target = this.#target(from, pass);
    const layer =
      from.source === 'program'
        ? PROGRAM_SPATIAL_LAYER
        : from.source === 'camera'
          ? (target.spatialLayer ?? TILE_SPATIAL_LAYER)
          : target.spatialLayer;
    const slot: ConsumerSlot = {
      from,
      consumer: null,
      ready: false,
      layer,
      sent: null,
      run: new Coalescer(() => this.#reconcileSlot(slot)),
      release: null,
    };
    this.#slots.set(producerId, slot);

    let consumer: ms.Consumer;
    try {
      await this.host.reach(producerId);
      consumer = await recv.consume({
        producerId,
        rtpCapabilities,
        // Created paused: nothing may reach the client before it has built its side (see below).
        paused: true,
        ...(layer !== null ? { preferredLayers: { spatialLayer: layer } } : {}),
        enableRtx: true,
        ignoreDtx: true,
        appData: { participantId: this.participantId, from: from.participantId, source: from.source },
      });
    } catch (e) {
      this.#dropSlot(slot);
      if (!from.producer.closed && !recv.closed) {
        this.host.logger.warn(`consume() | consume failed [producerId:${producerId}, error:${errorText(e)}]`);
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
    this.#watch(slot, consumer);

    try {
      const acked = this.signal.newConsumer({
        id: consumer.id,
        producerId,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
        siteId: from.siteId,
        participantId: from.participantId,
        source: from.source,
      });
      announced();
      await acked;
    } catch (e) {
      if (!consumer.closed) {
        this.host.logger.warn(
          `consume() | client did not create consumer [participantId:${this.participantId}, ` +
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
    // (Here the policy decides: it resumes what should flow and leaves the rest paused.)
    slot.ready = true;
    // The policy may have moved on while the client was building it.
    this.#scheduleRelease(slot, this.host.pass());
    await slot.run.run();
  }

  /**
   * Brings every consumer in line with the policy. Returns the pending work; only consumers
   * whose target differs from what was applied (or that are mid-change) cost anything.
   */
  reconcile(pass: PolicyPass | null): Promise<void>[] {
    const work: Promise<void>[] = [];
    if (this.#closed) return work;
    for (const slot of this.#slots.values()) {
      const target = this.#target(slot.from, pass);
      this.#scheduleRelease(slot, pass);
      if (slot.run.busy || this.#needsWork(slot, target)) work.push(slot.run.run());
    }
    if (this.#canConsume()) {
      // New wants: one round trip each (created paused, client told, then resumed).
      for (const from of this.#candidates(pass)) {
        if (!this.#slots.has(from.producer.id) && wantedOnDemand(this.viewer, from, pass)) {
          work.push(this.consume(from));
        }
      }
    }
    return work;
  }

  /** Live consumers by producer id. */
  byProducer(): Map<string, ms.Consumer> {
    const out = new Map<string, ms.Consumer>();
    for (const [producerId, slot] of this.#slots) if (slot.consumer) out.set(producerId, slot.consumer);
    return out;
  }

  /**
   * Dynacast: raises `out[producerId]` to the number of camera encodings this peer's flowing
   * consumers use (a preferred layer n needs the lowest n + 1; none asked means the highest).
   */
  collectFlowingLayers(out: Map<string, number>, allLayers: number): void {
    for (const [producerId, slot] of this.#slots) {
      const c = slot.consumer;
      if (slot.from.source !== 'camera' || !c || c.closed || c.paused) continue;
      const n = slot.layer === null ? allLayers : Math.min(allLayers, slot.layer + 1);
      out.set(producerId, Math.max(out.get(producerId) ?? 0, n));
    }
  }

  /** Stops all work; the consumers themselves close with the transport. */
  close(): void {
    this.#closed = true;
    this.#recv = null;
    for (const slot of this.#slots.values()) this.#cancelRelease(slot);
    this.#slots.clear();
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * Consumes every wanted producer once capabilities and a receive transport exist: the program
   * first, on its own (so a joining page shows the main stage before it builds anything else),
   * then the rest together.
   */
  #startConsuming(): void {
    if (!this.#canConsume()) return;
    // Deferred so the reply to the request that got us here reaches the client first.
    const started = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const all = [...this.#candidates(this.host.pass())].sort((a, b) => urgency(a) - urgency(b));
      const first = all.filter((p) => urgency(p) === 0);
      await Promise.all(first.map((p) => this.consume(p)));
      // The rest in one batch: announced together once every one of them is created.
      const rest = all.filter((p) => urgency(p) !== 0);
      const release = rest.length > 1 ? this.signal.holdAnnouncements?.() : undefined;
      let left = rest.length;
      const announced = () => {
        if (--left === 0) release?.();
      };
      await Promise.all(rest.map((p) => this.consume(p, announced)));
    });
    this.host.track(started);
  }

  #canConsume(): boolean {
    return !this.#closed && this.#rtpCapabilities !== null && this.#recv !== null && !this.#recv.closed;
  }

  /**
   * The producers this peer may want now: the meeting's short list for viewers without a grid
   * (computed once per pass), or every producer for a moderator showing grid tiles.
   */
  #candidates(pass: PolicyPass | null): Iterable<RoomProducer> {
    if (pass?.gridViewer(this.viewer.role) && this.viewer.visibleTiles.size > 0) return this.host.producers();
    return this.host.onDemandCandidates();
  }

  /** What the consumer should do; one the policy does not want waits paused for its release. */
  #target(from: RoomProducer, pass: PolicyPass | null): ConsumerTarget {
    if (!wantedOnDemand(this.viewer, from, pass)) return PAUSED;
    return consumerTarget(this.viewer, from, pass);
  }

  /** Arms the release timer of an unwanted consumer, or disarms it when wanted again. */
  #scheduleRelease(slot: ConsumerSlot, pass: PolicyPass | null): void {
    if (wantedOnDemand(this.viewer, slot.from, pass)) {
      this.#cancelRelease(slot);
      return;
    }
    if (slot.release) return;
    slot.release = setTimeout(() => {
      slot.release = null;
      this.#releaseSlot(slot);
    }, this.host.config.consumerGraceMs);
    slot.release.unref();
  }

  #cancelRelease(slot: ConsumerSlot): void {
    if (slot.release) clearTimeout(slot.release);
    slot.release = null;
  }

  /** The grace period is over: closes the consumer and tells the client, unless wanted again. */
  #releaseSlot(slot: ConsumerSlot): void {
    if (this.#closed || this.#slots.get(slot.from.producer.id) !== slot) return;
    if (wantedOnDemand(this.viewer, slot.from, this.host.pass())) return;
    this.#dropSlot(slot);
    // Still being created (no consumer yet): consume() sees the slot gone and closes it unannounced.
    const c = slot.consumer;
    if (!c || c.closed) return;
    c.close();
    this.host.logger.debug(
      `release() | closed unwanted consumer [participantId:${this.participantId}, consumerId:${c.id}]`,
    );
    try {
      this.signal.consumerClosed(c.id);
    } catch (e) {
      this.host.logger.error('release() | signal.consumerClosed threw', e);
    }
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
      // The worker closed it first (its transport or producer went), and the news is on its way.
      const gone = c.closed || /handler with ID .* not found/.test(errorText(e));
      const level = gone ? 'debug' : 'warn';
      this.host.logger[level](
        `reconcile() | consumer update failed [consumerId:${c.id}, error:${errorText(e)}]`,
      );
      return;
    }
    this.#sendState(slot);
    this.host.consumersChanged();
  }

  #sendState(slot: ConsumerSlot): void {
    const c = slot.consumer;
    if (!slot.ready || !c || c.closed || this.#closed) return;
    const state: ConsumerState = { id: c.id, paused: c.paused, producerPaused: c.producerPaused };
    const sent = slot.sent;
    if (sent && sent.paused === state.paused && sent.producerPaused === state.producerPaused) return;
    slot.sent = state;
    try {
      this.signal.consumerState(state);
    } catch (e) {
      this.host.logger.error('sendState() | signal.consumerState threw', e);
    }
  }

  /** The receive transport was replaced while a consumer was being made on the old one: redo it. */
  #retryOnNewTransport(from: RoomProducer, oldRecv: RecvTransport): void {
    if (!this.#closed && this.#recv && this.#recv !== oldRecv) this.host.track(this.consume(from));
  }

  #dropSlot(slot: ConsumerSlot): void {
    this.#cancelRelease(slot);
    const id = slot.from.producer.id;
    if (this.#slots.get(id) !== slot) return;
    this.#slots.delete(id);
    this.host.consumersChanged();
  }

  #watch(slot: ConsumerSlot, consumer: ms.Consumer): void {
    consumer.on('transportclose', () => this.#dropSlot(slot));
    consumer.on('producerclose', () => {
      this.#dropSlot(slot);
      if (this.#closed) return;
      try {
        this.signal.consumerClosed(consumer.id);
      } catch (e) {
        this.host.logger.error('consumer "producerclose" | signal.consumerClosed threw', e);
      }
    });
    consumer.on('producerpause', () => this.#sendState(slot));
    consumer.on('producerresume', () => this.#sendState(slot));
  }
}
