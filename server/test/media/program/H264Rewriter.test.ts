import { describe, expect, it } from 'vitest';
import { NAL, readH264 } from '../../../src/media/program/H264Packets.js';
import { LayerRewriter, type LayerStart } from '../../../src/media/program/LayerRewriter.js';
import { readRtp, seqDelta } from '../../../src/media/program/RtpPackets.js';

// H.264 payloads as libwebrtc (STAP-A with SPS+PPS, then FU-A) and x264 in baresip (SPS, PPS, SEI
// as single NAL units, then FU-A) packetize them (RFC 6184, packetization-mode 1).

function rtp(seq: number, ts: number, payload: Buffer, marker = false, ssrc = 42): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (marker ? 0x80 : 0) | 102;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(ts >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

/** A NAL unit of a type (nal_ref_idc 3) with a few body bytes. */
const nalUnit = (type: number, body = [0xaa, 0xbb]): Buffer => Buffer.from([0x60 | type, ...body]);

const single = (type: number): Buffer => nalUnit(type);

function stapA(...units: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x78])]; // F=0, NRI=3, type 24
  for (const u of units) {
    const size = Buffer.alloc(2);
    size.writeUInt16BE(u.length);
    parts.push(size, u);
  }
  return Buffer.concat(parts);
}

/** One FU-A fragment of a NAL unit of `type`: start, middle or end. */
function fuA(type: number, where: 'start' | 'middle' | 'end'): Buffer {
  const fuHeader = (where === 'start' ? 0x80 : 0) | (where === 'end' ? 0x40 : 0) | type;
  return Buffer.from([0x7c, fuHeader, 0x11, 0x22, 0x33]); // indicator: NRI=3, type 28
}

const view = (b: Buffer) => {
  const r = readRtp(b);
  if (!r) throw new Error('not RTP');
  return readH264(b, r);
};

describe('H.264 NAL units of an RTP packet', () => {
  it('finds SPS and IDR in single NAL units, STAP-A and the first FU-A fragment only', () => {
    expect(view(rtp(1, 0, single(NAL.SPS)))).toEqual({ nalTypes: [7], sps: true, idr: false });
    expect(view(rtp(1, 0, single(NAL.IDR)))).toEqual({ nalTypes: [5], sps: false, idr: true });
    expect(view(rtp(1, 0, single(1)))).toEqual({ nalTypes: [1], sps: false, idr: false });
    expect(view(rtp(1, 0, stapA(nalUnit(NAL.SPS), nalUnit(NAL.PPS))))).toEqual({
      nalTypes: [7, 8],
      sps: true,
      idr: false,
    });
    expect(view(rtp(1, 0, stapA(nalUnit(9), nalUnit(NAL.IDR, [1, 2, 3, 4]))))?.idr).toBe(true);
    expect(view(rtp(1, 0, fuA(NAL.IDR, 'start')))).toEqual({ nalTypes: [5], sps: false, idr: true });
    expect(view(rtp(1, 0, fuA(NAL.IDR, 'middle')))).toEqual({ nalTypes: [], sps: false, idr: false });
    expect(view(rtp(1, 0, fuA(NAL.IDR, 'end')))?.idr).toBe(false);
    expect(view(rtp(1, 0, fuA(1, 'start')))?.nalTypes).toEqual([1]);
  });

  it('refuses malformed payloads: empty, forbidden bit, an aggregate running past its end, MTAP', () => {
    expect(view(rtp(1, 0, Buffer.alloc(0)))).toBeNull();
    expect(view(rtp(1, 0, Buffer.from([0x87, 1])))).toBeNull();
    const stap = stapA(nalUnit(NAL.SPS));
    stap.writeUInt16BE(200, 1);
    expect(view(rtp(1, 0, stap))).toBeNull();
    expect(view(rtp(1, 0, Buffer.from([0x78, 0x00])))).toBeNull();
    expect(view(rtp(1, 0, Buffer.from([0x7a, 0, 0, 0])))).toBeNull(); // MTAP16
    expect(view(rtp(1, 0, Buffer.from([0x7c])))).toBeNull(); // FU-A without its header
  });
});

const START: LayerStart = {
  ssrc: 0x1234_5678,
  payloadType: 107,
  sequenceNumber: 1000,
  timestamp: 500_000,
  pictureId: 0,
  tl0PicIdx: 0,
  clockRate: 90000,
  codec: 'h264',
};

/**
 * A source sending 25 fps access units: a key frame as `style` packetizes it (SPS/PPS first), a
 * delta frame as two FU-A fragments.
 */
class H264Source {
  constructor(
    readonly id: string,
    public seq: number,
    public ts: number,
    readonly style: 'webrtc' | 'x264' | 'idr-only',
  ) {}

  frame(key: boolean): Buffer[] {
    const payloads: Buffer[] = key
      ? this.style === 'webrtc'
        ? [stapA(nalUnit(NAL.SPS), nalUnit(NAL.PPS)), fuA(NAL.IDR, 'start'), fuA(NAL.IDR, 'end')]
        : this.style === 'x264'
          ? [single(NAL.SPS), single(NAL.PPS), single(6), fuA(NAL.IDR, 'start'), fuA(NAL.IDR, 'end')]
          : [fuA(NAL.IDR, 'start'), fuA(NAL.IDR, 'middle'), fuA(NAL.IDR, 'end')]
      : [fuA(1, 'start'), fuA(1, 'end')];
    const out = payloads.map((p, i) => rtp(this.seq + i, this.ts, p, i === payloads.length - 1));
    this.seq = (this.seq + payloads.length) & 0xffff;
    this.ts = (this.ts + 3600) % 2 ** 32;
    return out;
  }
}

interface Sent {
  seq: number;
  ts: number;
  ssrc: number;
  pt: number;
  from: string;
  sps: boolean;
  idr: boolean;
}

/** Feeds packets of a source through a layer at a time; records what the program carried. */
function feed(
  layer: LayerRewriter,
  sent: Sent[],
  source: string,
  packets: Buffer[],
  nowMs: number,
): string[] {
  return packets.map((p) => {
    const outcome = layer.rewrite(p, source, nowMs);
    if (outcome !== 'dropped') {
      const r = readRtp(p);
      const h = view(p);
      if (!r) throw new Error('not RTP');
      sent.push({
        seq: r.sequenceNumber,
        ts: r.timestamp,
        ssrc: r.ssrc,
        pt: r.payloadType,
        from: source,
        sps: h?.sps ?? false,
        idr: h?.idr ?? false,
      });
    }
    return outcome;
  });
}

/** Sequence numbers step by one; timestamps never go back. */
function expectContinuous(sent: Sent[]): void {
  for (let i = 1; i < sent.length; i++) {
    const a = sent[i - 1] as Sent;
    const b = sent[i] as Sent;
    expect(seqDelta(b.seq, a.seq), `packet ${i}`).toBe(1);
    expect((b.ts - a.ts) >>> 0 < 2 ** 31, `timestamp of packet ${i}`).toBe(true);
  }
}

describe('LayerRewriter, H.264', () => {
  it('starts the program at the SPS of a libwebrtc key frame, with its own SSRC and numbers', () => {
    const layer = new LayerRewriter(START);
    expect(layer.codec).toBe('h264');
    const sent: Sent[] = [];
    const a = new H264Source('a', 40_000, 7_000_000, 'webrtc');
    layer.switchTo('a');
    expect(feed(layer, sent, 'a', a.frame(false), 0)).toEqual(['dropped', 'dropped']);
    expect(feed(layer, sent, 'a', a.frame(true), 40)).toEqual(['switched', 'forwarded', 'forwarded']);
    feed(layer, sent, 'a', a.frame(false), 80);
    expect(sent[0]).toMatchObject({ seq: 1000, ts: 500_000, ssrc: 0x1234_5678, pt: 107, sps: true });
    expect(sent.map((s) => s.seq)).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(sent.map((s) => s.ts)).toEqual([500_000, 500_000, 500_000, 503_600, 503_600]);
  });

  it('switches only at the new source IDR (waiting through its delta frames); seq and timestamps run on', () => {
    const layer = new LayerRewriter(START);
    const sent: Sent[] = [];
    const a = new H264Source('a', 100, 1_000, 'webrtc');
    const b = new H264Source('b', 65_530, 2 ** 32 - 7200, 'x264'); // b wraps both while waiting
    layer.switchTo('a');
    feed(layer, sent, 'a', a.frame(true), 0);
    feed(layer, sent, 'a', a.frame(false), 40);

    layer.switchTo('b');
    let now = 40;
    for (let i = 0; i < 4; i++) {
      now += 20;
      // The new source's delta frames never take over; the old one stays on the program.
      expect(feed(layer, sent, 'b', b.frame(false), now)).toEqual(['dropped', 'dropped']);
      now += 20;
      expect(feed(layer, sent, 'a', a.frame(false), now)).toEqual(['forwarded', 'forwarded']);
      expect(layer.current).toBe('a');
    }
    now += 20;
    const outcomes = feed(layer, sent, 'b', b.frame(true), now);
    expect(outcomes).toEqual(['switched', 'forwarded', 'forwarded', 'forwarded', 'forwarded']);
    expect(layer.current).toBe('b');
    expect(layer.pending).toBeNull();
    // The old source is off from the switch on.
    expect(feed(layer, sent, 'a', a.frame(false), now + 10)).toEqual(['dropped', 'dropped']);
    feed(layer, sent, 'b', b.frame(false), now + 40);
    feed(layer, sent, 'b', b.frame(false), now + 80);

    expectContinuous(sent);
    const first = sent.findIndex((s) => s.from === 'b');
    expect(sent[first]).toMatchObject({ sps: true });
    expect(sent.slice(first).every((s) => s.from === 'b')).toBe(true);
    // 20 ms of wall time after the old source's last packet: 1,800 ticks.
    expect(((sent[first] as Sent).ts - (sent[first - 1] as Sent).ts) >>> 0 === 1800).toBe(true);
    expect(new Set(sent.map((s) => s.ssrc))).toEqual(new Set([START.ssrc]));
  });

  it('takes an IDR with no parameter sets only where its access unit starts', () => {
    const layer = new LayerRewriter(START);
    const sent: Sent[] = [];
    const a = new H264Source('a', 1, 0, 'webrtc');
    const b = new H264Source('b', 500, 90_000, 'idr-only');
    layer.switchTo('a');
    feed(layer, sent, 'a', a.frame(true), 0);
    layer.switchTo('b');
    // b's IDR start fragment arrives as the first packet ever seen from b: where its access unit
    // started is unknown, so it waits.
    expect(feed(layer, sent, 'b', b.frame(true), 10)).toEqual(['dropped', 'dropped', 'dropped']);
    feed(layer, sent, 'b', b.frame(false), 20);
    // The next IDR follows a frame that ended with a marker: it opens its access unit.
    expect(feed(layer, sent, 'b', b.frame(true), 30)).toEqual(['switched', 'forwarded', 'forwarded']);
    expectContinuous(sent);
  });

  it('does not switch at an IDR fragment in the middle of an access unit (its SPS was lost)', () => {
    const layer = new LayerRewriter(START);
    const sent: Sent[] = [];
    const a = new H264Source('a', 1, 0, 'webrtc');
    const b = new H264Source('b', 500, 90_000, 'x264');
    layer.switchTo('a');
    feed(layer, sent, 'a', a.frame(true), 0);
    layer.switchTo('b');
    feed(layer, sent, 'b', b.frame(false), 5);
    const key = b.frame(true);
    // SPS and PPS lost; the SEI (same timestamp) came; the IDR start is no access-unit start.
    expect(feed(layer, sent, 'b', key.slice(2), 10)).toEqual(['dropped', 'dropped', 'dropped']);
    expect(layer.current).toBe('a');
    expect(feed(layer, sent, 'b', b.frame(true), 50)[0]).toBe('switched');
  });

  it('never reads a VP8 descriptor: a VP8-looking key byte in an H.264 delta frame is no key frame', () => {
    const layer = new LayerRewriter(START);
    layer.switchTo('a');
    // 0x10 would be "S=1, partition 0" in VP8, then a P=0 byte: a VP8 key frame start.
    expect(layer.rewrite(rtp(1, 0, Buffer.from([0x10, 0x00, 0x9d, 0x01])), 'a', 0)).toBe('dropped');
    expect(layer.current).toBeNull();
  });
});
