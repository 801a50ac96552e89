/**
 * One measurement window over a running media session: CPU of the server's mediasoup workers
 * (getResourceUsage deltas) and Node process (/proc), of the simulated sites (this process) and of
 * the whole machine; packets in and out of the server (mediasoup stats); loss on the way in
 * (mediasoup's receive streams) and on the way out (sequence gaps seen by the sites).
 */
import type { SimulatedSite } from '../bots/SimulatedSite.js';
import type { MediaCounts } from '../servers/MediaCensus.js';
import type { ServerProcess } from '../servers/ServerProcess.js';
import { sleep } from '../util/log.js';
import { allProcesses, descendsFrom, systemCpu, type UdpCounters, udpCounters } from '../util/proc.js';

/** What one window measured. CPU in % of one core; 200% is the whole of a 2-core machine. */
export interface WindowMeasurement {
  seconds: number;
  cpu: {
    workerPct: number;
    /** Each worker of the pool (a meeting spread over workers shows on several). */
    perWorkerPct: number[];
    nodePct: number;
    /** The server's other child processes (the hub's private redis-server), all together. */
    helpersPct: number;
    /** The same by process name. */
    helpers: Record<string, number>;
    /** Workers + Node process + helpers: what the server costs. */
    serverPct: number;
    /** The simulated sites (this benchmark process). */
    botsPct: number;
    /** Every process on the machine. */
    machinePct: number;
    /**
     * Interrupt and soft-interrupt time of the kernel, not charged to any process: on a loopback
     * benchmark mostly delivering its own packets between sockets.
     */
    kernelIrqPct: number;
    /** Machine minus server, bots and interrupts: other people's work on a shared machine. */
    othersPct: number;
    /** The busiest processes outside the server and the benchmark, % of one core (top 3). */
    othersTop: Record<string, number>;
  };
  packets: {
    inPps: number;
    outPps: number;
    inMbps: number;
    outMbps: number;
    /** Packets the pipes between a meeting's routers carried (pipeToRouter), per second. */
    pipePps: number;
  };
  /**
   * What the simulated sites sent (packets/s, video and audio) and how many layers their cameras
   * were sending at the end (dynacast: index = layers, value = cameras).
   */
  sent: { videoPps: number; audioPps: number; layers: number[]; micsOn: number };
  loss: { upstreamPct: number; downstreamPct: number; downstreamLost: number; downstreamExpected: number };
  /** Worker CPU per packet sent to a viewer, and per packet handled (in + out), in µs. */
  usPerForwardedPacket: number;
  usPerPacket: number;
  memory: { nodePeakMb: number; workerPeakMb: number };
  media: MediaCounts;
  senderStalls: number;
  /** PLI/FIR the sites' senders received, and PLIs the sites sent on broken video. */
  keyFrameRequests: number;
  pliSent: number;
  /** Packets the sites' senders resent on the server's NACKs. */
  retransmitted: number;
  /**
   * Kernel UDP counters over the window. Inside the benchmark's own network namespace they count
   * only its traffic: rcvbufErrors are datagrams dropped at a full socket receive buffer (the
   * server's or a bot's), which is where loss on a loopback comes from.
   */
  udp: UdpCounters;
}

function receiveTotals(sites: readonly SimulatedSite[]): { packets: number; expected: number } {
  let packets = 0;
  let expected = 0;
  for (const s of sites) {
    const t = s.receiver.totals();
    packets += t.packets;
    expected += t.expected;
  }
  return { packets, expected };
}

function senderTotals(sites: readonly SimulatedSite[]): {
  stalls: number;
  keys: number;
  plis: number;
  rtx: number;
  video: number;
  audio: number;
} {
  let stalls = 0;
  let keys = 0;
  let plis = 0;
  let rtx = 0;
  let video = 0;
  let audio = 0;
  for (const s of sites) {
    video += s.sender?.stats.videoPackets ?? 0;
    audio += s.sender?.stats.audioPackets ?? 0;
    rtx += s.sender?.stats.retransmitted ?? 0;
    stalls += s.sender?.stats.stalls ?? 0;
    keys += s.sender?.stats.keyFrameRequests ?? 0;
    plis += s.receiver.pliSent;
  }
  return { stalls, keys, plis, rtx, video, audio };
}

const sumCpu = (u: { workers: { cpuMs: number }[] }): number => u.workers.reduce((a, w) => a + w.cpuMs, 0);

/** Measures `seconds` of steady state. Stats queries happen just outside the CPU window. */
export async function measureWindow(
  server: ServerProcess,
  sites: readonly SimulatedSite[],
  seconds: number,
): Promise<WindowMeasurement> {
  const pA = await server.call('packets');
  const rA = receiveTotals(sites);
  const sendA = senderTotals(sites);
  const uA = await server.call('usage');
  const nodeA = server.cpuMs();
  const procsA = allProcesses();
  const botsA = process.cpuUsage();
  const sysA = systemCpu();
  const udpA = udpCounters();
  const tA = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - tA) / 1000;
  const sysB = systemCpu();
  const udpB = udpCounters();
  const botsB = process.cpuUsage();
  const nodeB = server.cpuMs();
  const procsB = allProcesses();
  const uB = await server.call('usage');
  const sendB = senderTotals(sites);
  const rB = receiveTotals(sites);
  const pB = await server.call('packets');
  const media = await server.call('counts');

  const pct = (ms: number) => ms / wall / 10;
  const workerMs = sumCpu(uB) - sumCpu(uA);
  const perWorkerPct = uB.workers.map((w) =>
    pct(w.cpuMs - (uA.workers.find((a) => a.pid === w.pid)?.cpuMs ?? 0)),
  );
  const layers = [0, 0, 0, 0];
  let micsOn = 0;
  for (const site of sites) {
    if (!site.sender) continue;
    layers[site.sender.activeLayers] = (layers[site.sender.activeLayers] ?? 0) + 1;
    if (site.sender.audioOn) micsOn++;
  }
  const workerPids = new Set(uB.workers.map((w) => w.pid));
  const helpers: Record<string, number> = {};
  const others = new Map<string, number>();
  let helperMs = 0;
  for (const [pid, b] of procsB) {
    const ms = b.cpuMs - (procsA.get(pid)?.cpuMs ?? 0);
    if (pid === server.pid || workerPids.has(pid) || pid === process.pid) continue;
    if (descendsFrom(procsB, pid, server.pid)) {
      helperMs += ms;
      helpers[b.name] = (helpers[b.name] ?? 0) + ms / wall / 10;
    } else if (!descendsFrom(procsB, pid, process.pid) && ms > 0) {
      others.set(b.name, (others.get(b.name) ?? 0) + ms / wall / 10);
    }
  }
  const othersTop = Object.fromEntries([...others].sort((a, b) => b[1] - a[1]).slice(0, 3));
  const nodeMs = nodeB - nodeA;
  const botsMs = (botsB.user + botsB.system - botsA.user - botsA.system) / 1000;
  const machineMs = sysB.busyMs - sysA.busyMs;
  const pWall = (pB.at - pA.at) / 1000;
  const inPackets = pB.inPackets - pA.inPackets;
  const outPackets = pB.outPackets - pA.outPackets;
  const inLost = pB.inLost - pA.inLost;
  const received = rB.packets - rA.packets;
  const expected = rB.expected - rA.expected;
  return {
    seconds: wall,
    cpu: {
      workerPct: pct(workerMs),
      perWorkerPct,
      nodePct: pct(nodeMs),
      helpersPct: pct(helperMs),
      helpers,
      serverPct: pct(workerMs + nodeMs + helperMs),
      botsPct: pct(botsMs),
      machinePct: pct(machineMs),
      kernelIrqPct: pct(sysB.irqMs - sysA.irqMs),
      othersPct: Math.max(
        0,
        pct(machineMs - (sysB.irqMs - sysA.irqMs) - workerMs - nodeMs - helperMs - botsMs),
      ),
      othersTop,
    },
    packets: {
      inPps: inPackets / pWall,
      outPps: outPackets / pWall,
      inMbps: ((pB.inBytes - pA.inBytes) * 8) / pWall / 1e6,
      outMbps: ((pB.outBytes - pA.outBytes) * 8) / pWall / 1e6,
      pipePps: ((pB.pipePackets ?? 0) - (pA.pipePackets ?? 0)) / pWall,
    },
    sent: {
      videoPps: (sendB.video - sendA.video) / wall,
      audioPps: (sendB.audio - sendA.audio) / wall,
      layers,
      micsOn,
    },
    loss: {
      upstreamPct: inPackets + inLost > 0 ? (100 * inLost) / (inPackets + inLost) : 0,
      downstreamPct: expected > 0 ? (100 * Math.max(0, expected - received)) / expected : 0,
      downstreamLost: Math.max(0, expected - received),
      downstreamExpected: expected,
    },
    usPerForwardedPacket: outPackets > 0 ? (workerMs * 1000) / outPackets : Number.NaN,
    usPerPacket: inPackets + outPackets > 0 ? (workerMs * 1000) / (inPackets + outPackets) : Number.NaN,
    memory: {
      nodePeakMb: server.peakRssMb(),
      workerPeakMb: Math.max(0, ...uB.workers.map((w) => w.maxRssMb)),
    },
    media,
    senderStalls: sendB.stalls - sendA.stalls,
    keyFrameRequests: sendB.keys - sendA.keys,
    pliSent: sendB.plis - sendA.plis,
    retransmitted: sendB.rtx - sendA.rtx,
    udp: {
      inDatagrams: udpB.inDatagrams - udpA.inDatagrams,
      rcvbufErrors: udpB.rcvbufErrors - udpA.rcvbufErrors,
      sndbufErrors: udpB.sndbufErrors - udpA.sndbufErrors,
    },
  };
}
