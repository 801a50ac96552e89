import { readH264 } from './H264Packets.js';
import {
  PICTURE_ID_MOD,
  type RtpView,
  readRtp,
  readVp8,
  SEQ_MOD,
  senderReport,
  seqDelta,
  TL0_MOD,
  TS_MOD,
  writePictureId,
} from './RtpPackets.js';

/** Where one program layer's numbering starts. */
export interface LayerStart {
  ssrc: number;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  pictureId: number;
  tl0PicIdx: number;
  /** RTP clock rate (90 kHz for video). */
  clockRate: number;
  /**
   * The codec of the layer and of every source (default VP8). H.264 has no picture ids to rewrite;
   * a source takes over at a packet that starts an access unit with an SPS or an IDR slice.
   */
  codec?: ProgramCodec;
}

/** Video codecs a program layer can carry without transcoding. */
export type ProgramCodec = 'vp8' | 'h264';

/** What `rewrite()` did with a packet. */
export type RewriteOutcome = 'forwarded' | 'switched' | 'dropped';

/** Numbers added (modulo their width) to a source's fields to continue the program's. */
interface Offsets {
  seq: number;
  ts: number;
  pictureId: number;
  tl0: number;
}

const mod = (n: number, m: number): number => ((n % m) + m) % m;

/**
 * One layer of the program stream: a single SSRC whose sequence numbers, timestamps and VP8
 * picture ids / TL0PICIDX run on without a break while its source changes underneath.
 *
 * Packets of the current source are rewritten (offsets added) and forwarded; a newly chosen source
 * (`switchTo`) takes over at the first packet of its next key frame — from then on the old source's
 * packets are dropped. At that packet the offsets are chosen so that the program continues at
 * last+1 (sequence number, picture id, TL0PICIDX) and at last + elapsed wall time (timestamp), so
 * a receiver sees one stream that had a key frame. Deterministic: the caller passes the time.
 *
 * H.264 (`codec: 'h264'`, packetization-mode 1): a source's key frame starts at the packet that
 * carries its sequence parameter set (a single NAL unit, inside a STAP-A, or the first fragment of
 * an FU-A), as libwebrtc and x264 send it before every IDR, or — for an encoder that sends its
 * parameter sets once — at an IDR slice that opens an access unit (a new timestamp, or the packet
 * after a marker). Sequence numbers and timestamps are rewritten as for VP8; there are no picture
 * ids. The receiver's decoder gets the new source's SPS/PPS with its IDR, so a change of resolution
 * between sources decodes.
 */
export class LayerRewriter {
  readonly ssrc: number;
  readonly #payloadType: number;
  readonly #ticksPerMs: number;
  readonly #codec: ProgramCodec;
  /** H.264: each fed source's newest packet (timestamp, marker), to see where access units start. */
  readonly #lastOf = new Map<string, { ts: number; marker: boolean }>();
  #current: string | null = null;
  #pending: string | null = null;
  #offsets: Offsets = { seq: 0, ts: 0, pictureId: 0, tl0: 0 };
  #lastSeq: number;
  #lastTs: number;
  #lastWallMs: number | null = null;
  #lastPictureId: number;
  #lastTl0: number;
  /** Packets and payload octets sent (for Sender Reports). */
  packets = 0;
  octets = 0;

  constructor(start: LayerStart) {
    this.ssrc = start.ssrc >>> 0;
    this.#payloadType = start.payloadType;
    this.#ticksPerMs = start.clockRate / 1000;
    this.#codec = start.codec ?? 'vp8';
    // "The packet before the first": the first packet continues from these.
    this.#lastSeq = mod(start.sequenceNumber - 1, SEQ_MOD);
    this.#lastTs = mod(start.timestamp - 1, TS_MOD);
    this.#lastPictureId = mod(start.pictureId - 1, PICTURE_ID_MOD);
    this.#lastTl0 = mod(start.tl0PicIdx - 1, TL0_MOD);
  }

  /** The source whose packets are forwarded now. */
  get current(): string | null {
    return this.#current;
  }

  /** The source waiting for its key frame to take over. */
  get pending(): string | null {
    return this.#pending;
  }

  /** Sequence number of the newest packet sent. */
  get lastSequenceNumber(): number {
    return this.#lastSeq;
  }

  /**
   * Chooses the next source; it takes over at its next key frame. Choosing the current source
   * cancels a pending switch; null stops the layer at once (nothing is forwarded).
   */
  switchTo(source: string | null): void {
    if (source === null) {
      this.#current = null;
      this.#pending = null;
    } else {
      this.#pending = source === this.#current ? null : source;
    }
    for (const id of this.#lastOf.keys())
      if (id !== this.#current && id !== this.#pending) this.#lastOf.delete(id);
  }

  /** The codec this layer carries. */
  get codec(): ProgramCodec {
    return this.#codec;
  }

  /**
   * Rewrites one RTP packet of `source` in place (SSRC, payload type, sequence number, timestamp,
   * VP8 picture id and TL0PICIDX) when it belongs on the program; says what happened.
   */
  rewrite(packet: Buffer, source: string, nowMs: number): RewriteOutcome {
    const rtp = readRtp(packet);
    if (!rtp) return 'dropped';
    const vp8 = this.#codec === 'vp8' ? readVp8(packet, rtp) : null;
    const keyFrameStart =
      this.#codec === 'vp8' ? (vp8?.keyFrameStart ?? false) : this.#h264KeyFrameStart(packet, rtp, source);
    let outcome: RewriteOutcome = 'forwarded';
    if (source === this.#pending && keyFrameStart) {
      this.#offsets = this.#continueFrom(
        rtp.sequenceNumber,
        rtp.timestamp,
        vp8?.pictureId ?? 0,
        vp8?.tl0PicIdx ?? -1,
        nowMs,
      );
      this.#current = source;
      this.#pending = null;
      outcome = 'switched';
    } else if (source !== this.#current) {
      return 'dropped';
    }
    const o = this.#offsets;
    const seq = (rtp.sequenceNumber + o.seq) % SEQ_MOD;
    const ts = (rtp.timestamp + o.ts) % TS_MOD;
    packet[1] = (rtp.marker ? 0x80 : 0) | this.#payloadType;
    packet.writeUInt16BE(seq, 2);
    packet.writeUInt32BE(ts, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    let pictureId = -1;
    let tl0 = -1;
    if (vp8 && vp8.pictureIdBits !== 0) {
      pictureId = (vp8.pictureId + o.pictureId) % PICTURE_ID_MOD;
      writePictureId(packet, vp8, pictureId);
    }
    if (vp8 && vp8.tl0PicIdx >= 0) {
      tl0 = (vp8.tl0PicIdx + o.tl0) % TL0_MOD;
      packet[vp8.tl0PicIdxOffset] = tl0;
    }
    if (outcome === 'switched' || seqDelta(seq, this.#lastSeq) > 0) {
      this.#lastSeq = seq;
      this.#lastTs = ts;
      this.#lastWallMs = nowMs;
      if (pictureId >= 0) this.#lastPictureId = pictureId;
      if (tl0 >= 0) this.#lastTl0 = tl0;
    }
    this.packets++;
    this.octets += rtp.payloadLength;
    return outcome;
  }

  /** A Sender Report for this layer at `nowMs`, or null before anything was sent. */
  senderReport(nowMs: number): Buffer | null {
    if (this.#lastWallMs === null) return null;
    const ts = mod(this.#lastTs + Math.round((nowMs - this.#lastWallMs) * this.#ticksPerMs), TS_MOD);
    return senderReport(this.ssrc, nowMs, ts, this.packets, this.octets);
  }

  /**
   * H.264: whether this packet of `source` may open the program on it — it carries an SPS, or the
   * start of an IDR slice as the first packet of its access unit. Only the sources this layer is
   * fed (current and pending) are followed.
   */
  #h264KeyFrameStart(packet: Buffer, rtp: RtpView, source: string): boolean {
    if (source !== this.#current && source !== this.#pending) return false;
    const prev = this.#lastOf.get(source);
    this.#lastOf.set(source, { ts: rtp.timestamp, marker: rtp.marker });
    if (source !== this.#pending) return false;
    const h264 = readH264(packet, rtp);
    if (!h264) return false;
    if (h264.sps) return true;
    return h264.idr && prev !== undefined && (prev.ts !== rtp.timestamp || prev.marker);
  }

  /** Offsets that make this source packet the one right after the last one sent. */
  #continueFrom(seq: number, ts: number, pictureId: number, tl0: number, nowMs: number): Offsets {
    const elapsed =
      this.#lastWallMs === null ? 1 : Math.max(1, Math.round((nowMs - this.#lastWallMs) * this.#ticksPerMs));
    return {
      seq: mod(this.#lastSeq + 1 - seq, SEQ_MOD),
      ts: mod(this.#lastTs + elapsed - ts, TS_MOD),
      pictureId: mod(this.#lastPictureId + 1 - pictureId, PICTURE_ID_MOD),
      tl0: tl0 >= 0 ? mod(this.#lastTl0 + 1 - tl0, TL0_MOD) : 0,
    };
  }
}
