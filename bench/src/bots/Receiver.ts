/**
 * The receiving half of a simulated site: per-stream packet counts and sequence-number gaps (for
 * loss), and the arrival of key frames and first packets that the join and floor scenarios time.
 */
import type { ConsumerInfo } from '@giaoban/shared';
import { isRtcp, pictureLossIndication, readVp8Mark, siteOfMark, startsVp8KeyFrame } from '../media/rtp.js';
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
  /** Video: extended sequence numbers still missing, with when they went missing (ms). */
  missing: Map<number, number>;
  /** Video: the key frame being received, from its first packet to its marker (extended seqs). */
  keyStart: number | null;
  keyEnd: number | null;
  /** When we last asked for a key frame on this stream (PLI), ms. */
  lastPliAt: number;
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

/**
 * A browser NACKs a gap and asks for a key frame (PLI) only when the retransmission does not come;
 * these bots do not NACK (the server's retransmission buffer is not exercised) but give a gap this
 * long to be filled (by the publisher's own retransmission upstream) before sending a PLI, at most
 * once per PLI_INTERVAL_MS per stream.
 */
const PLI_AFTER_MS = 200;
const PLI_INTERVAL_MS = 300;
/** A jump this large is a stream restart, not loss to repair. */
const MAX_TRACKED_GAP = 500;
/** Our RTCP sender SSRC (any value: mediasoup looks at the media SSRC). */
const RECEIVER_SSRC = 0x5eed;

export class SiteReceiver {
  /** Streams by SSRC; only SSRCs of announced consumers count (mediasoup's probes do not). */
  readonly streams = new Map<number, StreamStats>();
  readonly #consumers = new Map<number, ConsumerInfo>();
  /** Pending waits by `siteId/source`. */
  readonly #waiters = new Map<string, Waiter[]>();
  firstPacketAt: number | null = null;
  firstKeyFrameAt: number | null = null;
  rtcpPackets = 0;
  pliSent = 0;
  /** Sends RTCP back to the server (set once the receive track exists). */
  sendRtcp: ((packet: Buffer) => void) | null = null;
  #onFirstKeyFrame: (() => void) | null = null;

  /** Registers a consumer the server announced (its SSRC identifies its packets). */
  addConsumer(info: ConsumerInfo): void {
    const encodings = (info.rtpParameters as { encodings?: { ssrc?: number }[] }).encodings ?? [];
    const ssrc = encodings[0]?.ssrc;
    if (typeof ssrc === 'number') this.#consumers.set(ssrc, info);
  }

  /** Calls `fn` once, when the first complete key frame arrives. */
  onFirstKeyFrame(fn: () => void): void {
    if (this.firstKeyFrameAt !== null) fn();
    else this.#onFirstKeyFrame = fn;
  }

  /**
   * Resolves with the arrival time of the first complete key frame (or first packet) of another
   * site's camera (or microphone) after `since` — whether its consumer exists already or is
   * announced later (a hub that creates consumers on demand).
   */
  waitFor(siteId: string, source: 'camera' | 'mic', since: number, kind: 'key' | 'packet'): Promise<number> {
    const key = `${siteId}/${source}`;
    return new Promise((resolve) => {
      const list = this.#waiters.get(key) ?? [];
      list.push({ since, resolve, kind });
      this.#waiters.set(key, list);
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
    let ext = seq;
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
        missing: new Map(),
        keyStart: null,
        keyEnd: null,
        lastPliAt: 0,
        keyFrames: [],
      };
      this.streams.set(ssrc, s);
    } else {
      let delta = seq - (s.maxSeq & 0xffff);
      if (delta < -0x8000) delta += 0x10000;
      else if (delta > 0x8000) delta -= 0x10000;
      ext = s.maxSeq + delta;
      const video = s.consumer.kind === 'video';
      if (delta > 0) {
        if (video && delta > 1) {
          if (delta > MAX_TRACKED_GAP) s.missing.clear();
          else for (let m = s.maxSeq + 1; m < ext; m++) s.missing.set(m, now);
        }
        s.maxSeq = ext;
      } else if (video) {
        // A late packet (a retransmission) fills a gap; anything else late is a duplicate.
        if (!s.missing.delete(ext)) return;
      } else if (delta === 0) {
        return;
      }
    }
    s.packets++;
    s.bytes += p.length;
    this.firstPacketAt ??= now;
    let keyDone = false;
    if (s.consumer.kind === 'video') keyDone = this.#trackKeyFrame(ssrc, s, p, ext, now);
    // The hub's program stream carries whichever site is on stage: the sender's mark says which.
    const key = !this.#waiters.size
      ? ''
      : s.consumer.source === 'program'
        ? `${siteOfMark(readVp8Mark(p))}/camera`
        : `${s.consumer.siteId}/${s.consumer.source}`;
    const waiters = key ? this.#waiters.get(key) : undefined;
    if (waiters) {
      const left = waiters.filter((w) => {
        if (w.since > now || (w.kind === 'key' && !keyDone)) return true;
        w.resolve(now);
        return false;
      });
      if (left.length) this.#waiters.set(key, left);
      else this.#waiters.delete(key);
    }
  }

  /**
   * Follows key frames of a video stream; returns true when one has just become complete (its
   * first packet to its marker, nothing missing in between). Asks for a new one (PLI) when a gap
   * stays open too long.
   */
  #trackKeyFrame(ssrc: number, s: StreamStats, p: Buffer, ext: number, now: number): boolean {
    if (startsVp8KeyFrame(p)) {
      s.keyStart = ext;
      s.keyEnd = null;
    }
    if (s.keyStart !== null && ((p[1] as number) & 0x80) !== 0 && ext >= s.keyStart) s.keyEnd = ext;
    let done = false;
    if (s.keyStart !== null && s.keyEnd !== null) {
      let complete = true;
      for (const m of s.missing.keys()) {
        if (m >= s.keyStart && m <= s.keyEnd) {
          complete = false;
          break;
        }
      }
      if (complete) {
        done = true;
        s.keyStart = null;
        s.keyEnd = null;
        if (s.keyFrames.length < 64) s.keyFrames.push(now);
        if (this.firstKeyFrameAt === null) {
          this.firstKeyFrameAt = now;
          this.#onFirstKeyFrame?.();
          this.#onFirstKeyFrame = null;
        }
      }
    }
    const oldest = s.missing.values().next();
    if (!oldest.done && now - oldest.value > PLI_AFTER_MS) {
      // Given up: the picture stays broken until a key frame.
      s.missing.clear();
      s.keyStart = null;
      s.keyEnd = null;
      this.#requestKeyFrame(ssrc, s, now);
    }
    return done;
  }

  #requestKeyFrame(ssrc: number, s: StreamStats, now: number): void {
    if (!this.sendRtcp || now - s.lastPliAt < PLI_INTERVAL_MS) return;
    s.lastPliAt = now;
    this.pliSent++;
    try {
      this.sendRtcp(pictureLossIndication(RECEIVER_SSRC, ssrc));
    } catch {
      // track closed
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
