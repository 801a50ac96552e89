import type { observer as mediasoupObserver, types as ms } from 'mediasoup';

/** mediasoup's process-wide observer (`import { observer } from 'mediasoup'`). */
export type MediasoupObserver = typeof mediasoupObserver;

/** What one meeting's router holds right now. */
export interface RouterCensus {
  meetingId: string;
  workerPid: number;
  transports: number;
  producers: number;
  consumers: number;
  /** Sum over the router's producers' inbound streams (what the sites send to the hub). */
  packetsReceived: number;
  packetsLost: number;
}

interface RouterEntry {
  meetingId: string;
  workerPid: number;
  transports: Set<ms.Transport>;
  producers: Set<ms.Producer>;
  consumers: Set<ms.Consumer>;
}

/**
 * Counts mediasoup objects per meeting through mediasoup's observer API (no hook in the media
 * layer): routers carry `appData.meetingId`. Given the pool's workers at start, and hears of
 * workers started later (a respawn) through mediasoup's process-wide observer, so a reader
 * filters by its own workers' pids.
 */
export class MediaCensus {
  readonly #routers = new Map<string, RouterEntry>();
  readonly #observer: MediasoupObserver;
  readonly #onWorker = (worker: ms.Worker) => {
    worker.observer.on('newrouter', (router) => {
      const meetingId = typeof router.appData.meetingId === 'string' ? router.appData.meetingId : router.id;
      const entry: RouterEntry = {
        meetingId,
        workerPid: worker.pid,
        transports: new Set(),
        producers: new Set(),
        consumers: new Set(),
      };
      this.#routers.set(router.id, entry);
      router.observer.once('close', () => this.#routers.delete(router.id));
      router.observer.on('newtransport', (transport) => {
        entry.transports.add(transport);
        transport.observer.once('close', () => entry.transports.delete(transport));
        transport.observer.on('newproducer', (p) => {
          entry.producers.add(p);
          p.observer.once('close', () => entry.producers.delete(p));
        });
        transport.observer.on('newconsumer', (c) => {
          entry.consumers.add(c);
          c.observer.once('close', () => entry.consumers.delete(c));
        });
      });
    });
  };

  constructor(observer: MediasoupObserver, workers: readonly ms.Worker[]) {
    this.#observer = observer;
    for (const w of workers) this.#onWorker(w);
    observer.on('newworker', this.#onWorker);
  }

  /** The routers of the given worker processes, with their producers' packet counts. */
  async census(workerPids: ReadonlySet<number>): Promise<RouterCensus[]> {
    const out: RouterCensus[] = [];
    for (const entry of this.#routers.values()) {
      if (!workerPids.has(entry.workerPid)) continue;
      let packetsReceived = 0;
      let packetsLost = 0;
      const stats = await Promise.all(
        [...entry.producers].filter((p) => !p.closed).map((p) => p.getStats().catch(() => [])),
      );
      for (const list of stats) {
        for (const s of list) {
          packetsReceived += s.packetCount;
          packetsLost += Math.max(0, s.packetsLost);
        }
      }
      out.push({
        meetingId: entry.meetingId,
        workerPid: entry.workerPid,
        transports: entry.transports.size,
        producers: entry.producers.size,
        consumers: entry.consumers.size,
        packetsReceived,
        packetsLost,
      });
    }
    return out;
  }

  /** Stops listening for new workers; idempotent. */
  close(): void {
    this.#observer.off('newworker', this.#onWorker);
  }
}
