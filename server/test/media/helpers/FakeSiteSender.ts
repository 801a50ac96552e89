import dgram from 'node:dgram';
import type { types as ms } from 'mediasoup';

/**
 * A simulated bridge point for tests: one UDP socket that sends, to a mediasoup PlainTransport
 * (comedia), an Opus-like microphone stream carrying the ssrc-audio-level header extension and a
 * VP8-like three-layer simulcast camera (one SSRC per layer). Payloads are not decodable media,
 * but carry what mediasoup inspects: RTP headers, the VP8 payload descriptor and key-frame bit,
 * the audio level. Answers PLI/FIR with a key frame, like a real encoder.
 */

export const AUDIO_PT = 100;
export const VIDEO_PT = 101;
export const AUDIO_LEVEL_EXT_ID = 1;

const PLI = 1;
const RTCP_PSFB = 206;

/** RTP parameters to give `produce()` for this sender's microphone. */
export function micRtpParameters(ssrc: number): ms.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc }],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: AUDIO_LEVEL_EXT_ID }],
  };
}

/** RTP parameters to give `produce()` for this sender's simulcast camera (one SSRC per layer). */
export function cameraRtpParameters(ssrcs: readonly number[]): ms.RtpParameters {
  return {
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: VIDEO_PT,
        clockRate: 90000,
        // As a browser offers them: without PLI/FIR mediasoup cannot ask this sender for a key frame.
        rtcpFeedback: [
          { type: 'nack' },
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
        ],
      },
    ],
    encodings: ssrcs.map((ssrc) => ({ ssrc })),
  };
}

interface StreamState {
  ssrc: number;
  seq: number;
  timestamp: number;
}

function rtpHeader(pt: number, s: StreamState, marker: boolean, ext: Buffer | null): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80 | (ext ? 0x10 : 0);
  h[1] = (marker ? 0x80 : 0) | pt;
  h.writeUInt16BE(s.seq & 0xffff, 2);
  h.writeUInt32BE(s.timestamp >>> 0, 4);
  h.writeUInt32BE(s.ssrc >>> 0, 8);
  s.seq = (s.seq + 1) & 0xffff;
  return ext ? Buffer.concat([h, ext]) : h;
}

/** RTCP Sender Report: lets mediasoup map each simulcast layer's RTP clock to wall time. */
function senderReport(s: StreamState, packets: number, octets: number): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(s.ssrc >>> 0, 4);
  const now = Date.now();
  b.writeUInt32BE(Math.floor(now / 1000) + 2_208_988_800, 8);
  b.writeUInt32BE(Math.floor(((now % 1000) / 1000) * 2 ** 32) >>> 0, 12);
  b.writeUInt32BE(s.timestamp >>> 0, 16);
  b.writeUInt32BE(packets >>> 0, 20);
  b.writeUInt32BE(octets >>> 0, 24);
  return b;
}

/** One-byte header extension block with the ssrc-audio-level element (RFC 6464). */
function audioLevelExtension(dBov: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(0xbede, 0);
  b.writeUInt16BE(1, 2); // one 32-bit word
  b[4] = (AUDIO_LEVEL_EXT_ID << 4) | 0; // id, length-1 = 0
  b[5] = 0x80 | Math.min(127, Math.max(0, Math.round(-dBov))); // voice activity + level
  return b;
}

/** VP8 payload descriptor (X, S; I with 15-bit picture id, L, T) and a frame header. */
function vp8Payload(pictureId: number, tl0: number, keyFrame: boolean, size: number, tag: number): Buffer {
  const p = Buffer.alloc(Math.max(size, 16));
  p[p.length - 1] = tag; // which sender (and layer) this is, for tests that follow a switched stream
  p[0] = 0x90; // X=1, S=1, PID=0
  p[1] = 0xe0; // I, L, T
  p[2] = 0x80 | ((pictureId >> 8) & 0x7f);
  p[3] = pictureId & 0xff;
  p[4] = tl0 & 0xff;
  p[5] = 0x00; // TID 0
  // VP8 frame tag: bit 0 = 0 for a key frame; key frames carry the start code and dimensions.
  p[6] = keyFrame ? 0x10 : 0x11;
  p[7] = 0x02;
  p[8] = 0x00;
  if (keyFrame) {
    p[9] = 0x9d;
    p[10] = 0x01;
    p[11] = 0x2a;
    p.writeUInt16LE(640, 12);
    p.writeUInt16LE(360, 14);
  }
  return p;
}

export class FakeSiteSender {
  readonly #socket = dgram.createSocket('udp4');
  readonly #mic: StreamState;
  readonly #layers: StreamState[];
  #timer: NodeJS.Timeout | null = null;
  #tick = 0;
  #pictureId = 0;
  #tl0 = 0;
  #keyFrameWanted = true;
  /** PLI/FIR requests received from mediasoup. */
  keyFrameRequests = 0;
  /** dBov written into the audio level extension. */
  level = -30;
  sendMic = true;
  sendCamera = true;
  /** Written into the last byte of every video payload (plus the layer index), to tell senders apart. */
  tag = 0;
  /** Share of RTP packets dropped on the way (0–1), to simulate a poor network. */
  loss = 0;
  #sent = 0;

  constructor(
    readonly micSsrc: number,
    readonly cameraSsrcs: readonly number[],
  ) {
    this.#mic = { ssrc: micSsrc, seq: 1000, timestamp: 0 };
    this.#layers = cameraSsrcs.map((ssrc, i) => ({ ssrc, seq: 2000 + i * 1000, timestamp: 0 }));
    this.#socket.on('message', (m) => this.#onRtcp(m));
  }

  /** Starts sending to a PlainTransport (20 ms audio, 25 fps video, key frame every second). */
  async start(transport: ms.PlainTransport): Promise<void> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    const { localIp, localPort } = transport.tuple;
    this.#timer = setInterval(() => this.#send(localIp, localPort), 20);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }

  #send(ip: string, port: number): void {
    this.#tick++;
    const out = (b: Buffer) => {
      this.#sent++;
      if (this.loss > 0 && Math.random() < this.loss) return;
      this.#socket.send(b, port, ip);
    };
    if (this.sendMic) {
      this.#mic.timestamp += 960;
      const payload = Buffer.alloc(60, 0x55);
      payload[0] = 0x78; // Opus TOC
      out(Buffer.concat([rtpHeader(AUDIO_PT, this.#mic, false, audioLevelExtension(this.level)), payload]));
    }
    // Video every other tick: 25 fps.
    if (this.sendCamera && this.#tick % 2 === 0) {
      const keyFrame = this.#keyFrameWanted || this.#tick % 50 === 0;
      this.#keyFrameWanted = false;
      this.#pictureId = (this.#pictureId + 1) & 0x7fff;
      this.#tl0 = (this.#tl0 + 1) & 0xff;
      this.#layers.forEach((layer, i) => {
        layer.timestamp += 3600;
        const size = [200, 500, 1000][i] ?? 1000;
        out(
          Buffer.concat([
            rtpHeader(VIDEO_PT, layer, true, null),
            vp8Payload(this.#pictureId, this.#tl0, keyFrame, size, this.tag + i),
          ]),
        );
      });
    }
    // Sender Reports every 500 ms; a simulcast consumer cannot switch layers without them.
    if (this.sendCamera && this.#tick % 25 === 1) {
      for (const layer of this.#layers)
        this.#socket.send(senderReport(layer, this.#sent, this.#sent * 500), port, ip);
    }
  }

  #onRtcp(m: Buffer): void {
    // Walk the compound RTCP packet looking for PSFB PLI (fmt 1) or FIR (fmt 4).
    let off = 0;
    while (off + 4 <= m.length) {
      const fmt = (m[off] ?? 0) & 0x1f;
      const type = m[off + 1];
      const words = m.readUInt16BE(off + 2);
      if (type === RTCP_PSFB && (fmt === PLI || fmt === 4)) {
        this.keyFrameRequests++;
        this.#keyFrameWanted = true;
      }
      off += (words + 1) * 4;
    }
  }
}
