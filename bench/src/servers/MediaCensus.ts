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
  /**
   * Between the routers of one meeting on several workers (pipeToRouter): packets the pipe
   * consumers sent to the other workers. Not in `in`/`out` above, which count sites' media.
   */
  pipePackets: number;
}

/** Object counts: the hub creates one consumer per (viewer, remote producer), mostly paused. */
export interface MediaCounts {
  workers: number;
  /** Routers, and how many workers have at least one (a meeting spread over workers). */
  routers: number;
  workersWithRouters: number;
  transports: number;
  /** Producers and consumers of the sites and the hub's own (program), pipes excluded. */
  producers: number;
  consumers: number;
  consumersFlowing: number;
  /** The pipes between a meeting's routers: transports, and producers/consumers on them. */
  pipeTransports: number;
  pipeProducers: number;
  pipeConsumers: number;
  /**
   * Flowing simulcast video consumers by the spatial layer the worker sends them now (index =
   * layer): a viewer asked for the top layer may be on a lower one while that layer is scored down.
   */
  simulcastByLayer: number[];
}

/** One producer's receive counters (the publisher scenario reads the page's ingest). */
export interface ProducerPackets {
  id: string;
  kind: string;
  packets: number;
  bytes: number;
  /** Per encoding (simulcast layer), in the order of the stats: rid or ssrc, packets. */
  encodings: { rid: string | null; ssrc: number; packets: number; bitrate: number }[];
}

interface Last {
  packets: number;
  bytes: number;
}

export class MediaCensus {
  readonly workers = new Set<ms.Worker>();
  readonly routers = new Map<ms.Router, ms.Worker>();
  readonly transports = new Set<ms.Transport>();
  readonly producers = new Set<ms.Producer>();
  readonly consumers = new Set<ms.Consumer>();
  readonly pipeTransports = new Set<ms.Transport>();
  readonly pipeProducers = new Set<ms.Producer>();
  readonly pipeConsumers = new Set<ms.Consumer>();
  readonly #pipeLast = new Map<string, number>();
  /** Wall-clock time of the first RTP packet a watched producer received after `watchFirstRtp`. */
  readonly #firstRtp = new Map<string, number | null>();
  /** Last stats of each consumer that ever flowed (closed ones keep counting towards the totals). */
  readonly #consumerLast = new Map<string, Last>();
  readonly #producerLast = new Map<string, Last & { lost: number }>();

  constructor(mediasoup: Mediasoup) {
    mediasoup.observer.on('newworker', (worker: ms.Worker) => {
      this.workers.add(worker);
      worker.observer.once('close', () => this.workers.delete(worker));
      worker.observer.on('newrouter', (router: ms.Router) => {
        this.routers.set(router, worker);
        router.observer.once('close', () => this.routers.delete(router));
        router.observer.on('newtransport', (transport: ms.Transport) => {
          // pipeToRouter's transports carry a meeting between its workers: counted apart.
          const pipe = transport.constructor.name === 'PipeTransport';
          const transports = pipe ? this.pipeTransports : this.transports;
          const producers = pipe ? this.pipeProducers : this.producers;
          const consumers = pipe ? this.pipeConsumers : this.consumers;
          transports.add(transport);
          transport.observer.once('close', () => transports.delete(transport));
          transport.observer.on('newproducer', (p: ms.Producer) => {
            producers.add(p);
            p.observer.once('close', () => producers.delete(p));
          });
          transport.observer.on('newconsumer', (c: ms.Consumer) => {
            consumers.add(c);
            c.observer.once('close', () => consumers.delete(c));
          });
        });
      });
    });
  }

  /** How many media objects exist now. */
  counts(): MediaCounts {
    let flowing = 0;
    const simulcastByLayer = [0, 0, 0];
    for (const c of this.consumers) {
      if (c.paused || c.producerPaused) continue;
      flowing++;
      const layer = c.type === 'simulcast' ? c.currentLayers?.spatialLayer : undefined;
      if (layer !== undefined) simulcastByLayer[layer] = (simulcastByLayer[layer] ?? 0) + 1;
    }
    return {
      workers: this.workers.size,
      routers: this.routers.size,
      workersWithRouters: new Set(this.routers.values()).size,
      transports: this.transports.size,
      producers: this.producers.size,
      consumers: this.consumers.size,
      consumersFlowing: flowing,
      pipeTransports: this.pipeTransports.size,
      pipeProducers: this.pipeProducers.size,
      pipeConsumers: this.pipeConsumers.size,
      simulcastByLayer,
    };
  }

  /** Receive counters of the given producers (those still open). */
  async producerPackets(ids: readonly string[]): Promise<ProducerPackets[]> {
    const wanted = [...this.producers].filter((p) => ids.includes(p.id));
    return Promise.all(
      wanted.map(async (p) => {
        const stats = await p.getStats().catch(() => []);
        return {
          id: p.id,
          kind: p.kind,
          packets: stats.reduce((a, s) => a + s.packetCount, 0),
          bytes: stats.reduce((a, s) => a + s.byteCount, 0),
          encodings: stats.map((s) => ({
            rid: s.rid ?? null,
            ssrc: s.ssrc,
            packets: s.packetCount,
            bitrate: s.bitrate,
          })),
        };
      }),
    );
  }

  /**
   * Notes the wall-clock time (ms) of the next RTP packet the producer receives (mediasoup's 'rtp'
   * trace event, switched off again after it); `firstRtp` returns it, null until it came.
   */
  async watchFirstRtp(producerId: string): Promise<null> {
    const p = [...this.producers].find((x) => x.id === producerId);
    if (!p) throw new Error(`no producer ${producerId}`);
    this.#firstRtp.set(producerId, null);
    const onTrace = (trace: { type: string }): void => {
      if (trace.type !== 'rtp' || this.#firstRtp.get(producerId) !== null) return;
      this.#firstRtp.set(producerId, Date.now());
      p.off('trace', onTrace);
      void p.enableTraceEvent([]).catch(() => undefined);
    };
    p.on('trace', onTrace);
    await p.enableTraceEvent(['rtp']);
    return null;
  }

  firstRtp(producerId: string): number | null {
    return this.#firstRtp.get(producerId) ?? null;
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
    await Promise.all(
      [...this.pipeConsumers].map(async (c) => {
        const stats = await c.getStats().catch(() => []);
        const out = stats.find((s) => s.type === 'outbound-rtp');
        if (out) this.#pipeLast.set(c.id, out.packetCount);
      }),
    );
    const totals: PacketTotals = {
      at: Date.now(),
      inPackets: 0,
      inBytes: 0,
      inLost: 0,
      outPackets: 0,
      outBytes: 0,
      pipePackets: 0,
    };
    for (const n of this.#pipeLast.values()) totals.pipePackets += n;
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
