/**
 * The few RTP, VP8 (RFC 7741) and RTCP (RFC 3550, RFC 4585, RFC 5104) fields the program switcher
 * reads and rewrites. Pure functions over Buffers; nothing here knows mediasoup.
 */

/** Where the fields of one RTP packet sit, and their values. */
export interface RtpView {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Offset of the payload (after CSRCs and the header extension). */
  payloadOffset: number;
  /** Payload length without padding. */
  payloadLength: number;
}

/** The VP8 payload descriptor fields the switcher rewrites, with their byte offsets in the packet. */
export interface Vp8View {
  /** First packet of a frame (S=1, partition 0). */
  frameStart: boolean;
  /** First packet of a key frame: a switch may start here. */
  keyFrameStart: boolean;
  /** Picture id, its width (7 or 15 bits, 0 = absent) and its offset. */
  pictureId: number;
  pictureIdBits: 0 | 7 | 15;
  pictureIdOffset: number;
  /** TL0PICIDX, or -1 when absent, and its offset. */
  tl0PicIdx: number;
  tl0PicIdxOffset: number;
}

export const SEQ_MOD = 0x10000;
export const TS_MOD = 0x1_0000_0000;
export const PICTURE_ID_MOD = 0x8000;
export const TL0_MOD = 0x100;

/** (a - b) modulo 2^16 seen as a signed distance: > 0 when a is newer than b. */
export function seqDelta(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - SEQ_MOD : d;
}

/** Reads an RTP packet's header; null if it is not one. */
export function readRtp(packet: Buffer): RtpView | null {
  if (packet.length < 12 || (packet[0] ?? 0) >> 6 !== 2) return null;
  const b0 = packet[0] ?? 0;
  const csrcs = b0 & 0x0f;
  let offset = 12 + csrcs * 4;
  if (b0 & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (b0 & 0x20) end -= packet[packet.length - 1] ?? 0;
  if (offset > end) return null;
  return {
    payloadType: (packet[1] ?? 0) & 0x7f,
    marker: ((packet[1] ?? 0) & 0x80) !== 0,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payloadOffset: offset,
    payloadLength: end - offset,
  };
}

/** Reads the VP8 payload descriptor of an RTP packet's payload; null if too short. */
export function readVp8(packet: Buffer, rtp: RtpView): Vp8View | null {
  let i = rtp.payloadOffset;
  const end = rtp.payloadOffset + rtp.payloadLength;
  if (i >= end) return null;
  const b0 = packet[i++] ?? 0;
  const view: Vp8View = {
    frameStart: (b0 & 0x10) !== 0 && (b0 & 0x07) === 0,
    keyFrameStart: false,
    pictureId: 0,
    pictureIdBits: 0,
    pictureIdOffset: -1,
    tl0PicIdx: -1,
    tl0PicIdxOffset: -1,
  };
  if (b0 & 0x80) {
    if (i >= end) return null;
    const x = packet[i++] ?? 0;
    if (x & 0x80) {
      if (i >= end) return null;
      view.pictureIdOffset = i;
      if ((packet[i] ?? 0) & 0x80) {
        if (i + 1 >= end) return null;
        view.pictureIdBits = 15;
        view.pictureId = packet.readUInt16BE(i) & 0x7fff;
        i += 2;
      } else {
        view.pictureIdBits = 7;
        view.pictureId = (packet[i] ?? 0) & 0x7f;
        i += 1;
      }
    }
    if (x & 0x40) {
      if (i >= end) return null;
      view.tl0PicIdxOffset = i;
      view.tl0PicIdx = packet[i++] ?? 0;
    }
    if (x & 0x30) i += 1;
  }
  // VP8 payload header, first byte: bit 0 (P) is 0 for a key frame (RFC 6386 §9.1).
  view.keyFrameStart = view.frameStart && i < end && ((packet[i] ?? 1) & 0x01) === 0;
  return view;
}

/** Writes a picture id back in the width the packet already uses. */
export function writePictureId(packet: Buffer, vp8: Vp8View, pictureId: number): void {
  if (vp8.pictureIdBits === 15) packet.writeUInt16BE(0x8000 | (pictureId & 0x7fff), vp8.pictureIdOffset);
  else if (vp8.pictureIdBits === 7) packet[vp8.pictureIdOffset] = pictureId & 0x7f;
}

/** Seconds between 1900 (NTP epoch) and 1970. */
const NTP_EPOCH_OFFSET = 2_208_988_800;

/** An RTCP Sender Report without report blocks (RFC 3550 §6.4.1). */
export function senderReport(
  ssrc: number,
  wallMs: number,
  rtpTimestamp: number,
  packets: number,
  octets: number,
): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  b.writeUInt32BE((Math.floor(wallMs / 1000) + NTP_EPOCH_OFFSET) >>> 0, 8);
  b.writeUInt32BE(Math.floor(((wallMs % 1000) / 1000) * TS_MOD) >>> 0, 12);
  b.writeUInt32BE(rtpTimestamp >>> 0, 16);
  b.writeUInt32BE(packets >>> 0, 20);
  b.writeUInt32BE(octets >>> 0, 24);
  return b;
}

/**
 * The media SSRCs for which a (compound) RTCP packet asks a key frame: PLI (PSFB fmt 1, media
 * SSRC in the common header) and FIR (PSFB fmt 4, one SSRC per FCI entry).
 */
export function keyFrameRequests(rtcp: Buffer): number[] {
  const out: number[] = [];
  let off = 0;
  while (off + 4 <= rtcp.length) {
    const fmt = (rtcp[off] ?? 0) & 0x1f;
    const type = rtcp[off + 1];
    const end = off + (rtcp.readUInt16BE(off + 2) + 1) * 4;
    if (end > rtcp.length) break;
    if (type === 206 && fmt === 1 && off + 12 <= end) out.push(rtcp.readUInt32BE(off + 8));
    if (type === 206 && fmt === 4) {
      for (let fci = off + 12; fci + 8 <= end; fci += 8) out.push(rtcp.readUInt32BE(fci));
    }
    off = end;
  }
  return out;
}
