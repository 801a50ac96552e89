import type { ConsumerInfo, ConsumerState, ParticipantId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { Coalescer } from './Coalescer.js';
import {
  type ConsumerTarget,
  consumerTarget,
  type PolicyPass,
  TILE_SPATIAL_LAYER,
  type ViewerView,
} from './ConsumptionPolicy.js';
import { errorText } from './logger.js';
import type { PeerHost, RoomProducer } from './PeerHost.js';

/** The part of PeerSignal that concerns consumers. */
export interface ConsumerSignal {
  newConsumer(info: ConsumerInfo): Promise<void>;
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
}

/** Order in which a joining peer's consumers are created: what it must see first comes first. */
function urgency(p: RoomProducer, pass: PolicyPass | null): number {
  if (p.source === 'camera' && p.siteId !== null && p.siteId === pass?.programSiteId) return 0;
  if (p.source === 'mic' && !p.producer.paused) return 1;
  if (p.source === 'screen') return 2;
  return 3;
}

/**
 * What one peer receives: one consumer per remote producer of the meeting — every microphone,
 * camera and screen — whether or not the policy wants it flowing now. Each is created PAUSED,
 * announced to the client (`newConsumer`, awaited), and only then resumed or left paused as the
 * policy says. Because the consumers of every possible program site already exist, a floor change
 * is just resume + setPreferredLayers + requestKeyFrame on consumers already wired end to end: no
 * signalling round trip, no renegotiation. A paused consumer costs the worker nothing per packet.
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

  /** Creates the consumer of a (remote) producer, if the peer can consume yet. */
  async consume(from: RoomProducer): Promise<void> {
    const rtpCapabilities = this.#rtpCapabilities;
    const recv = this.#recv;
    if (this.#closed || !rtpCapabilities || !recv || recv.closed) return;
    if (from.participantId === this.participantId || from.producer.closed) return;
    const producerId = from.producer.id;
    if (this.#slots.has(producerId)) return;
    if (!this.host.router.canConsume({ producerId, rtpCapabilities })) {
      this.host.logger.warn(
        `consume() | client cannot consume [participantId:${this.participantId}, producerId:${producerId}]`,
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
      if (slot.run.busy || this.#needsWork(slot, this.#target(slot.from, pass))) work.push(slot.run.run());
    }
    return work;
  }

  /** Live consumers by producer id. */
  byProducer(): Map<string, ms.Consumer> {
    const out = new Map<string, ms.Consumer>();
    for (const [producerId, slot] of this.#slots) if (slot.consumer) out.set(producerId, slot.consumer);
    return out;
  }

  /** Stops all work; the consumers themselves close with the transport. */
  close(): void {
    this.#closed = true;
    this.#recv = null;
    this.#slots.clear();
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Consumes every existing remote producer once capabilities and a receive transport exist. */
  #startConsuming(): void {
    if (!this.#rtpCapabilities || !this.#recv || this.#closed) return;
    // Deferred so the reply to the request that got us here reaches the client first.
    const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const pass = this.host.pass();
      const all = [...this.host.producers()].sort((a, b) => urgency(a, pass) - urgency(b, pass));
      return Promise.all(all.map((p) => this.consume(p)));
    });
    this.host.track(started);
  }

  #target(from: RoomProducer, pass: PolicyPass | null): ConsumerTarget {
    return consumerTarget(this.viewer, from, pass);
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
        this.host.logger.warn(
          `reconcile() | consumer update failed [consumerId:${c.id}, error:${errorText(e)}]`,
        );
      }
      return;
    }
    this.#sendState(slot);
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
    const id = slot.from.producer.id;
    if (this.#slots.get(id) === slot) this.#slots.delete(id);
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
