import { describe, expect, it } from 'vitest';
import { LayerRewriter, type LayerStart } from '../../../src/media/program/LayerRewriter.js';
import { keyFrameRequests, readRtp, readVp8, senderReport } from '../../../src/media/program/RtpPackets.js';

interface Pkt {
  seq: number;
  ts: number;
  ssrc?: number;
  pictureId?: number;
  tl0?: number;
  key?: boolean;
  /** First packet of its frame (default true). */
  start?: boolean;
  marker?: boolean;
  /** 7-bit picture id instead of 15. */
  short?: boolean;
}

/** An RTP packet with a VP8 payload descriptor (X, I, L, T) as libwebrtc sends it. */
function vp8Packet(p: Pkt): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (p.marker ? 0x80 : 0) | 96;
  h.writeUInt16BE(p.seq & 0xffff, 2);
  h.writeUInt32BE(p.ts >>> 0, 4);
  h.writeUInt32BE((p.ssrc ?? 1234) >>> 0, 8);
  const d: number[] = [(p.start ?? true) ? 0x90 : 0x80, 0xe0];
  const pic = p.pictureId ?? 0;
  if (p.short) d.push(pic & 0x7f);
  else d.push(0x80 | ((pic >> 8) & 0x7f), pic & 0xff);
  d.push((p.tl0 ?? 0) & 0xff, 0x00);
  d.push(p.key ? 0x10 : 0x11, 0x02, 0x00, 0xaa, 0xbb);
  return Buffer.concat([h, Buffer.from(d)]);
}

interface Out {
  seq: number;
  ts: number;
  ssrc: number;
  pt: number;
  pictureId: number;
  tl0: number;
  key: boolean;
}

function read(b: Buffer): Out {
  const rtp = readRtp(b);
  if (!rtp) throw new Error('not RTP');
  const vp8 = readVp8(b, rtp);
  if (!vp8) throw new Error('not VP8');
  return {
    seq: rtp.sequenceNumber,
    ts: rtp.timestamp,
    ssrc: rtp.ssrc,
    pt: rtp.payloadType,
    pictureId: vp8.pictureId,
    tl0: vp8.tl0PicIdx,
    key: vp8.keyFrameStart,
  };
}

const START: LayerStart = {
  ssrc: 0xabcdef01,
  payloadType: 101,
  sequenceNumber: 500,
  timestamp: 90_000,
  pictureId: 40,
  tl0PicIdx: 7,
  clockRate: 90000,
};

/** A source sending one-packet frames at 25 fps from the given numbers. */
class Source {
  constructor(
    readonly id: string,
    public seq: number,
    public ts: number,
    public pictureId: number,
    public tl0: number,
  ) {}
  next(key = false): Buffer {
    const b = vp8Packet({
      seq: this.seq,
      ts: this.ts,
      ssrc: 42,
      pictureId: this.pictureId,
      tl0: this.tl0,
      key,
      marker: true,
    });
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + 3600) % 2 ** 32;
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    this.tl0 = (this.tl0 + 1) & 0xff;
    return b;
  }
}

describe('LayerRewriter', () => {
  it('starts the program at its own SSRC, payload type and numbers with the first key frame of the source', () => {
    const layer = new LayerRewriter(START);
    const a = new Source('a', 30_000, 5_000_000, 1000, 200);
    layer.switchTo('a');
    expect(layer.rewrite(a.next(false), 'a', 0)).toBe('dropped');
    const first = a.next(true);
    expect(layer.rewrite(first, 'a', 40)).toBe('switched');
    expect(read(first)).toEqual({
      seq: 500,
      ts: 90_000,
      ssrc: 0xabcdef01,
      pt: 101,
      pictureId: 40,
      tl0: 7,
      key: true,
    });
    const second = a.next();
    expect(layer.rewrite(second, 'a', 80)).toBe('forwarded');
    expect(read(second)).toMatchObject({ seq: 501, ts: 93_600, pictureId: 41, tl0: 8 });
  });

  it('keeps the old source until the new one sends a key frame, then continues every number from the last', () => {
    const layer = new LayerRewriter(START);
    const a = new Source('a', 100, 1_000, 10, 1);
    const b = new Source('b', 60_000, 3_000_000_000, 30_000, 250);
    layer.switchTo('a');
    layer.rewrite(a.next(true), 'a', 0);
    let last = a.next();
    layer.rewrite(last, 'a', 40); // program seq 501, ts 93_600

    layer.switchTo('b');
    expect(layer.pending).toBe('b');
    expect(layer.rewrite(b.next(false), 'b', 50)).toBe('dropped'); // not a key frame
    last = a.next();
    expect(layer.rewrite(last, 'a', 80)).toBe('forwarded'); // old source still on
    expect(read(last)).toMatchObject({ seq: 502, ts: 97_200 });

    const key = b.next(true);
    expect(layer.rewrite(key, 'b', 100)).toBe('switched');
    // 20 ms after the last packet sent: 1,800 ticks at 90 kHz.
    expect(read(key)).toMatchObject({ seq: 503, ts: 99_000, pictureId: 43, tl0: 10, key: true });
    expect(layer.current).toBe('b');
    expect(layer.pending).toBeNull();

    expect(layer.rewrite(a.next(), 'a', 110)).toBe('dropped'); // the old source is off
    const after = b.next();
    expect(layer.rewrite(after, 'b', 140)).toBe('forwarded');
    expect(read(after)).toMatchObject({ seq: 504, ts: 102_600, pictureId: 44, tl0: 11, key: false });
  });

  it('wraps sequence number, timestamp, picture id and TL0PICIDX around without a gap', () => {
    const layer = new LayerRewriter({
      ...START,
      sequenceNumber: 0xfffe,
      timestamp: 2 ** 32 - 3600,
      pictureId: 0x7ffe,
      tl0PicIdx: 0xfe,
    });
    // The source wraps too, at other moments.
    const a = new Source('a', 0xffff, 2 ** 32 - 1, 0x7fff, 0xff);
    layer.switchTo('a');
    const outs: Out[] = [];
    for (let i = 0; i < 5; i++) {
      const p = a.next(i === 0);
      layer.rewrite(p, 'a', i * 40);
      outs.push(read(p));
    }
    expect(outs.map((o) => o.seq)).toEqual([0xfffe, 0xffff, 0, 1, 2]);
    expect(outs.map((o) => o.ts)).toEqual([2 ** 32 - 3600, 0, 3600, 7200, 10_800]);
    expect(outs.map((o) => o.pictureId)).toEqual([0x7ffe, 0x7fff, 0, 1, 2]);
    expect(outs.map((o) => o.tl0)).toEqual([0xfe, 0xff, 0, 1, 2]);

    // A switch right after the wrap continues from the wrapped values.
    const b = new Source('b', 0xfff0, 123, 5, 9);
    layer.switchTo('b');
    const k = b.next(true);
    expect(layer.rewrite(k, 'b', 200)).toBe('switched');
    expect(read(k)).toMatchObject({ seq: 3, pictureId: 3, tl0: 3, ts: 10_800 + 3600 });
    const more = [b.next(), b.next(), b.next()].map((p) => {
      layer.rewrite(p, 'b', 240);
      return read(p).seq;
    });
    expect(more).toEqual([4, 5, 6]); // the source's own wrap (0xfff1…) is invisible
  });

  it('keeps a late packet of the current source in its place and does not move the switch point back', () => {
    const layer = new LayerRewriter(START);
    layer.switchTo('a');
    const p = (seq: number, key = false) => vp8Packet({ seq, ts: seq * 10, pictureId: seq, tl0: seq, key });
    layer.rewrite(p(10, true), 'a', 0);
    layer.rewrite(p(12), 'a', 1);
    const late = p(11);
    expect(layer.rewrite(late, 'a', 2)).toBe('forwarded');
    expect(read(late).seq).toBe(501);
    expect(layer.lastSequenceNumber).toBe(502);
    layer.switchTo('b');
    const k = vp8Packet({ seq: 7, ts: 7, pictureId: 7, tl0: 7, key: true });
    layer.rewrite(k, 'b', 3);
    expect(read(k).seq).toBe(503);
  });

  it('switches only at the first packet of a key frame, not at its continuation packets', () => {
    const layer = new LayerRewriter(START);
    layer.switchTo('a');
    layer.rewrite(vp8Packet({ seq: 1, ts: 0, key: true }), 'a', 0);
    layer.switchTo('b');
    // Middle of a key frame (S=0): the frame's first packet was missed, wait for the next one.
    expect(layer.rewrite(vp8Packet({ seq: 9, ts: 0, key: true, start: false }), 'b', 10)).toBe('dropped');
    expect(layer.current).toBe('a');
    expect(layer.rewrite(vp8Packet({ seq: 10, ts: 3600, key: true }), 'b', 20)).toBe('switched');
  });

  it('choosing the current source again cancels a pending switch; null stops the layer', () => {
    const layer = new LayerRewriter(START);
    layer.switchTo('a');
    layer.rewrite(vp8Packet({ seq: 1, ts: 0, key: true }), 'a', 0);
    layer.switchTo('b');
    layer.switchTo('a');
    expect(layer.pending).toBeNull();
    expect(layer.rewrite(vp8Packet({ seq: 5, ts: 0, key: true }), 'b', 1)).toBe('dropped');
    layer.switchTo(null);
    expect(layer.rewrite(vp8Packet({ seq: 2, ts: 3600 }), 'a', 2)).toBe('dropped');
    expect(layer.current).toBeNull();
  });

  it('keeps a 7-bit picture id 7 bits wide', () => {
    const layer = new LayerRewriter({ ...START, pictureId: 126 });
    layer.switchTo('a');
    const outs = [0, 1, 2].map((i) => {
      const b = vp8Packet({ seq: i, ts: i * 3600, pictureId: 60 + i, short: true, key: i === 0 });
      layer.rewrite(b, 'a', i);
      return b;
    });
    const rtp = readRtp(outs[2] as Buffer);
    expect(rtp && readVp8(outs[2] as Buffer, rtp)?.pictureIdBits).toBe(7);
    expect(outs.map((b) => read(b).pictureId)).toEqual([126, 127, 0]);
  });

  it('reports the RTP time of now in its Sender Report, from the last packet sent and the wall clock', () => {
    const layer = new LayerRewriter(START);
    expect(layer.senderReport(0)).toBeNull();
    layer.switchTo('a');
    layer.rewrite(vp8Packet({ seq: 1, ts: 0, key: true }), 'a', 1_000_000);
    const sr = layer.senderReport(1_000_500) as Buffer;
    expect(sr[1]).toBe(200);
    expect(sr.readUInt32BE(4)).toBe(START.ssrc);
    expect(sr.readUInt32BE(8)).toBe(1000 + 2_208_988_800);
    expect(sr.readUInt32BE(16)).toBe(90_000 + 45_000);
    expect(sr.readUInt32BE(20)).toBe(1);
  });
});

describe('RTCP key-frame requests', () => {
  it('finds the media SSRC of a PLI and of every FIR entry in a compound packet, skipping others', () => {
    const rr = Buffer.alloc(8);
    rr[0] = 0x80;
    rr[1] = 201;
    rr.writeUInt16BE(1, 2);
    const pli = Buffer.alloc(12);
    pli[0] = 0x81;
    pli[1] = 206;
    pli.writeUInt16BE(2, 2);
    pli.writeUInt32BE(111, 8);
    const fir = Buffer.alloc(28);
    fir[0] = 0x84;
    fir[1] = 206;
    fir.writeUInt16BE(6, 2);
    fir.writeUInt32BE(222, 12);
    fir.writeUInt32BE(333, 20);
    const sr = senderReport(444, 0, 0, 0, 0);
    expect(keyFrameRequests(Buffer.concat([rr, pli, sr, fir]))).toEqual([111, 222, 333]);
    expect(keyFrameRequests(Buffer.from([0x80, 206]))).toEqual([]);
  });
});
