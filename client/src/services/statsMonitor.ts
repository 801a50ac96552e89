import { meetingStore, patchMedia, type TrackStats } from '../state/meetingState';
import {
  type CounterMemory,
  combineQuality,
  type RecvSummary,
  type SendSummary,
  type StatsEntry,
  smoothQuality,
  summariseRecv,
  summariseSend,
} from '../state/stats';
import { logError } from './log';
import type { StatsSources } from './media';
import type { Request } from './request';

const POLL_MS = 1000;
/** The server wants a quality report about every five seconds. */
const REPORT_EVERY = 5;

const entriesOf = (report: RTCStatsReport): StatsEntry[] => [...report.values()] as StatsEntry[];

/**
 * Polls getStats once a second: per-tile bitrate, loss and audio level for the multiview, this
 * device's link quality for the indicator, and a `media:report` to the server every 5 s.
 */
export class StatsMonitor {
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticks = 0;
  private readonly recvMemory: CounterMemory = new Map();
  private readonly sendMemory: CounterMemory = new Map();

  constructor(
    private readonly sources: { statsSources(): StatsSources },
    private readonly request: Request,
  ) {}

  /** Starts polling (idempotent). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), POLL_MS);
  }

  /** Stops polling and forgets counters. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.recvMemory.clear();
    this.sendMemory.clear();
  }

  private async tick(): Promise<void> {
    const { recv, send, consumers } = this.sources.statsSources();
    const now = Date.now();
    let recvSummary: RecvSummary | null = null;
    let sendSummary: SendSummary | null = null;
    try {
      if (recv && !recv.closed)
        recvSummary = summariseRecv(entriesOf(await recv.getStats()), this.recvMemory, now);
      if (send && !send.closed)
        sendSummary = summariseSend(entriesOf(await send.getStats()), this.sendMemory, now);
    } catch (error) {
      logError('tick', 'getStats failed', error);
      return;
    }
    if (!recvSummary && !sendSummary) return;
    const trackStats: Record<string, TrackStats> = {};
    if (recvSummary) {
      for (const c of consumers) {
        const stats = recvSummary.byTrack[c.trackId] ?? (c.mid ? recvSummary.byMid[c.mid] : undefined);
        if (stats) trackStats[c.id] = stats;
      }
    }
    const quality = smoothQuality(meetingStore.get().quality, combineQuality(recvSummary, sendSummary));
    meetingStore.set((s) => ({ ...s, trackStats, quality }));
    if (sendSummary && Math.abs(sendSummary.micLevel - meetingStore.get().media.selfMicLevel) > 0.01) {
      patchMedia({ selfMicLevel: sendSummary.micLevel });
    }
    this.ticks++;
    if (this.ticks % REPORT_EVERY === 0) {
      const { level: _level, ...report } = quality;
      this.request('media:report', report).catch(() => {
        // best effort: the next report follows in a few seconds
      });
    }
  }
}
