/**
 * `npm run bench` (infra/bench.sh runs this): starts the hub (and the bare mediasoup harness for
 * the baseline) as child processes, runs the scenarios, prints a table and writes
 * <out>/<timestamp>/result.json, report.md, its SVG figures and the servers' logs.
 * Every wait is bounded, and a watchdog ends a run that overstays its budget.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchBrowser } from './browser/Chromium.js';
import { type Clip, DEFAULT_CLIP, loadClip } from './media/Clip.js';
import { type Options, parseOptions } from './options.js';
import { writeReport } from './report/markdown.js';
import { summaryTables } from './report/table.js';
import type { BenchResult } from './result.js';
import { type CapacityResult, runCapacity } from './scenarios/capacity.js';
import { runFanout } from './scenarios/fanout.js';
import { type FloorResult, runFloor } from './scenarios/floor.js';
import { runJoin } from './scenarios/join.js';
import { runLinked } from './scenarios/linked.js';
import { setHubOverrides } from './scenarios/MediaSession.js';
import { runPublisher } from './scenarios/publisher.js';
import { errorText, log } from './util/log.js';
import { machineInfo } from './util/proc.js';

function gitInfo(): BenchResult['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' });
    return { commit, uncommittedFiles: status.split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown', uncommittedFiles: 0 };
  }
}

function clipFigures(clip: Clip): Omit<BenchResult['bots'], 'nice'> {
  const s = clip.spec.seconds;
  return {
    technique:
      "node-datachannel 0.33.4 (libdatachannel) WebRTC peers — real ICE, DTLS and SRTP against the hub's WebRtcTransports over the normal socket.io protocol — replaying pre-encoded RTP",
    clip: clip.spec,
    layers: clip.layers.map((l) => ({
      width: l.spec.width,
      height: l.spec.height,
      kbps: (l.frames.reduce((a, f) => a + f.bytes, 0) * 8) / s / 1000,
      pps: l.frames.reduce((a, f) => a + f.packets.length, 0) / s,
      keyFrames: l.keyFrames.length,
    })),
    audio: {
      pps: clip.audio.length / s,
      kbps: (clip.audio.reduce((a, p) => a + p.buf.length - 12, 0) * 8) / s / 1000,
    },
  };
}

/** Whether only loopback is visible (a network namespace with `lo` alone). */
function loopbackOnly(): boolean {
  return Object.values(os.networkInterfaces())
    .flat()
    .every((a) => a?.internal !== false);
}

/**
 * Nice value of the simulated sites. On a real deployment the 64 sites are 64 other machines; here
 * they share the server's two cores, so they run at a lower priority to disturb the server as
 * little as possible (servers are set back to 0 when started; that needs root, as in bench.sh).
 */
const BOT_NICE = 10;

function lowerOwnPriority(): number {
  try {
    os.setPriority(0, BOT_NICE);
    return os.getPriority(0);
  } catch {
    return os.getPriority(0);
  }
}

async function main(): Promise<void> {
  const botNice = lowerOwnPriority();
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${errorText(e)}\n`);
    process.exit(2);
  }
  setHubOverrides(options.hubEnv);
  const started = new Date();
  const stamp = started
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const dir = path.resolve(options.out, stamp);
  const logs = path.join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const has = (s: string) => options.scenarios.includes(s as never);
  // Everything is bounded; this catches what was not foreseen.
  const budgetMs = (options.quick ? 6 : 40) * 60_000 + options.sites.reduce((a, n) => a + n * 4000, 0);
  const watchdog = setTimeout(() => {
    log('main', 'run exceeded its time budget, stopping', { minutes: budgetMs / 60_000 });
    process.exit(3);
  }, budgetMs);
  watchdog.unref();

  log('main', 'benchmark starting', {
    dir,
    scenarios: options.scenarios.join(','),
    sites: options.sites.join(','),
  });
  const machine = machineInfo();
  const errors: string[] = [];
  if (!loopbackOnly()) {
    errors.push(
      'not run inside a loopback-only network namespace (infra/bench.sh does that as root); every socket was still bound to 127.0.0.1',
    );
  }
  const clip = await loadClip(path.resolve(options.out, 'cache'), DEFAULT_CLIP);
  const result: BenchResult = {
    version: 1,
    startedAt: started.toISOString(),
    finishedAt: '',
    seconds: 0,
    machine,
    loadAtStart: machine.loadAverage,
    loadAtEnd: [],
    git: gitInfo(),
    options,
    bots: { ...clipFigures(clip), nice: botNice },
    capacity: [],
    baseline: [],
    floor: null,
    join: [],
    fanout: null,
    publisher: null,
    linked: null,
    errors,
  };
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (e) {
      errors.push(`${what}: ${errorText(e)}`);
      log('main', `${what} failed`, { error: errorText(e) });
      return null;
    }
  };
  const floorAfter = async (
    session: Parameters<NonNullable<Parameters<typeof runCapacity>[0]['after']>>[0],
  ) => {
    result.floor = await attempt<FloorResult>('floor', () => runFloor(session, options.floorChanges));
  };

  for (const n of options.sites) {
    if (has('capacity')) {
      const withFloor = has('floor') && n === options.floorSites;
      const r = await attempt<CapacityResult>(`capacity hub ${n}`, () =>
        runCapacity({
          kind: 'hub',
          sites: n,
          seconds: options.duration,
          warmupSeconds: options.warmup,
          clip,
          logFile: path.join(logs, `hub-capacity-${n}.log`),
          ...(withFloor ? { after: floorAfter } : {}),
        }),
      );
      if (r) result.capacity.push(r);
    }
    if (has('baseline')) {
      const r = await attempt<CapacityResult>(`capacity bare ${n}`, () =>
        runCapacity({
          kind: 'bare',
          sites: n,
          seconds: options.duration,
          warmupSeconds: options.warmup,
          clip,
          logFile: path.join(logs, `bare-capacity-${n}.log`),
        }),
      );
      if (r) result.baseline.push(r);
    }
  }
  if (has('floor') && result.floor === null && !errors.some((e) => e.startsWith('floor'))) {
    // The floor scenario needs its own meeting: no capacity run had that many sites.
    await attempt('floor session', () =>
      runCapacity({
        kind: 'hub',
        sites: options.floorSites,
        seconds: 2,
        warmupSeconds: options.warmup,
        clip,
        logFile: path.join(logs, `hub-floor-${options.floorSites}.log`),
        after: floorAfter,
      }),
    );
  }
  if (has('join')) {
    const browser =
      options.pages > 0 ? await attempt('launching Chromium', () => BenchBrowser.launch()) : null;
    for (const kind of ['hub', 'bare'] as const) {
      const r = await attempt(`join ${kind}`, () =>
        runJoin({
          kind,
          base: options.joinBase,
          burst: options.joinBurst,
          pages: options.pages,
          clip,
          logFile: path.join(logs, `${kind}-join.log`),
          browser,
        }),
      );
      if (r) result.join.push(r);
    }
    await browser?.close().catch(() => undefined);
  }
  if (has('fanout')) {
    result.fanout = await attempt('fanout', () =>
      runFanout({
        observers: options.observers,
        changes: options.fanoutChanges,
        logFile: path.join(logs, 'hub-fanout.log'),
      }),
    );
  }

  if (has('publisher')) {
    result.publisher = await attempt('publisher', () =>
      runPublisher({
        seconds: options.duration,
        grants: options.publisherGrants,
        clip,
        logFile: path.join(logs, 'hub-publisher.log'),
      }),
    );
    for (const e of result.publisher?.errors ?? []) errors.push(`publisher: ${e}`);
  }

  if (has('linked')) {
    result.linked = await attempt('linked', () =>
      runLinked({
        provinces: options.provinces,
        duration: options.duration,
        floorChanges: options.floorChanges,
      }),
    );
    if (result.linked) process.stdout.write(`\nlinked meetings: ${JSON.stringify(result.linked, null, 2)}\n`);
  }

  const finished = new Date();
  result.finishedAt = finished.toISOString();
  result.seconds = (finished.getTime() - started.getTime()) / 1000;
  result.loadAtEnd = machineInfo().loadAverage;
  writeFileSync(path.join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeReport(result, dir);
  process.stdout.write(
    `\n${summaryTables(result)}\n\nResults: ${path.relative(process.cwd(), dir)}/{result.json,report.md}\n`,
  );
  clearTimeout(watchdog);
  // node-datachannel and socket.io keep handles; everything is closed, so leave now.
  process.exit(
    errors.length &&
      !result.capacity.length &&
      !result.join.length &&
      !result.fanout &&
      !result.publisher &&
      !result.linked
      ? 1
      : 0,
  );
}

void main();
