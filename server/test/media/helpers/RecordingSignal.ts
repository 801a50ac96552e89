import type { ConsumerInfo, ConsumerState, MicState, PublishLayers } from '@giaoban/shared';
import type { PeerSignal } from '../../../src/media/index.js';

/** A PeerSignal that acts as a well-behaved client and records what the server told it. */
export class RecordingSignal implements PeerSignal {
  readonly consumers = new Map<string, ConsumerInfo>();
  readonly states: ConsumerState[] = [];
  readonly closed: string[] = [];
  readonly micStates: MicState[] = [];
  /** Dynacast requests, in order. */
  readonly layers: PublishLayers[] = [];
  /** Consumer ids in the order the client was told about them, with the state at that moment. */
  readonly log: string[] = [];
  /** When set, newConsumer rejects (a client that failed to build the consumer). */
  failNewConsumer = false;
  /** How long the "client" takes to build a consumer and ack (network round trip + consume()). */
  ackDelayMs = 5;

  constructor(private readonly isPausedAtServer?: (consumerId: string) => boolean | undefined) {}

  async newConsumer(info: ConsumerInfo): Promise<void> {
    // What a real client relies on: the server-side consumer is still paused while we build ours.
    this.log.push(`new:${info.id}:${this.isPausedAtServer?.(info.id) ?? '?'}`);
    await new Promise((r) => setTimeout(r, this.ackDelayMs));
    if (this.failNewConsumer) throw new Error('client could not create consumer');
    this.consumers.set(info.id, info);
  }

  consumerClosed(id: string): void {
    this.closed.push(id);
    this.consumers.delete(id);
  }

  consumerState(state: ConsumerState): void {
    this.states.push(state);
  }

  micState(state: MicState): void {
    this.micStates.push(state);
  }

  publishLayers(layers: PublishLayers): void {
    this.layers.push(layers);
  }

  /** The encodings last asked of one of this client's producers. */
  lastLayers(producerId: string): number | undefined {
    return this.layers.filter((l) => l.producerId === producerId).at(-1)?.spatialLayers;
  }

  /** The last state told for a consumer. */
  lastState(consumerId: string): ConsumerState | undefined {
    return this.states.filter((s) => s.id === consumerId).at(-1);
  }

  /** The consumer the client holds for a producer. */
  consumerOf(producerId: string): ConsumerInfo | undefined {
    return [...this.consumers.values()].find((c) => c.producerId === producerId);
  }
}
