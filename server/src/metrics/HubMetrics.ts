import { readFileSync } from 'node:fs';
import client from 'prom-client';
import type { MeetingRecord } from '../domain/index.js';
import type { WorkerUsage } from '../media/WorkerPool.js';
import type { MediaCensus } from './MediaCensus.js';

/** What the metrics read at each scrape; every source is optional so a partial hub still reports. */
export interface MetricSources {
  /** Every stored meeting. */
  meetings(): Promise<MeetingRecord[]>;
  /** Load and getrusage of every media worker. */
  workers(): Promise<WorkerUsage[]>;
  /** The mediasoup census (consumers, producers, packets per meeting). */
  census: MediaCensus;
  /** One round trip to Redis in seconds; absent when the hub runs without Redis (no Redis metrics then). */
  redisPing?: () => Promise<number>;
}

/** Current resident memory of a process in bytes (Linux /proc), else its peak from getrusage. */
function residentBytes(pid: number, maxRssKb: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m?.[1]) return Number(m[1]) * 1024;
  } catch {
    // not Linux, or the worker just died: fall back to the peak
  }
  return maxRssKb * 1024;
}

/**
 * The hub's Prometheus metrics (prom-client), all computed at scrape time from the live state:
 * meetings by status, sites connected and connections per meeting, mediasoup consumers, producers,
 * transports, packets received and lost per meeting, worker CPU and memory, Redis latency, report
 * documents by conversion status, plus Node's default process metrics. One registry per hub.
 */
export class HubMetrics {
  readonly registry = new client.Registry();

  constructor(private readonly sources: MetricSources) {
    const r = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'giaoban_process_' });
    // Each scrape reads the state once; the gauges below read what it found.
    let snapshot: Promise<Scrape> | null = null;
    const scrape = (): Promise<Scrape> => {
      snapshot ??= this.#scrape().finally(() => {
        setImmediate(() => {
          snapshot = null;
        });
      });
      return snapshot;
    };

    new client.Gauge({
      name: 'giaoban_meetings',
      help: 'Meetings stored, by status',
      labelNames: ['status'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        for (const status of ['scheduled', 'techCheck', 'live', 'ended'] as const) {
          this.set({ status }, s.records.filter((m) => m.meeting.status === status).length);
        }
      },
    });
    new client.Gauge({
      name: 'giaoban_meeting_sites_connected',
      help: 'Bridge points connected to each running meeting (connected, media or poor)',
      labelNames: ['meeting'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        for (const m of s.running) {
          this.set({ meeting: m.meeting.id }, m.sites.filter((x) => x.connection !== 'absent').length);
        }
      },
    });
    new client.Gauge({
      name: 'giaoban_meeting_sites_poor_network',
      help: 'Bridge points of each running meeting whose network is poor',
      labelNames: ['meeting'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        for (const m of s.running) {
          this.set({ meeting: m.meeting.id }, m.sites.filter((x) => x.connection === 'poor').length);
        }
      },
    });
    new client.Gauge({
      name: 'giaoban_meeting_connections',
      help: 'Connections (devices) in each running meeting',
      labelNames: ['meeting'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        for (const m of s.running) this.set({ meeting: m.meeting.id }, m.participants.length);
      },
    });
    const perMeeting = (name: string, help: string, pick: (c: Scrape['census'][number]) => number): void => {
      new client.Gauge({
        name,
        help,
        labelNames: ['meeting'],
        registers: r,
        async collect() {
          const s = await scrape();
          this.reset();
          const sums = new Map<string, number>();
          for (const c of s.census) sums.set(c.meetingId, (sums.get(c.meetingId) ?? 0) + pick(c));
          for (const [meeting, v] of sums) this.set({ meeting }, v);
        },
      });
    };
    perMeeting(
      'giaoban_meeting_consumers',
      'mediasoup consumers of each meeting held here',
      (c) => c.consumers,
    );
    perMeeting(
      'giaoban_meeting_producers',
      'mediasoup producers of each meeting held here',
      (c) => c.producers,
    );
    perMeeting(
      'giaoban_meeting_transports',
      'WebRTC transports of each meeting held here',
      (c) => c.transports,
    );
    perMeeting(
      'giaoban_meeting_rtp_packets_received',
      'RTP packets received from the sites by the current producers of each meeting',
      (c) => c.packetsReceived,
    );
    perMeeting(
      'giaoban_meeting_rtp_packets_lost',
      'RTP packets the current producers of each meeting found lost on the way to the hub',
      (c) => c.packetsLost,
    );
    new client.Gauge({
      name: 'giaoban_meeting_rtp_loss_ratio',
      help: 'Lost / (received + lost) over the current producers of each meeting',
      labelNames: ['meeting'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        const sums = new Map<string, { got: number; lost: number }>();
        for (const c of s.census) {
          const x = sums.get(c.meetingId) ?? { got: 0, lost: 0 };
          sums.set(c.meetingId, { got: x.got + c.packetsReceived, lost: x.lost + c.packetsLost });
        }
        for (const [meeting, x] of sums)
          this.set({ meeting }, x.got + x.lost > 0 ? x.lost / (x.got + x.lost) : 0);
      },
    });
    new client.Counter({
      name: 'giaoban_worker_cpu_seconds_total',
      help: 'CPU time (user + system) of each mediasoup worker process',
      labelNames: ['worker'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        for (const w of s.workers) {
          if (w.usage) this.inc({ worker: String(w.index) }, (w.usage.ru_utime + w.usage.ru_stime) / 1000);
        }
      },
    });
    new client.Gauge({
      name: 'giaoban_worker_memory_bytes',
      help: 'Resident memory of each mediasoup worker process',
      labelNames: ['worker'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        for (const w of s.workers) {
          if (w.usage) this.set({ worker: String(w.index) }, residentBytes(w.pid, w.usage.ru_maxrss));
        }
      },
    });
    new client.Gauge({
      name: 'giaoban_worker_up',
      help: '1 while a media worker runs, 0 once it died',
      labelNames: ['worker'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        for (const w of s.workers) this.set({ worker: String(w.index) }, w.dead ? 0 : 1);
      },
    });
    if (this.sources.redisPing) {
      new client.Histogram({
        name: 'giaoban_redis_ping_seconds',
        help: 'Round trip of a Redis PING, one per scrape',
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 3],
        registers: r,
        async collect() {
          const s = await scrape();
          if (typeof s.redis === 'number') this.observe(s.redis);
        },
      });
      new client.Gauge({
        name: 'giaoban_redis_up',
        help: '1 when Redis answered the PING of this scrape, else 0',
        registers: r,
        async collect() {
          const s = await scrape();
          this.set(s.redis === 'down' ? 0 : 1);
        },
      });
    }
    new client.Gauge({
      name: 'giaoban_store_up',
      help: '1 when the store answered this scrape, else 0',
      registers: r,
      async collect() {
        this.set((await scrape()).storeUp ? 1 : 0);
      },
    });
    new client.Gauge({
      name: 'giaoban_documents',
      help: 'Report documents by conversion status (queued, converting, ready, failed)',
      labelNames: ['status'],
      registers: r,
      async collect() {
        const s = await scrape();
        this.reset();
        for (const status of ['queued', 'converting', 'ready', 'failed'] as const) {
          this.set({ status }, s.documents[status]);
        }
      },
    });
  }

  /** The exposition text (Prometheus format) and its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  async #scrape(): Promise<Scrape> {
    const ping = this.sources.redisPing;
    // Storage trouble must not hide the rest: a failed read reports the store down.
    const [stored, workers, redis] = await Promise.all([
      this.sources.meetings().then(
        (r) => ({ records: r, up: true }),
        () => ({ records: [] as MeetingRecord[], up: false }),
      ),
      this.sources.workers().catch(() => []),
      ping
        ? ping().then(
            (seconds) => seconds,
            () => 'down' as const,
          )
        : Promise.resolve('none' as const),
    ]);
    const records = stored.records;
    const pids = new Set(workers.filter((w) => !w.dead).map((w) => w.pid));
    const census = await this.sources.census.census(pids);
    const documents = { queued: 0, converting: 0, ready: 0, failed: 0 };
    for (const m of records) for (const d of m.slides.documents) documents[d.status]++;
    return {
      records,
      storeUp: stored.up,
      running: records.filter((m) => m.meeting.status === 'techCheck' || m.meeting.status === 'live'),
      workers,
      redis,
      census,
      documents,
    };
  }
}

interface Scrape {
  records: MeetingRecord[];
  storeUp: boolean;
  running: MeetingRecord[];
  workers: WorkerUsage[];
  redis: number | 'down' | 'none';
  census: Awaited<ReturnType<MediaCensus['census']>>;
  documents: Record<'queued' | 'converting' | 'ready' | 'failed', number>;
}
