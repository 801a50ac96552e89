/**
 * Capacity: N bridge points and one chair in one meeting; every site receives the program (the
 * chair's camera at the top layer and its microphone), the operator's grid receives every site at
 * the lowest layer. After everyone has joined and the program reaches every site, one window
 * measures what the server costs. The same load runs against the hub and the bare harness.
 */
import type { Clip } from '../media/Clip.js';
import type { ServerKind } from '../servers/ServerProcess.js';
import { log, nowMs, sleep, waitFor } from '../util/log.js';
import { type JoinSummary, summarizeJoins } from './joins.js';
import { MediaSession } from './MediaSession.js';
import { measureWindow, type WindowMeasurement } from './measure.js';

/** Sites joining at once while a capacity session fills up (a trickle, not the join burst). */
const FILL_CONCURRENCY = 8;

export interface CapacityResult {
  server: ServerKind;
  sites: number;
  joined: number;
  failures: string[];
  /** Filling the meeting: seconds until every site had joined, and the join milestones. */
  fill: { seconds: number; concurrency: number; join: JoinSummary };
  /** Sites still without a program key frame when the window started. */
  sitesWithoutProgram: number;
  window: WindowMeasurement;
}

export interface CapacityOptions {
  kind: ServerKind;
  sites: number;
  seconds: number;
  warmupSeconds: number;
  clip: Clip;
  logFile: string;
  /** Runs in the same session after the window (the floor scenario at 64 sites). */
  after?: (session: MediaSession) => Promise<void>;
}

export async function runCapacity(o: CapacityOptions): Promise<CapacityResult> {
  log('runCapacity', 'starting', { server: o.kind, sites: o.sites });
  const session = await MediaSession.open({ kind: o.kind, sites: o.sites, clip: o.clip, logFile: o.logFile });
  try {
    await session.startChair();
    await session.startOperator();
    const t0 = nowMs();
    await session.joinSites(session.meeting.siteIds, FILL_CONCURRENCY);
    const fillSeconds = (nowMs() - t0) / 1000;
    await waitFor(() => session.sites.every((s) => s.receiver.firstKeyFrameAt !== null), 20_000, 100);
    const sitesWithoutProgram = session.sites.filter((s) => s.receiver.firstKeyFrameAt === null).length;
    log('runCapacity', 'meeting full', {
      server: o.kind,
      joined: session.sites.length,
      seconds: fillSeconds,
      withoutProgram: sitesWithoutProgram,
    });
    await sleep(o.warmupSeconds * 1000);
    const window = await measureWindow(session.server, session.everyone, o.seconds);
    log('runCapacity', 'window measured', {
      server: o.kind,
      sites: o.sites,
      workerPct: window.cpu.workerPct,
      nodePct: window.cpu.nodePct,
      outPps: Math.round(window.packets.outPps),
      lossPct: window.loss.downstreamPct,
    });
    const result: CapacityResult = {
      server: o.kind,
      sites: o.sites,
      joined: session.sites.length,
      failures: session.failures,
      fill: {
        seconds: fillSeconds,
        concurrency: FILL_CONCURRENCY,
        join: summarizeJoins(session.sites.map((s) => s.timings)),
      },
      sitesWithoutProgram,
      window,
    };
    if (o.after) await o.after(session);
    return result;
  } finally {
    await session.close();
  }
}
