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
import { systemCpu, type UdpCounters, udpCounters } from '../util/proc.js';

/** What one window measured. CPU in % of one core; 200% is the whole of a 2-core machine. */
export interface WindowMeasurement {
  seconds: number;
  cpu: {
    workerPct: number;
    nodePct: number;
    /** Workers + Node process: what the server costs. */
    serverPct: number;
    /** The simulated sites (this benchmark process). */
    botsPct: number;
    /** Every process on the machine. */
    machinePct: number;
    /** Machine minus server minus bots: other people's work on a shared machine. */
    othersPct: number;
  };
  packets: { inPps: number; outPps: number; inMbps: number; outMbps: number };
  loss: { upstreamPct: number; downstreamPct: number; downstreamLost: number; downstreamExpected: number };
  /** Worker CPU per packet sent to a viewer, and per packet handled (in + out), in µs. */
  usPerForwardedPacket: number;
  usPerPacket: number;
  memory: { nodePeakMb: number; workerPeakMb: number };
  media: MediaCounts;
  senderStalls: number;
  keyFrameRequests: number;
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

function senderTotals(sites: readonly SimulatedSite[]): { stalls: number; keys: number } {
  let stalls = 0;
  let keys = 0;
  for (const s of sites) {
    stalls += s.sender?.stats.stalls ?? 0;
    keys += s.sender?.stats.keyFrameRequests ?? 0;
  }
  return { stalls, keys };
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
  const uB = await server.call('usage');
  const sendB = senderTotals(sites);
  const rB = receiveTotals(sites);
  const pB = await server.call('packets');
  const media = await server.call('counts');

  const pct = (ms: number) => ms / wall / 10;
  const workerMs = sumCpu(uB) - sumCpu(uA);
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
      nodePct: pct(nodeMs),
      serverPct: pct(workerMs + nodeMs),
      botsPct: pct(botsMs),
      machinePct: pct(machineMs),
      othersPct: Math.max(0, pct(machineMs - workerMs - nodeMs - botsMs)),
    },
    packets: {
      inPps: inPackets / pWall,
      outPps: outPackets / pWall,
      inMbps: ((pB.inBytes - pA.inBytes) * 8) / pWall / 1e6,
      outMbps: ((pB.outBytes - pA.outBytes) * 8) / pWall / 1e6,
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
    udp: {
      inDatagrams: udpB.inDatagrams - udpA.inDatagrams,
      rcvbufErrors: udpB.rcvbufErrors - udpA.rcvbufErrors,
      sndbufErrors: udpB.sndbufErrors - udpA.sndbufErrors,
    },
  };
}
