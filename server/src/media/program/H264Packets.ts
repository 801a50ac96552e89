/**
 * The H.264 RTP payload fields the program switcher reads (RFC 6184, packetization-mode 1): which
 * NAL units start in a packet, so a switch can wait for a key frame. Pure functions over Buffers.
 */
import type { RtpView } from './RtpPackets.js';

/** NAL unit types the switcher cares about (ITU-T H.264 table 7-1, RFC 6184 table 3). */
export const NAL = {
  /** Coded slice of an IDR picture: decodable without earlier frames. */
  IDR: 5,
  /** Sequence parameter set: what an IDR needs before it (resolution, profile). */
  SPS: 7,
  /** Picture parameter set. */
  PPS: 8,
  STAP_A: 24,
  STAP_B: 25,
  FU_A: 28,
  FU_B: 29,
} as const;

/** What an H.264 RTP packet carries. */
export interface H264View {
  /** Types of the NAL units that START in this packet (an FU continuation starts none). */
  nalTypes: number[];
  /** It carries a sequence parameter set. */
  sps: boolean;
  /** It carries the start of an IDR slice. */
  idr: boolean;
}

/**
 * Reads the NAL unit types of an H.264 RTP payload: a single NAL unit (1–23), the units of a
 * STAP-A / STAP-B (24, 25) and the first fragment of an FU-A / FU-B (28, 29; S bit set). Null when
 * the payload is empty or malformed (an aggregate whose sizes run past the end).
 */
export function readH264(packet: Buffer, rtp: RtpView): H264View | null {
  const start = rtp.payloadOffset;
  const end = rtp.payloadOffset + rtp.payloadLength;
  if (start >= end || end > packet.length) return null;
  const header = packet[start] ?? 0;
  if (header & 0x80) return null; // forbidden_zero_bit
  const type = header & 0x1f;
  const nalTypes: number[] = [];
  if (type >= 1 && type <= 23) {
    nalTypes.push(type);
  } else if (type === NAL.STAP_A || type === NAL.STAP_B) {
    // STAP-B carries a 16-bit decoding order number before the first unit.
    let i = start + 1 + (type === NAL.STAP_B ? 2 : 0);
    while (i + 2 <= end) {
      const size = packet.readUInt16BE(i);
      i += 2;
      if (size === 0 || i + size > end) return null;
      nalTypes.push((packet[i] ?? 0) & 0x1f);
      i += size;
    }
    if (i !== end) return null;
  } else if (type === NAL.FU_A || type === NAL.FU_B) {
    if (start + 1 >= end) return null;
    const fu = packet[start + 1] ?? 0;
    if (fu & 0x80) nalTypes.push(fu & 0x1f);
  } else {
    return null; // 0, MTAP (26, 27), reserved 30, 31: not in packetization-mode 1
  }
  return { nalTypes, sps: nalTypes.includes(NAL.SPS), idr: nalTypes.includes(NAL.IDR) };
}
