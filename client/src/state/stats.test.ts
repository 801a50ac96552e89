import { describe, expect, it } from 'vitest';
import {
  type CounterMemory,
  combineQuality,
  qualityLevel,
  type StatsEntry,
  smoothQuality,
  summariseRecv,
  summariseSend,
} from './stats';

const inbound = (
  id: string,
  at: number,
  bytes: number,
  packets: number,
  lost: number,
  extra: Record<string, unknown> = {},
): StatsEntry => ({
  id,
  type: 'inbound-rtp',
  timestamp: at,
  kind: 'video',
  trackIdentifier: `track-${id}`,
  mid: id,
  bytesReceived: bytes,
  packetsReceived: packets,
  packetsLost: lost,
  ...extra,
});

describe('summariseRecv()', () => {
  it('reports bitrate and loss since the previous poll, per track and in total', () => {
    const memory: CounterMemory = new Map();
    summariseRecv([inbound('v', 0, 0, 0, 0)], memory, 0);
    const pair = {
      id: 'cp',
      type: 'candidate-pair',
      nominated: true,
      state: 'succeeded',
      currentRoundTripTime: 0.042,
    };
    const out = summariseRecv([inbound('v', 1000, 62_500, 98, 2), pair], memory, 1000);
    expect(out.byTrack['track-v']?.kbps).toBe(500);
    expect(out.byTrack['track-v']?.lossPct).toBeCloseTo(2);
    expect(out.byMid.v?.kbps).toBe(500);
    expect(out.recvKbps).toBe(500);
    expect(out.rttMs).toBe(42);
  });

  it('reads the audio level of audio tracks', () => {
    const memory: CounterMemory = new Map();
    const out = summariseRecv([inbound('a', 0, 0, 0, 0, { kind: 'audio', audioLevel: 0.3 })], memory, 0);
    expect(out.byTrack['track-a']?.audioLevel).toBe(0.3);
    expect(out.byTrack['track-a']?.kbps).toBe(0);
  });

  it('prefers the transport selected pair for RTT', () => {
    const entries: StatsEntry[] = [
      { id: 't', type: 'transport', selectedCandidatePairId: 'b' },
      { id: 'a', type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.5 },
      { id: 'b', type: 'candidate-pair', currentRoundTripTime: 0.01 },
    ];
    expect(summariseRecv(entries, new Map(), 0).rttMs).toBe(10);
  });
});

describe('summariseSend()', () => {
  it('sums outbound bitrate and takes loss and level from the remote report and media source', () => {
    const memory: CounterMemory = new Map();
    summariseSend([{ id: 'o', type: 'outbound-rtp', timestamp: 0, bytesSent: 0, packetsSent: 0 }], memory, 0);
    const out = summariseSend(
      [
        { id: 'o', type: 'outbound-rtp', timestamp: 2000, bytesSent: 250_000, packetsSent: 300 },
        { id: 'r', type: 'remote-inbound-rtp', fractionLost: 0.05, roundTripTime: 0.08 },
        { id: 'm', type: 'media-source', kind: 'audio', audioLevel: 0.2 },
      ],
      memory,
      2000,
    );
    expect(out.sendKbps).toBe(1000);
    expect(out.lossPct).toBeCloseTo(5);
    expect(out.rttMs).toBe(80);
    expect(out.micLevel).toBe(0.2);
  });
});

describe('smoothQuality()', () => {
  const q = (rttMs: number, lossPct: number) => ({
    rttMs,
    lossPct,
    sendKbps: 1,
    recvKbps: 2,
    level: qualityLevel(rttMs, lossPct),
  });
  it('takes the first sample as it is', () => {
    expect(smoothQuality(null, q(700, 0))).toEqual(q(700, 0));
  });
  it('does not turn poor on one slow report, but does when it lasts', () => {
    let s = smoothQuality(q(20, 0), q(900, 0));
    expect(s.level).toBe('fair');
    for (let i = 0; i < 5; i++) s = smoothQuality(s, q(900, 0));
    expect(s.level).toBe('poor');
  });
});

describe('quality', () => {
  it('grades loss and delay', () => {
    expect(qualityLevel(30, 0)).toBe('good');
    expect(qualityLevel(300, 0)).toBe('fair');
    expect(qualityLevel(30, 10)).toBe('poor');
  });
  it('combines both directions, worst of each', () => {
    const q = combineQuality(
      { byTrack: {}, byMid: {}, recvKbps: 900, lossPct: 1, rttMs: 20 },
      { sendKbps: 1500, lossPct: 3, rttMs: 40, micLevel: 0 },
    );
    expect(q).toEqual({ rttMs: 40, lossPct: 3, sendKbps: 1500, recvKbps: 900, level: 'fair' });
  });
});
