/**
 * Counts what a server process's mediasoup workers carry, through mediasoup's observer API, so the
 * benchmark needs no hook in the hub's own code: every worker, transport, producer and consumer
 * created after construction is tracked. Packet totals come from producer stats (in) and the
 * stats of consumers that were flowing (out).
 */
import type { types as ms } from 'mediasoup';

type Mediasoup = { observer: import('node:events').EventEmitter };

/** Cumulative RTP totals of a server at one instant. */
export interface PacketTotals {
  at: number;
  inPackets: number;
  inBytes: number;
  /** Lost on the way in, per mediasoup's receive streams (sequence gaps). */
  inLost: number;
  outPackets: number;
  outBytes: number;
}

/** Object counts: the hub creates one consumer per (viewer, remote producer), mostly paused. */
export interface MediaCounts {
  workers: number;
  transports: number;
  producers: number;
  consumers: number;
  consumersFlowing: number;
}

interface Last {
  packets: number;
  bytes: number;
}

export class MediaCensus {
  readonly workers = new Set<ms.Worker>();
  readonly transports = new Set<ms.Transport>();
  readonly producers = new Set<ms.Producer>();
  readonly consumers = new Set<ms.Consumer>();
  /** Last stats of each consumer that ever flowed (closed ones keep counting towards the totals). */
  readonly #consumerLast = new Map<string, Last>();
  readonly #producerLast = new Map<string, Last & { lost: number }>();

  constructor(mediasoup: Mediasoup) {
    mediasoup.observer.on('newworker', (worker: ms.Worker) => {
      this.workers.add(worker);
      worker.observer.once('close', () => this.workers.delete(worker));
      worker.observer.on('newrouter', (router: ms.Router) => {
        router.observer.on('newtransport', (transport: ms.Transport) => {
          this.transports.add(transport);
          transport.observer.once('close', () => this.transports.delete(transport));
          transport.observer.on('newproducer', (p: ms.Producer) => {
            this.producers.add(p);
            p.observer.once('close', () => this.producers.delete(p));
          });
          transport.observer.on('newconsumer', (c: ms.Consumer) => {
            this.consumers.add(c);
            c.observer.once('close', () => this.consumers.delete(c));
          });
        });
      });
    });
  }

  /** How many media objects exist now. */
  counts(): MediaCounts {
    let flowing = 0;
    for (const c of this.consumers) if (!c.paused && !c.producerPaused) flowing++;
    return {
      workers: this.workers.size,
      transports: this.transports.size,
      producers: this.producers.size,
      consumers: this.consumers.size,
      consumersFlowing: flowing,
    };
  }

  /** RTP totals so far. Queries producers and the consumers that flow now or did at the last call. */
  async packetTotals(): Promise<PacketTotals> {
    await Promise.all(
      [...this.producers].map(async (p) => {
        const stats = await p.getStats().catch(() => []);
        let packets = 0;
        let bytes = 0;
        let lost = 0;
        for (const s of stats) {
          packets += s.packetCount;
          bytes += s.byteCount;
          lost += Math.max(0, s.packetsLost);
        }
        if (stats.length) this.#producerLast.set(p.id, { packets, bytes, lost });
      }),
    );
    await Promise.all(
      [...this.consumers]
        .filter((c) => (!c.paused && !c.producerPaused) || this.#consumerLast.has(c.id))
        .map(async (c) => {
          const stats = await c.getStats().catch(() => []);
          const out = stats.find((s) => s.type === 'outbound-rtp');
          if (out) this.#consumerLast.set(c.id, { packets: out.packetCount, bytes: out.byteCount });
        }),
    );
    const totals: PacketTotals = {
      at: Date.now(),
      inPackets: 0,
      inBytes: 0,
      inLost: 0,
      outPackets: 0,
      outBytes: 0,
    };
    for (const p of this.#producerLast.values()) {
      totals.inPackets += p.packets;
      totals.inBytes += p.bytes;
      totals.inLost += p.lost;
    }
    for (const c of this.#consumerLast.values()) {
      totals.outPackets += c.packets;
      totals.outBytes += c.bytes;
    }
    return totals;
  }
}
