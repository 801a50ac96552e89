/**
 * Publisher (issue 12, dynacast): one real Chromium page publishes its fake camera (the client's
 * three simulcast encodings, 1280×720 capture) and microphone as a bridge point of a hub meeting
 * whose chair (a bot) has the program and whose operator (a bot) shows every site in its grid.
 * Off stage the hub asks the page for the lowest encoding only and keeps its microphone closed; a
 * floor grant makes it the program (all three encodings, microphone open). Measured in each state:
 * the CPU of Chromium's processes, the page's encoder (frames and encode time per layer), and the
 * hub's ingest of the page's producers; and over several grants, the delay from the page being
 * told its microphone is open (`media:micState`) to the hub receiving its first audio packet.
 *
 * The page only publishes (no receive transport), so its CPU is the publishing side alone.
 */
import { readFileSync } from 'node:fs';
import { BenchBrowser, type PublishingPage } from '../browser/Chromium.js';
import type { EncodingStats } from '../browser/page.js';
import type { Clip } from '../media/Clip.js';
import type { ProducerPackets } from '../servers/MediaCensus.js';
import type { ServerProcess } from '../servers/ServerProcess.js';
import { log, nowMs, sleep } from '../util/log.js';
import { allProcesses, descendsFrom, systemCpu } from '../util/proc.js';
import { type Distribution, distribution } from '../util/stats.js';
import { MediaSession } from './MediaSession.js';

/** One state's window. CPU in % of one core. */
export interface PublisherWindow {
  state: 'off stage' | 'on stage' | 'off stage again';
  seconds: number;
  /** Layers the page was sending (after the hub's `media:publishLayers`) and its microphone. */
  spatialLayers: number;
  micOpen: boolean | null;
  chromiumPct: number;
  /** Chromium's processes by type (browser, renderer, gpu-process, utility…). */
  chromiumByType: Record<string, number>;
  /** The page's encoder per encoding: frames/s, encode ms per second, kbit/s, width. */
  encoder: { rid: string; fps: number; encodeMsPerS: number; kbps: number; width: number; limit: string }[];
  /** The hub's ingest of the page's producers, packets/s: camera per encoding, camera, mic. */
  ingest: { cameraPps: number; cameraByEncodingPps: number[]; cameraKbps: number; micPps: number };
  /** Everything else on the machine, % of one core, and the load average at the end. */
  othersPct: number;
  loadAverage: number[];
}

export interface PublisherResult {
  windows: PublisherWindow[];
  grants: number;
  /** `floor:grant` sent → the page told its microphone is open. */
  grantToMicState: Distribution;
  /** The page told its microphone is open → the hub's first audio packet from it. */
  micStateToHubAudio: Distribution;
  /** `floor:grant` sent → the hub's first audio packet. */
  grantToHubAudio: Distribution;
  /** `floor:grant` sent → the page running setMaxSpatialLayer(2) done. */
  grantToAllLayers: Distribution;
  errors: string[];
}

function chromiumType(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const m = /--type=([a-z-]+)/.exec(cmd);
    if (!m) return 'browser';
    const sub = /--utility-sub-type=([\w.]+)/.exec(cmd);
    return sub ? `utility ${sub[1]?.split('.').pop()}` : (m[1] as string);
  } catch {
    return 'gone';
  }
}

async function measure(
  state: PublisherWindow['state'],
  server: ServerProcess,
  pub: PublishingPage,
  seconds: number,
): Promise<PublisherWindow> {
  const ids = [pub.cameraProducerId, pub.micProducerId];
  const prodA = await server.call('producerPackets', 30_000, ids);
  const encA = await pub.encoderStats();
  const procsA = allProcesses();
  const sysA = systemCpu();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const sysB = systemCpu();
  const procsB = allProcesses();
  const encB = await pub.encoderStats();
  const prodB = await server.call('producerPackets', 30_000, ids);
  const page = await pub.state();
  const pct = (ms: number) => ms / wall / 10;

  let chromiumMs = 0;
  let ownMs = 0;
  const byType: Record<string, number> = {};
  for (const [pid, b] of procsB) {
    const ms = b.cpuMs - (procsA.get(pid)?.cpuMs ?? b.cpuMs);
    if (!descendsFrom(procsB, pid, process.pid)) continue;
    ownMs += ms;
    if (!b.name.includes('chrom')) continue;
    chromiumMs += ms;
    const type = chromiumType(pid);
    byType[type] = (byType[type] ?? 0) + pct(ms);
  }
  // Our own process tree (the benchmark, the hub and its workers, Chromium); the rest is others'.
  const othersMs = sysB.busyMs - sysA.busyMs - (sysB.irqMs - sysA.irqMs) - ownMs;

  const find = (list: ProducerPackets[], id: string) => list.find((p) => p.id === id);
  const camA = find(prodA, pub.cameraProducerId);
  const camB = find(prodB, pub.cameraProducerId);
  const micA = find(prodA, pub.micProducerId);
  const micB = find(prodB, pub.micProducerId);
  const byEncoding = (camB?.encodings ?? []).map((e) => {
    const before = camA?.encodings.find((x) => x.ssrc === e.ssrc)?.packets ?? 0;
    return { rid: e.rid ?? String(e.ssrc), pps: (e.packets - before) / wall };
  });
  byEncoding.sort((a, b) => a.rid.localeCompare(b.rid));
  const encoder = encB.map((e: EncodingStats) => {
    const a = encA.find((x) => x.rid === e.rid);
    return {
      rid: e.rid,
      fps: (e.framesEncoded - (a?.framesEncoded ?? 0)) / wall,
      encodeMsPerS: ((e.totalEncodeTime - (a?.totalEncodeTime ?? 0)) * 1000) / wall,
      kbps: ((e.bytesSent - (a?.bytesSent ?? 0)) * 8) / wall / 1000,
      width: e.frameWidth,
      limit: e.qualityLimitationReason,
    };
  });
  return {
    state,
    seconds: wall,
    spatialLayers: page.spatialLayers,
    micOpen: page.micOpen,
    chromiumPct: pct(chromiumMs),
    chromiumByType: byType,
    encoder,
    ingest: {
      cameraPps: ((camB?.packets ?? 0) - (camA?.packets ?? 0)) / wall,
      cameraByEncodingPps: byEncoding.map((e) => e.pps),
      cameraKbps: (((camB?.bytes ?? 0) - (camA?.bytes ?? 0)) * 8) / wall / 1000,
      micPps: ((micB?.packets ?? 0) - (micA?.packets ?? 0)) / wall,
    },
    othersPct: Math.max(0, pct(othersMs)),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
  };
}

/** Polls an asynchronous condition until it holds or `timeoutMs` passed. */
async function waitFor(
  predicate: () => Promise<boolean>,
  timeoutMs: number,
  stepMs: number,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

export interface PublisherOptions {
  seconds: number;
  grants: number;
  clip: Clip;
  logFile: string;
}

export async function runPublisher(o: PublisherOptions): Promise<PublisherResult> {
  log('runPublisher', 'starting', { grants: o.grants });
  const session = await MediaSession.open({ kind: 'hub', sites: 2, clip: o.clip, logFile: o.logFile });
  const browser = await BenchBrowser.launch();
  const errors: string[] = [];
  try {
    await session.startChair();
    const operator = await session.startOperator();
    const siteId = session.meeting.siteIds[0] as string;
    const pub = await browser.publish(session.server.url, session.meeting.sites.get(siteId) as string);
    const server = session.server;
    const offReady = await waitFor(
      async () => (await pub.state()).spatialLayers === 1 && (await pub.state()).micOpen === false,
      15_000,
      200,
    );
    if (!offReady) errors.push('the page was not asked for one layer with its microphone closed within 15 s');
    // Let the encoder settle (bitrate ramp-up, layers stopped).
    await sleep(5000);
    const windows: PublisherWindow[] = [await measure('off stage', server, pub, o.seconds)];
    log('runPublisher', 'off stage measured', { chromiumPct: windows[0]?.chromiumPct });

    const grantToMicState: number[] = [];
    const micToHub: number[] = [];
    const grantToHub: number[] = [];
    const grantToLayers: number[] = [];
    for (let i = 0; i < o.grants; i++) {
      const before = await pub.state();
      await server.call('watchFirstRtp', 30_000, pub.micProducerId);
      const t0 = nowMs();
      await operator.request('floor:grant', { siteId: siteId as never, seconds: 0 });
      let hubAt: number | null = null;
      const ok = await waitFor(
        async () => {
          hubAt ??= await server.call('firstRtp', 30_000, pub.micProducerId);
          const s = await pub.state();
          return hubAt !== null && s.micOpenedAt.length > before.micOpenedAt.length && s.spatialLayers === 3;
        },
        5000,
        20,
      );
      const s = await pub.state();
      const micAt = s.micOpenedAt[s.micOpenedAt.length - 1];
      if (!ok || hubAt === null || micAt === undefined) {
        errors.push(`grant ${i + 1}: no audio at the hub or no layers within 5 s`);
      } else {
        grantToMicState.push(micAt - t0);
        micToHub.push(hubAt - micAt);
        grantToHub.push(hubAt - t0);
        grantToLayers.push(s.layersAppliedAt - t0);
      }
      if (i === o.grants - 1) {
        await sleep(5000);
        windows.push(await measure('on stage', server, pub, o.seconds));
        log('runPublisher', 'on stage measured', { chromiumPct: windows[1]?.chromiumPct });
      } else {
        await sleep(1500);
      }
      await operator.request('floor:revoke', {}).catch(() => undefined);
      await waitFor(async () => (await pub.state()).micOpen === false, 5000, 50);
      await sleep(1000);
    }
    await sleep(4000);
    windows.push(await measure('off stage again', server, pub, o.seconds));
    await pub.page.close();
    return {
      windows,
      grants: o.grants,
      grantToMicState: distribution(grantToMicState),
      micStateToHubAudio: distribution(micToHub),
      grantToHubAudio: distribution(grantToHub),
      grantToAllLayers: distribution(grantToLayers),
      errors,
    };
  } finally {
    await browser.close().catch(() => undefined);
    await session.close();
  }
}
