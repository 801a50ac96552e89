/**
 * The receiving half of a simulated site: per-stream packet counts and sequence-number gaps (for
 * loss), and the arrival of key frames and first packets that the join and floor scenarios time.
 */
import type { ConsumerInfo } from '@giaoban/shared';
import { isRtcp, startsVp8KeyFrame } from '../media/rtp.js';
import { nowMs } from '../util/log.js';

/** One received stream (one consumer). */
export interface StreamStats {
  consumer: ConsumerInfo;
  packets: number;
  bytes: number;
  /** Extended (wrap-counted) highest and first sequence numbers; expected = max - first + 1. */
  firstSeq: number;
  maxSeq: number;
  firstAt: number;
  /** A key frame has started and not yet ended (its marker packet). */
  inKeyFrame: boolean;
  /** Completed key frames: arrival times of their last packet (bounded). */
  keyFrames: number[];
}

/** Received/expected packet totals at one instant, for loss over a window. */
export interface ReceiveTotals {
  packets: number;
  expected: number;
  bytes: number;
}

type Waiter = { since: number; resolve: (at: number) => void; kind: 'key' | 'packet' };

export class SiteReceiver {
  /** Streams by SSRC; only SSRCs of announced consumers count (mediasoup's probes do not). */
  readonly streams = new Map<number, StreamStats>();
  readonly #consumers = new Map<number, ConsumerInfo>();
  readonly #waiters = new Map<number, Waiter[]>();
  firstPacketAt: number | null = null;
  firstKeyFrameAt: number | null = null;
  rtcpPackets = 0;
  #onFirstKeyFrame: (() => void) | null = null;

  /** Registers a consumer the server announced (its SSRC identifies its packets). */
  addConsumer(info: ConsumerInfo): void {
    const encodings = (info.rtpParameters as { encodings?: { ssrc?: number }[] }).encodings ?? [];
    const ssrc = encodings[0]?.ssrc;
    if (typeof ssrc === 'number') this.#consumers.set(ssrc, info);
  }

  /** The SSRC of this site's consumer of another site's camera or microphone. */
  ssrcOf(siteId: string, source: 'camera' | 'mic'): number | undefined {
    for (const [ssrc, c] of this.#consumers) if (c.siteId === siteId && c.source === source) return ssrc;
    return undefined;
  }

  /** Calls `fn` once, when the first complete key frame arrives. */
  onFirstKeyFrame(fn: () => void): void {
    if (this.firstKeyFrameAt !== null) fn();
    else this.#onFirstKeyFrame = fn;
  }

  /** Resolves with the arrival time of the first complete key frame (or packet) on `ssrc` after `since`. */
  waitFor(ssrc: number, since: number, kind: 'key' | 'packet'): Promise<number> {
    return new Promise((resolve) => {
      const list = this.#waiters.get(ssrc) ?? [];
      list.push({ since, resolve, kind });
      this.#waiters.set(ssrc, list);
    });
  }

  /** Drops pending waits (a floor change that timed out). */
  clearWaiters(): void {
    this.#waiters.clear();
  }

  /** Handles one packet from the receive track. */
  onPacket(p: Buffer): void {
    if (isRtcp(p)) {
      this.rtcpPackets++;
      return;
    }
    if (p.length < 12) return;
    const ssrc = p.readUInt32BE(8);
    let s = this.streams.get(ssrc);
    const seq = p.readUInt16BE(2);
    const now = nowMs();
    if (!s) {
      const consumer = this.#consumers.get(ssrc);
      if (!consumer) return;
      s = {
        consumer,
        packets: 0,
        bytes: 0,
        firstSeq: seq,
        maxSeq: seq,
        firstAt: now,
        inKeyFrame: false,
        keyFrames: [],
      };
      this.streams.set(ssrc, s);
    } else {
      let delta = seq - (s.maxSeq & 0xffff);
      if (delta < -0x8000) delta += 0x10000;
      else if (delta > 0x8000) delta -= 0x10000;
      if (delta > 0) s.maxSeq += delta;
    }
    s.packets++;
    s.bytes += p.length;
    this.firstPacketAt ??= now;
    let keyDone = false;
    if (s.consumer.kind === 'video') {
      if (startsVp8KeyFrame(p)) s.inKeyFrame = true;
      if (s.inKeyFrame && ((p[1] as number) & 0x80) !== 0) {
        s.inKeyFrame = false;
        keyDone = true;
        if (s.keyFrames.length < 64) s.keyFrames.push(now);
        if (this.firstKeyFrameAt === null) {
          this.firstKeyFrameAt = now;
          this.#onFirstKeyFrame?.();
          this.#onFirstKeyFrame = null;
        }
      }
    }
    const waiters = this.#waiters.get(ssrc);
    if (waiters) {
      const left = waiters.filter((w) => {
        if (w.since > now || (w.kind === 'key' && !keyDone)) return true;
        w.resolve(now);
        return false;
      });
      if (left.length) this.#waiters.set(ssrc, left);
      else this.#waiters.delete(ssrc);
    }
  }

  /** Totals over every stream so far. */
  totals(): ReceiveTotals {
    let packets = 0;
    let expected = 0;
    let bytes = 0;
    for (const s of this.streams.values()) {
      packets += s.packets;
      expected += s.maxSeq - s.firstSeq + 1;
      bytes += s.bytes;
    }
    return { packets, expected, bytes };
  }
}
