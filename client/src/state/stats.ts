import type { LinkQuality, TrackStats } from './meetingState';

/** One entry of an RTCStatsReport, as a plain record (so this module stays testable in node). */
export type StatsEntry = { id: string; type: string; timestamp?: number } & Record<string, unknown>;

/** Counters remembered from the previous poll, keyed by stats entry id. */
export type CounterMemory = Map<string, { bytes: number; packets: number; lost: number; at: number }>;

/** Receive-side summary: per track (by trackIdentifier and by mid) and for the whole transport. */
export interface RecvSummary {
  byTrack: Record<string, TrackStats>;
  byMid: Record<string, TrackStats>;
  recvKbps: number;
  lossPct: number;
  rttMs: number | null;
}

/** Send-side summary of this device. */
export interface SendSummary {
  sendKbps: number;
  lossPct: number;
  rttMs: number | null;
  micLevel: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Rate and loss since the previous poll of one RTP stream, remembering the new counters. */
function delta(memory: CounterMemory, id: string, bytes: number, packets: number, lost: number, at: number) {
  const prev = memory.get(id);
  memory.set(id, { bytes, packets, lost, at });
  if (!prev || at <= prev.at) return { kbps: 0, packets: 0, lost: 0 };
  const seconds = (at - prev.at) / 1000;
  return {
    kbps: Math.max(0, ((bytes - prev.bytes) * 8) / 1000 / seconds),
    packets: Math.max(0, packets - prev.packets),
    lost: Math.max(0, lost - prev.lost),
  };
}

const lossOf = (lost: number, received: number): number =>
  lost + received > 0 ? (100 * lost) / (lost + received) : 0;

/** RTT of the selected ICE candidate pair in ms, or null. */
export function selectedPairRttMs(entries: StatsEntry[]): number | null {
  const selectedId = entries
    .map((e) => (e.type === 'transport' ? str(e.selectedCandidatePairId) : null))
    .find(Boolean);
  const pair =
    entries.find((e) => e.type === 'candidate-pair' && e.id === selectedId) ??
    entries.find((e) => e.type === 'candidate-pair' && e.nominated === true && e.state === 'succeeded');
  const rtt = pair?.currentRoundTripTime;
  return typeof rtt === 'number' ? Math.round(rtt * 1000) : null;
}

/** Summarises a receive transport's stats since the previous poll (pure apart from `memory`). */
export function summariseRecv(entries: StatsEntry[], memory: CounterMemory, now: number): RecvSummary {
  const byTrack: Record<string, TrackStats> = {};
  const byMid: Record<string, TrackStats> = {};
  let kbps = 0;
  let lost = 0;
  let received = 0;
  for (const e of entries) {
    if (e.type !== 'inbound-rtp') continue;
    const d = delta(
      memory,
      e.id,
      num(e.bytesReceived),
      num(e.packetsReceived),
      num(e.packetsLost),
      e.timestamp ?? now,
    );
    kbps += d.kbps;
    lost += d.lost;
    received += d.packets;
    const stats: TrackStats = {
      kbps: Math.round(d.kbps),
      lossPct: lossOf(d.lost, d.packets),
      audioLevel: e.kind === 'audio' ? num(e.audioLevel) : null,
      frameWidth: e.kind === 'video' && typeof e.frameWidth === 'number' ? e.frameWidth : null,
    };
    const track = str(e.trackIdentifier);
    const mid = str(e.mid);
    if (track) byTrack[track] = stats;
    if (mid) byMid[mid] = stats;
  }
  return {
    byTrack,
    byMid,
    recvKbps: Math.round(kbps),
    lossPct: lossOf(lost, received),
    rttMs: selectedPairRttMs(entries),
  };
}

/** Summarises a send transport's stats since the previous poll (pure apart from `memory`). */
export function summariseSend(entries: StatsEntry[], memory: CounterMemory, now: number): SendSummary {
  let kbps = 0;
  let fractionLost = 0;
  let remoteRtt: number | null = null;
  let micLevel = 0;
  for (const e of entries) {
    if (e.type === 'outbound-rtp') {
      kbps += delta(memory, e.id, num(e.bytesSent), num(e.packetsSent), 0, e.timestamp ?? now).kbps;
    } else if (e.type === 'remote-inbound-rtp') {
      fractionLost = Math.max(fractionLost, num(e.fractionLost));
      if (typeof e.roundTripTime === 'number') remoteRtt = Math.max(remoteRtt ?? 0, e.roundTripTime * 1000);
    } else if (e.type === 'media-source' && e.kind === 'audio') {
      micLevel = Math.max(micLevel, num(e.audioLevel));
    }
  }
  const pairRtt = selectedPairRttMs(entries);
  return {
    sendKbps: Math.round(kbps),
    lossPct: fractionLost * 100,
    rttMs: pairRtt ?? (remoteRtt === null ? null : Math.round(remoteRtt)),
    micLevel,
  };
}

/** Grades a link for the quality indicator: loss hurts more than delay. */
export function qualityLevel(rttMs: number, lossPct: number): LinkQuality['level'] {
  if (lossPct >= 8 || rttMs >= 600) return 'poor';
  if (lossPct >= 2 || rttMs >= 250) return 'fair';
  return 'good';
}

/** Combines both directions into the report sent to the server and shown to the user. */
export function combineQuality(recv: RecvSummary | null, send: SendSummary | null): LinkQuality {
  const rttMs = Math.max(recv?.rttMs ?? 0, send?.rttMs ?? 0);
  const lossPct = Math.min(100, Math.max(recv?.lossPct ?? 0, send?.lossPct ?? 0));
  return {
    rttMs,
    lossPct: Math.round(lossPct * 10) / 10,
    sendKbps: send?.sendKbps ?? 0,
    recvKbps: recv?.recvKbps ?? 0,
    level: qualityLevel(rttMs, lossPct),
  };
}

/**
 * Smooths successive link samples (exponential moving average of delay and loss) so one slow
 * RTCP report does not flip the indicator, or the server's "poor network" flag, back and forth.
 */
export function smoothQuality(previous: LinkQuality | null, sample: LinkQuality, weight = 0.3): LinkQuality {
  if (!previous) return sample;
  const rttMs = Math.round(previous.rttMs + weight * (sample.rttMs - previous.rttMs));
  const lossPct = Math.round((previous.lossPct + weight * (sample.lossPct - previous.lossPct)) * 10) / 10;
  return { ...sample, rttMs, lossPct, level: qualityLevel(rttMs, lossPct) };
}
