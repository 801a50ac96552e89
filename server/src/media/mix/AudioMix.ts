import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import type { types as ms } from 'mediasoup';
import { log } from '../../log/log.js';

/**
 * Codecs the mix is encoded to: what a room system answered for audio (G.722, G.711 — a 16 kHz
 * mix), or L16: uncompressed 48 kHz mono PCM (RFC 3551 L16, big-endian, 960 samples per 20 ms
 * packet) for a consumer on this machine that encodes itself (the recorder: Opus at 48 kHz).
 */
export type MixCodec = 'G722' | 'PCMU' | 'PCMA' | 'L16';

/** What the mixer needs. */
export interface AudioMixOptions {
  router: ms.Router;
  codec: MixCodec;
  /** Sends one RTP packet of the mix to the room system. */
  send(packet: Buffer): void;
  /** ffmpeg binary (Debian's). */
  ffmpeg?: string;
}

/** The mix's sample rate: 48 kHz for L16 (the recorder), 16 kHz for the room systems' codecs. */
const rateOf = (codec: MixCodec): number => (codec === 'L16' ? 48000 : 16000);
/** A source's decoded audio beyond this (0.2 s) is dropped (keeps latency bounded if a decoder bursts). */
const MAX_BUFFER_SECONDS = 0.2;
const FFMPEG_QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin'];

interface Source {
  producerId: string;
  transport: ms.PlainTransport;
  consumer: ms.Consumer;
  decoder: ChildProcess;
  pcm: Buffer;
}

/** A free even UDP port (and the odd one after it, ffmpeg's RTCP) on loopback. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const base = 30000 + 2 * Math.floor(Math.random() * 4000);
    const ok = await Promise.all(
      [base, base + 1].map(
        (port) =>
          new Promise<boolean>((resolve) => {
            const s = dgram.createSocket('udp4');
            s.once('error', () => resolve(false));
            s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free UDP port pair for the audio mix');
}

/**
 * One audio stream made of several microphones — what a room system over SIP hears (the other
 * sites' open microphones), what the recorder writes, and what a linked meeting sends across its
 * pipe (`ProgramAudio`).
 *
 * Each source microphone is consumed on a loopback PlainTransport and decoded by its own ffmpeg
 * (RTP → mono PCM at the mix's rate on a pipe); Node sums 20 ms frames (missing audio is silence,
 * so a mic paused by the policy simply drops out) and one ffmpeg per call encodes the sum to the
 * room system's codec as a raw stream, which Node cuts into 20 ms RTP packets; L16 needs no
 * encoder (Node packs the 48 kHz sum itself). Sources follow the floor: the gateway calls
 * setSources() with the open microphones after every meeting change. Cost: one decoder per open
 * microphone (a handful) and one encoder per SIP site, audio only.
 */
export class AudioMix {
  readonly #o: AudioMixOptions;
  readonly #sources = new Map<string, Source>();
  /** The codec's encoder; null for L16 (no encoding). */
  readonly #encoder: ChildProcess | null;
  /** Samples per second and per 20 ms frame. */
  readonly #rate: number;
  readonly #frame: number;
  readonly #ssrc = randomBytes(4).readUInt32BE(0);
  #seq = randomBytes(2).readUInt16BE(0);
  #ts = randomBytes(4).readUInt32BE(0);
  #encoded: Buffer = Buffer.alloc(0);
  #timer: NodeJS.Timeout | null = null;
  #started = process.hrtime.bigint();
  #frames = 0n;
  #closed = false;
  /** Counters (tests, metrics). */
  readonly stats = { framesMixed: 0, packetsSent: 0, sourcesNow: 0 };

  private constructor(o: AudioMixOptions, encoder: ChildProcess | null) {
    this.#o = o;
    this.#encoder = encoder;
    this.#rate = rateOf(o.codec);
    this.#frame = this.#rate / 50;
  }

  /** The mix's sample rate (48 kHz for L16, else 16 kHz). */
  get sampleRate(): number {
    return this.#rate;
  }

  /** Starts the encoder and the 20 ms mixing clock (silence until a source is set). */
  static async start(o: AudioMixOptions): Promise<AudioMix> {
    if (o.codec === 'L16') {
      const mix = new AudioMix(o, null);
      mix.#timer = setInterval(() => mix.#tick(), 10);
      return mix;
    }
    const out =
      o.codec === 'G722'
        ? ['-c:a', 'g722', '-ar', '16000', '-f', 'g722']
        : o.codec === 'PCMU'
          ? ['-c:a', 'pcm_mulaw', '-ar', '8000', '-f', 'mulaw']
          : ['-c:a', 'pcm_alaw', '-ar', '8000', '-f', 'alaw'];
    const encoder = spawn(
      o.ffmpeg ?? 'ffmpeg',
      [
        ...FFMPEG_QUIET,
        '-f',
        's16le',
        '-ar',
        String(rateOf(o.codec)),
        '-ac',
        '1',
        '-i',
        'pipe:0',
        ...out,
        '-flush_packets',
        '1',
        'pipe:1',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const mix = new AudioMix(o, encoder);
    encoder.stdout?.on('data', (d: Buffer) => mix.#onEncoded(d));
    encoder.stderr?.on('data', (d: Buffer) => log.debug('AudioMix', `encoder: ${d.toString().trim()}`));
    encoder.on('error', (e) => log.warn('AudioMix', `encoder failed to start: ${e.message}`));
    encoder.stdin?.on('error', () => {});
    mix.#timer = setInterval(() => mix.#tick(), 10);
    return mix;
  }

  /** Producer ids currently mixed. */
  get sourceIds(): string[] {
    return [...this.#sources.keys()];
  }

  /** Makes the mix carry exactly these microphones. */
  async setSources(producers: ms.Producer[]): Promise<void> {
    if (this.#closed) return;
    const wanted = new Set(producers.map((p) => p.id));
    for (const [id, s] of this.#sources) if (!wanted.has(id)) this.#drop(s);
    for (const p of producers) {
      if (this.#sources.has(p.id) || p.closed) continue;
      try {
        await this.#add(p);
      } catch (e) {
        log.warn(
          'AudioMix.setSources()',
          `could not mix a microphone [producerId:${p.id}, error:${(e as Error).message}]`,
        );
      }
    }
    this.stats.sourcesNow = this.#sources.size;
  }

  /** Stops every process and transport. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const s of [...this.#sources.values()]) this.#drop(s);
    this.#encoder?.stdin?.end();
    this.#encoder?.kill('SIGKILL');
  }

  async #add(producer: ms.Producer): Promise<void> {
    const codec = producer.rtpParameters.codecs[0];
    if (!codec) return;
    const port = await freePortPair();
    const transport = await this.#o.router.createPlainTransport({
      listenIp: '127.0.0.1',
      rtcpMux: false,
      comedia: false,
    });
    try {
      await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
      const consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: this.#o.router.rtpCapabilities,
        paused: true,
      });
      const c = consumer.rtpParameters.codecs[0];
      if (!c) throw new Error('no codec');
      const name = c.mimeType.split('/')[1] ?? '';
      const sdp = [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=mix',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        `m=audio ${port} RTP/AVP ${c.payloadType}`,
        `a=rtpmap:${c.payloadType} ${name}/${c.clockRate}${c.channels && c.channels > 1 ? `/${c.channels}` : ''}`,
        '',
      ].join('\n');
      const decoder = spawn(
        this.#o.ffmpeg ?? 'ffmpeg',
        [
          ...FFMPEG_QUIET,
          '-protocol_whitelist',
          'pipe,udp,rtp',
          '-fflags',
          'nobuffer',
          '-analyzeduration',
          '0',
          '-probesize',
          '32',
          '-reorder_queue_size',
          '0',
          '-f',
          'sdp',
          '-i',
          'pipe:0',
          '-f',
          's16le',
          '-ar',
          String(this.#rate),
          '-ac',
          '1',
          'pipe:1',
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const source: Source = { producerId: producer.id, transport, consumer, decoder, pcm: Buffer.alloc(0) };
      decoder.stdin?.end(sdp);
      decoder.stdout?.on('data', (d: Buffer) => {
        source.pcm = source.pcm.length ? Buffer.concat([source.pcm, d]) : d;
        const max = this.#rate * MAX_BUFFER_SECONDS * 2;
        if (source.pcm.length > max) source.pcm = source.pcm.subarray(source.pcm.length - max);
      });
      decoder.stderr?.on('data', (d: Buffer) => log.debug('AudioMix', `decoder: ${d.toString().trim()}`));
      decoder.on('error', (e) => log.warn('AudioMix', `decoder failed to start: ${e.message}`));
      this.#sources.set(producer.id, source);
      producer.observer.once('close', () => this.#drop(source));
      // Give ffmpeg a moment to bind before packets arrive; early packets would only be lost.
      setTimeout(() => {
        if (!consumer.closed) void consumer.resume().catch(() => {});
      }, 300);
    } catch (e) {
      transport.close();
      throw e;
    }
  }

  #drop(s: Source): void {
    if (this.#sources.get(s.producerId) !== s) return;
    this.#sources.delete(s.producerId);
    s.decoder.kill('SIGKILL');
    if (!s.transport.closed) s.transport.close();
    this.stats.sourcesNow = this.#sources.size;
  }

  /** Mixes as many 20 ms frames as the wall clock says are due. */
  #tick(): void {
    if (this.#closed) return;
    const due = (process.hrtime.bigint() - this.#started) / 20_000_000n;
    // After a stall (a busy event loop) catch up at most 5 frames; further behind, skip ahead.
    if (due - this.#frames > 5n) this.#frames = due - 5n;
    while (this.#frames < due) {
      this.#frames++;
      this.#mixFrame();
    }
  }

  #mixFrame(): void {
    const frame = this.#frame;
    const sum = new Int32Array(frame);
    for (const s of this.#sources.values()) {
      const n = Math.min(frame, s.pcm.length >> 1);
      for (let i = 0; i < n; i++) sum[i] = (sum[i] as number) + s.pcm.readInt16LE(i * 2);
      s.pcm = s.pcm.subarray(n * 2);
    }
    const out = Buffer.alloc(frame * 2);
    for (let i = 0; i < frame; i++)
      out.writeInt16LE(Math.max(-32768, Math.min(32767, sum[i] as number)), i * 2);
    this.stats.framesMixed++;
    if (this.#encoder) this.#encoder.stdin?.write(out);
    // L16 is network order (big-endian); one frame is one packet, its clock the sample rate.
    else this.#packet(out.swap16(), frame);
  }

  /** Cuts the encoder's raw output into 20 ms RTP packets (160 bytes: G.711 at 8 kHz, G.722 at 64 kbit/s). */
  #onEncoded(d: Buffer): void {
    this.#encoded = this.#encoded.length ? Buffer.concat([this.#encoded, d]) : d;
    while (this.#encoded.length >= 160) {
      const payload = this.#encoded.subarray(0, 160);
      this.#encoded = this.#encoded.subarray(160);
      // G.722's RTP clock is 8 kHz although it samples at 16 kHz (RFC 3551 §4.5.2): 160 per 20 ms.
      this.#packet(payload, 160);
    }
  }

  /** Sends one 20 ms RTP packet; `ticks` is its length in RTP clock units. */
  #packet(payload: Buffer, ticks: number): void {
    const rtp = Buffer.alloc(12 + payload.length);
    rtp[0] = 0x80;
    rtp[1] = 0; // the relay writes the room system's payload type
    rtp.writeUInt16BE(this.#seq, 2);
    rtp.writeUInt32BE(this.#ts >>> 0, 4);
    rtp.writeUInt32BE(this.#ssrc, 8);
    payload.copy(rtp, 12);
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#ts = (this.#ts + ticks) >>> 0;
    this.stats.packetsSent++;
    if (!this.#closed) this.#o.send(rtp);
  }
}
