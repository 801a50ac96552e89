/**
 * RTP as the simulated sites need it: VP8 payloads packetized once (RFC 7741) into templates whose
 * header fields are filled in at send time, the few RTCP messages a sender must answer (PLI, FIR),
 * and the parsing a receiver needs (sequence numbers, key-frame starts).
 */

/** Largest VP8 chunk per packet; with headers a packet stays near 1,150 bytes like libwebrtc's. */
const MAX_VP8_CHUNK = 1100;
/** RTP header without CSRCs or extensions. */
export const RTP_HEADER = 12;
/** Our VP8 payload descriptor: X, I (15-bit PictureID), L (TL0PICIDX), T (TID/Y) — as libwebrtc sends with temporal layers. */
const VP8_DESCRIPTOR = 6;

/** A packet ready to send but for its header fields; `marker` ends a frame. */
export interface RtpTemplate {
  buf: Buffer;
  marker: boolean;
  /** Whether it carries our VP8 descriptor, whose PictureID and TL0PICIDX are written per send. */
  vp8: boolean;
}

/** Cuts one encoded VP8 frame into RTP packet templates. */
export function packetizeVp8Frame(frame: Buffer): RtpTemplate[] {
  const out: RtpTemplate[] = [];
  for (let off = 0; off < frame.length; off += MAX_VP8_CHUNK) {
    const chunk = frame.subarray(off, Math.min(frame.length, off + MAX_VP8_CHUNK));
    const buf = Buffer.alloc(RTP_HEADER + VP8_DESCRIPTOR + chunk.length);
    buf[0] = 0x80;
    // X=1, S=1 on the first packet of the frame, PID=0.
    buf[RTP_HEADER] = off === 0 ? 0x90 : 0x80;
    // I=1, L=1, T=1, K=0.
    buf[RTP_HEADER + 1] = 0xe0;
    // TID=0, Y=1, KEYIDX=0.
    buf[RTP_HEADER + 5] = 0x20;
    chunk.copy(buf, RTP_HEADER + VP8_DESCRIPTOR);
    out.push({ buf, marker: off + MAX_VP8_CHUNK >= frame.length, vp8: true });
  }
  return out;
}

/** One Opus packet as an RTP template. */
export function packetizeOpus(packet: Buffer): RtpTemplate {
  const buf = Buffer.alloc(RTP_HEADER + packet.length);
  buf[0] = 0x80;
  packet.copy(buf, RTP_HEADER);
  return { buf, marker: false, vp8: false };
}

/** Per-stream header state of a sender. */
export interface RtpStreamState {
  ssrc: number;
  payloadType: number;
  seq: number;
  timestamp: number;
  /** VP8: 15-bit PictureID and 8-bit TL0PICIDX, advanced per frame. */
  pictureId: number;
  tl0: number;
  /** Sender's packet and payload-octet counts, for RTCP sender reports. */
  packets: number;
  octets: number;
  /**
   * VP8: which site sent it (`siteMark`), in bits receivers ignore — the 4 reserved bits after
   * I/L/T/K and KEYIDX (meaningless while K=0; mediasoup rewrites neither) — so a receiver can tell
   * whose picture a hub's program stream carries.
   */
  mark?: number;
}

/** The per-frame header fields of a packet waiting in the pacer. */
export interface FrameFields {
  timestamp: number;
  pictureId: number;
  tl0: number;
}

/**
 * Fills a template's header in place for `stream` with the fields of its frame (the caller sends
 * it at once: template buffers are shared by every site) and advances the stream's counters.
 */
export function stamp(t: RtpTemplate, s: RtpStreamState, f: FrameFields = s, resendSeq = -1): Buffer {
  const b = t.buf;
  b[1] = (t.marker ? 0x80 : 0) | s.payloadType;
  b.writeUInt16BE(resendSeq >= 0 ? resendSeq : s.seq, 2);
  b.writeUInt32BE(f.timestamp >>> 0, 4);
  b.writeUInt32BE(s.ssrc >>> 0, 8);
  if (t.vp8) {
    b[RTP_HEADER + 2] = 0x80 | ((f.pictureId >> 8) & 0x7f);
    b[RTP_HEADER + 3] = f.pictureId & 0xff;
    b[RTP_HEADER + 4] = f.tl0 & 0xff;
    const mark = s.mark ?? 0;
    b[RTP_HEADER + 1] = 0xe0 | ((mark >> 5) & 0x0f);
    b[RTP_HEADER + 5] = 0x20 | (mark & 0x1f);
  }
  if (resendSeq < 0) s.seq = (s.seq + 1) & 0xffff;
  s.packets++;
  s.octets += b.length - RTP_HEADER;
  return b;
}

/** Seconds between the NTP epoch (1900) and the Unix epoch. */
const NTP_UNIX_OFFSET = 2_208_988_800;

/**
 * A compound RTCP packet of one sender report per stream (RFC 3550 §6.4.1), as a browser sends
 * about once a second. mediasoup needs them to switch a viewer between simulcast layers: it maps
 * RTP timestamps of different layers through their reports' NTP times.
 * `rtpNow(s)` is each stream's RTP timestamp corresponding to `wallMs`.
 */
export function senderReports(
  streams: RtpStreamState[],
  wallMs: number,
  rtpNow: (s: RtpStreamState) => number,
): Buffer {
  const out = Buffer.alloc(28 * streams.length);
  const seconds = Math.floor(wallMs / 1000);
  const fraction = Math.floor(((wallMs % 1000) / 1000) * 2 ** 32);
  streams.forEach((s, i) => {
    const o = i * 28;
    out[o] = 0x80;
    out[o + 1] = 200;
    out.writeUInt16BE(6, o + 2);
    out.writeUInt32BE(s.ssrc >>> 0, o + 4);
    out.writeUInt32BE((seconds + NTP_UNIX_OFFSET) >>> 0, o + 8);
    out.writeUInt32BE(fraction >>> 0, o + 12);
    out.writeUInt32BE(rtpNow(s) >>> 0, o + 16);
    out.writeUInt32BE(s.packets >>> 0, o + 20);
    out.writeUInt32BE(s.octets >>> 0, o + 24);
  });
  return out;
}

/** RTCP (RFC 5761 demultiplexing: payload types 64–95 after masking the marker bit). */
export function isRtcp(packet: Buffer): boolean {
  const pt = (packet[1] ?? 0) & 0x7f;
  return packet.length >= 8 && pt >= 64 && pt <= 95;
}

/** Media SSRCs for which a compound RTCP packet asks a key frame (PLI or FIR). */
export function keyFrameRequests(packet: Buffer): number[] {
  const ssrcs: number[] = [];
  let off = 0;
  while (off + 4 <= packet.length) {
    const fmt = (packet[off] as number) & 0x1f;
    const pt = packet[off + 1] as number;
    const length = (packet.readUInt16BE(off + 2) + 1) * 4;
    if (off + length > packet.length) break;
    if (pt === 206 && fmt === 1 && length >= 12) ssrcs.push(packet.readUInt32BE(off + 8));
    if (pt === 206 && fmt === 4) {
      for (let fci = off + 12; fci + 8 <= off + length; fci += 8) ssrcs.push(packet.readUInt32BE(fci));
    }
    off += length;
  }
  return ssrcs;
}

/** An RTCP PLI (RFC 4585 §6.3.1) asking the sender of `mediaSsrc` for a key frame. */
export function pictureLossIndication(senderSsrc: number, mediaSsrc: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x81;
  b[1] = 206;
  b.writeUInt16BE(2, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(mediaSsrc >>> 0, 8);
  return b;
}

/** Sequence numbers a compound RTCP packet NACKs (RFC 4585 generic NACK), by media SSRC. */
export function nackedSeqs(packet: Buffer): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let off = 0;
  while (off + 4 <= packet.length) {
    const fmt = (packet[off] as number) & 0x1f;
    const pt = packet[off + 1] as number;
    const length = (packet.readUInt16BE(off + 2) + 1) * 4;
    if (off + length > packet.length) break;
    if (pt === 205 && fmt === 1 && length >= 16) {
      const ssrc = packet.readUInt32BE(off + 8);
      const list = out.get(ssrc) ?? [];
      for (let fci = off + 12; fci + 4 <= off + length; fci += 4) {
        const pid = packet.readUInt16BE(fci);
        const blp = packet.readUInt16BE(fci + 2);
        list.push(pid);
        for (let i = 0; i < 16; i++) if (blp & (1 << i)) list.push((pid + i + 1) & 0xffff);
      }
      out.set(ssrc, list);
    }
    off += length;
  }
  return out;
}

/** Offset of the payload of an RTP packet (after CSRCs and header extension), or -1. */
export function payloadOffset(p: Buffer): number {
  let off = RTP_HEADER + ((p[0] as number) & 0x0f) * 4;
  if ((p[0] as number) & 0x10) {
    if (off + 4 > p.length) return -1;
    off += 4 + p.readUInt16BE(off + 2) * 4;
  }
  return off <= p.length ? off : -1;
}

/** The site mark a simulated site wrote into a VP8 packet (see RtpStreamState.mark), or 0. */
export function readVp8Mark(p: Buffer): number {
  const off = payloadOffset(p);
  if (off < 0 || off + 1 >= p.length) return 0;
  const d0 = p[off] as number;
  if ((d0 & 0x80) === 0) return 0;
  const x = p[off + 1] as number;
  let o = off + 2;
  if (x & 0x80) o += (p[o] as number) & 0x80 ? 2 : 1;
  if (x & 0x40) o += 1;
  if ((x & 0x30) === 0 || o >= p.length) return 0;
  return ((x & 0x0f) << 5) | ((p[o] as number) & 0x1f);
}

const marks = new Map<string, number>();
const marked = new Map<number, string>();

/** A number 1…511 for a site, the same for every bot of this process. */
export function siteMark(siteId: string): number {
  let m = marks.get(siteId);
  if (m === undefined) {
    m = (marks.size % 511) + 1;
    marks.set(siteId, m);
    marked.set(m, siteId);
  }
  return m;
}

/** The site a mark stands for. */
export const siteOfMark = (mark: number): string | null => marked.get(mark) ?? null;

/** Whether a VP8 RTP packet starts a key frame (S=1, PID=0 and the frame's P bit clear). */
export function startsVp8KeyFrame(p: Buffer): boolean {
  let off = payloadOffset(p);
  if (off < 0 || off >= p.length) return false;
  const d0 = p[off] as number;
  if ((d0 & 0x10) === 0 || (d0 & 0x0f) !== 0) return false;
  off += 1;
  if (d0 & 0x80) {
    const x = p[off] as number;
    off += 1;
    if (x & 0x80) off += (p[off] as number) & 0x80 ? 2 : 1;
    if (x & 0x40) off += 1;
    if (x & 0x30) off += 1;
  }
  return off < p.length && ((p[off] as number) & 0x01) === 0;
}
