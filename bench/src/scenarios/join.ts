/**
 * Join: with a meeting already running (chair, operator and `base` sites), a burst of simulated
 * sites joins at once — socket connected → joined → transports connected → first media packet →
 * first program key frame; then real Chromium pages join one at a time, as bridge points that
 * receive, until they decode the first frame of the program. Run against the hub and the bare
 * harness alike.
 */
import type { BenchBrowser } from '../browser/Chromium.js';
import type { PageJoinTimings } from '../browser/page.js';
import type { Clip } from '../media/Clip.js';
import type { ServerKind } from '../servers/ServerProcess.js';
import { errorText, log, nowMs, sleep, waitFor } from '../util/log.js';
import { type Distribution, distribution } from '../util/stats.js';
import { type JoinSummary, summarizeJoins } from './joins.js';
import { MediaSession } from './MediaSession.js';

export interface BrowserJoinResult {
  pages: PageJoinTimings[];
  joined: Distribution;
  transportConnected: Distribution;
  firstFrame: Distribution;
  errors: string[];
}

export interface JoinScenarioResult {
  server: ServerKind;
  baseSites: number;
  burst: number;
  /** Seconds until every site of the burst had joined and produced. */
  burstSeconds: number;
  burstJoin: JoinSummary;
  failures: string[];
  browser: BrowserJoinResult | null;
}

export interface JoinOptions {
  kind: ServerKind;
  base: number;
  burst: number;
  pages: number;
  clip: Clip;
  logFile: string;
  browser: BenchBrowser | null;
}

export async function runJoin(o: JoinOptions): Promise<JoinScenarioResult> {
  const pages = o.browser ? o.pages : 0;
  log('runJoin', 'starting', { server: o.kind, base: o.base, burst: o.burst, pages });
  const session = await MediaSession.open({
    kind: o.kind,
    sites: o.base + o.burst + pages,
    clip: o.clip,
    logFile: o.logFile,
  });
  try {
    await session.startChair();
    await session.startOperator();
    const ids = session.meeting.siteIds;
    await session.joinSites(ids.slice(0, o.base), 8);
    await sleep(1000);
    const t0 = nowMs();
    const burst = await session.joinSites(ids.slice(o.base, o.base + o.burst), o.burst);
    const burstSeconds = (nowMs() - t0) / 1000;
    await waitFor(() => burst.every((s) => s.receiver.firstKeyFrameAt !== null), 10_000, 50);
    const result: JoinScenarioResult = {
      server: o.kind,
      baseSites: o.base,
      burst: o.burst,
      burstSeconds,
      burstJoin: summarizeJoins(burst.map((s) => s.timings)),
      failures: session.failures,
      browser: null,
    };
    log('runJoin', 'burst joined', {
      server: o.kind,
      joined: burst.length,
      p50FirstPacket: result.burstJoin.firstPacket.p50,
      maxFirstPacket: result.burstJoin.firstPacket.max,
    });
    if (o.browser && pages > 0) {
      await sleep(1000);
      const timings: PageJoinTimings[] = [];
      const errors: string[] = [];
      for (const siteId of ids.slice(o.base + o.burst)) {
        try {
          const t = await o.browser.join(
            session.server.url,
            session.meeting.sites.get(siteId) as string,
            session.meeting.hostSiteId,
          );
          timings.push(t);
          log('runJoin', 'page joined', { server: o.kind, firstFrameMs: t.firstFrame, width: t.frameWidth });
        } catch (e) {
          errors.push(errorText(e));
          log('runJoin', 'page failed', { error: errorText(e) });
        }
        await sleep(500);
      }
      result.browser = {
        pages: timings,
        joined: distribution(timings.map((t) => t.joined)),
        transportConnected: distribution(timings.map((t) => t.transportConnected)),
        firstFrame: distribution(timings.map((t) => t.firstFrame)),
        errors,
      };
    }
    return result;
  } finally {
    await session.close();
  }
}
