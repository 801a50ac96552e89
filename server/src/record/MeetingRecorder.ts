import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { types as ms } from 'mediasoup';
import { errorText, type MediaLogger } from '../media/logger.js';
import { AudioMix } from '../media/mix/AudioMix.js';
import { SafeEmitter } from '../media/SafeEmitter.js';
import { RecordingChapters } from './RecordingChapters.js';

/** The segment list ffmpeg appends to as each segment is finished (csv: file,start,end). */
export const SEGMENT_LIST = 'segments.csv';
const SEGMENT_PATTERN = 'seg-%05d.mkv';
/** How often a key frame is asked for while ffmpeg still waits for its first one. */
const START_KEYFRAME_MS = 500;
/** How long a stopping ffmpeg may take to close its last segment before it is killed. */
const STOP_GRACE_MS = 5000;

/** Why a recording ended without being stopped. */
export interface RecorderFailure {
  readonly code: 'RECORDER_DIED';
  readonly message: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Segments finished before the failure: each is complete and playable. */
  readonly segments: readonly string[];
}

/** Events of a MeetingRecorder. */
export type MeetingRecorderEvents = {
  /** ffmpeg ended without stop(): at most the segment being written is lost. */
  failed: [RecorderFailure];
  /** A segment was finished (its file name). */
  segment: [string];
};

/** What a recording takes: the program video, up to a few microphones, a folder. */
export interface MeetingRecorderOptions {
  readonly recordingId: string;
  readonly router: ms.Router;
  /** The program video (ProgramSwitcher.producer: VP8, or H.264 in an H.264 meeting). */
  readonly program: ms.Producer;
  /** The open microphones to mix (the chair's and the floor holder's). */
  readonly mics: readonly ms.Producer[];
  /**
   * How the microphones reach ffmpeg. 'legs' (default): one RTP stream each, mixed by ffmpeg's amix;
   * the set is fixed for the whole recording. 'mix': one continuous 48 kHz mono L16 stream from a
   * wall-clock mixer (media/mix/AudioMix, silence when nobody speaks) whose sources follow the floor
   * through setMics(), so the audio never stops or restarts while the speakers change.
   */
  readonly audio?: 'legs' | 'mix';
  /** The recording's own folder (created). */
  readonly dir: string;
  /** Seconds per segment (at most this much is lost on a crash). Default 60. */
  readonly segmentSeconds?: number;
  readonly ffmpeg?: string;
  readonly logger: MediaLogger;
}

interface Leg {
  readonly transport: ms.PlainTransport;
  readonly consumer: ms.Consumer;
  readonly port: number;
}

/** The 'mix' audio: the mixer and the socket its RTP packets leave by, towards ffmpeg's port (loopback). */
interface MixLeg {
  readonly mix: AudioMix;
  readonly socket: dgram.Socket;
  readonly port: number;
}

/**
 * The mix towards ffmpeg: L16 (RFC 3551 linear PCM, big-endian) at 48 kHz mono on a dynamic payload
 * type — full-band sound, only ever on loopback (1.9 kB packets, 768 kbit/s), encoded once by the
 * recorder's ffmpeg to Opus at 48 kHz.
 */
const MIX_PT = 96;
const MIX_RTPMAP = 'L16/48000/1';

/**
 * Records the meeting without re-encoding its video: the program (top layer pinned) and the chosen
 * microphones are consumed on PlainTransports (comedia off, RTCP muxed) towards one ffmpeg that
 * reads an SDP, copies the VP8 and mixes the microphones (amix) to Opus, and writes Matroska
 * segments (`-f segment`). A segment is closed only at a key frame, so one is asked for at the
 * start and at every segment boundary; a finished segment is listed in segments.csv and never
 * touched again, so a crash or a full disk loses at most the segment being written.
 */
export class MeetingRecorder extends SafeEmitter<MeetingRecorderEvents> {
  readonly recordingId: string;
  readonly dir: string;
  readonly chapters: RecordingChapters;
  readonly startedAtMs: number;
  readonly #video: Leg;
  readonly #audio: Leg[];
  readonly #mix: MixLeg | null;
  readonly #ffmpeg: ChildProcess;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #exited: Promise<void>;
  #finished: string[] = [];
  #mixing: Promise<void> = Promise.resolve();
  #stopping = false;
  #closed = false;

  /** Consumes the program and the microphones, writes rec.sdp and starts ffmpeg. */
  static async start(o: MeetingRecorderOptions): Promise<MeetingRecorder> {
    await mkdir(o.dir, { recursive: true });
    const legs: Leg[] = [];
    let mix: MixLeg | null = null;
    try {
      legs.push(await consumeLeg(o.router, o.program, videoCaps(o.program)));
      if (o.audio === 'mix') mix = await startMix(o);
      else for (const mic of o.mics) legs.push(await consumeLeg(o.router, mic, o.router.rtpCapabilities));
      const [video, ...audio] = legs as [Leg, ...Leg[]];
      await writeFile(join(o.dir, 'rec.sdp'), sdpOf(video, audio, mix));
      return new MeetingRecorder(o, video, audio, mix);
    } catch (e) {
      for (const leg of legs) leg.transport.close();
      closeMix(mix);
      throw e;
    }
  }

  private constructor(o: MeetingRecorderOptions, video: Leg, audio: Leg[], mix: MixLeg | null) {
    super(o.logger);
    this.recordingId = o.recordingId;
    this.dir = o.dir;
    this.#video = video;
    this.#audio = audio;
    this.#mix = mix;
    const seconds = o.segmentSeconds ?? 60;
    this.startedAtMs = Date.now();
    this.chapters = new RecordingChapters(o.dir, o.recordingId, this.startedAtMs);
    this.#ffmpeg = spawn(o.ffmpeg ?? 'ffmpeg', ffmpegArgs(mix ? 1 : audio.length, seconds), {
      cwd: o.dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#ffmpeg.stderr?.on('data', (d: Buffer) =>
      this.logger.debug(`MeetingRecorder | ffmpeg: ${d.toString().trim()} [recording:${this.recordingId}]`),
    );
    this.#exited = new Promise((resolve) => {
      let ended = false;
      const end = (code: number | null, signal: NodeJS.Signals | null) => {
        if (ended) return;
        ended = true;
        void this.#onExit(code, signal).finally(resolve);
      };
      this.#ffmpeg.once('exit', end);
      // No ffmpeg to run (missing binary): 'exit' never comes, so end here.
      this.#ffmpeg.once('error', (e) => {
        this.logger.error(
          `MeetingRecorder | ffmpeg failed to start: ${errorText(e)} [recording:${this.recordingId}]`,
        );
        end(null, null);
      });
    });
    // ffmpeg binds its ports from the SDP as it starts; packets before that would only be lost.
    const resume = setTimeout(() => {
      for (const leg of [video, ...audio]) void leg.consumer.resume().catch(() => {});
      void video.consumer.requestKeyFrame().catch(() => {});
    }, 300);
    // Until the first segment exists ffmpeg has no picture size: keep asking for a key frame.
    const first = setInterval(() => {
      if (this.#finished.length > 0) return clearInterval(first);
      void video.consumer.requestKeyFrame().catch(() => {});
    }, START_KEYFRAME_MS);
    // A segment closes at the first key frame after its time: ask for one at every boundary.
    const boundary = setInterval(() => void video.consumer.requestKeyFrame().catch(() => {}), seconds * 1000);
    this.#timers.push(resume, first, boundary);
    for (const t of this.#timers) t.unref();
    const watch = setInterval(() => void this.#readList(), 1000);
    watch.unref();
    this.#timers.push(watch);
  }

  /** Whether ffmpeg is still writing. */
  get recording(): boolean {
    return !this.#closed;
  }

  /** The finished segments (complete files), in order. */
  get segments(): readonly string[] {
    return this.#finished;
  }

  /**
   * The microphones the 'mix' audio carries from now on (the chair's, the floor holder's): sources
   * come and go without a gap, a paused or muted one is silence. Ignored for 'legs' audio.
   */
  setMics(mics: readonly ms.Producer[]): Promise<void> {
    const mix = this.#mix?.mix;
    if (!mix) return Promise.resolve();
    // One change at a time: two overlapping calls would both add a new source (two decoders).
    this.#mixing = this.#mixing
      .then(() => (this.#closed ? undefined : mix.setSources([...mics])))
      .catch(() => {});
    return this.#mixing;
  }

  /** Producer ids the 'mix' audio carries now (empty for 'legs'). */
  get mixedMicIds(): readonly string[] {
    return this.#mix?.mix.sourceIds ?? [];
  }

  /** The program consumer (for tests and stats). */
  get videoConsumer(): ms.Consumer {
    return this.#video.consumer;
  }

  /** ffmpeg's process id (tests kill it to simulate a crash). */
  get pidForTesting(): number | undefined {
    return this.#ffmpeg.pid;
  }

  /** Stops: ffmpeg closes its current segment (SIGINT), then the transports close. Idempotent. */
  async stop(): Promise<readonly string[]> {
    if (!this.#closed && !this.#stopping) {
      this.#stopping = true;
      this.#ffmpeg.kill('SIGINT');
      const kill = setTimeout(() => this.#ffmpeg.kill('SIGKILL'), STOP_GRACE_MS);
      await this.#exited;
      clearTimeout(kill);
    }
    await this.#exited;
    return this.#finished;
  }

  async #readList(): Promise<void> {
    const text = await readFile(join(this.dir, SEGMENT_LIST), 'utf8').catch(() => '');
    const files = text
      .split('\n')
      .map((l) => l.split(',')[0]?.trim() ?? '')
      .filter((f) => f.length > 0);
    for (const f of files.slice(this.#finished.length)) {
      this.#finished.push(f);
      this.safeEmit('segment', f);
    }
  }

  async #onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    for (const leg of [this.#video, ...this.#audio]) leg.transport.close();
    closeMix(this.#mix);
    await this.#readList();
    await this.chapters.flush().catch(() => {});
    if (this.#stopping) {
      this.logger.info(
        `MeetingRecorder.stop() | recording stopped [recording:${this.recordingId}] [segments:${this.#finished.length}]`,
      );
      return;
    }
    const failure: RecorderFailure = {
      code: 'RECORDER_DIED',
      message: `recorder stopped unexpectedly (${signal ?? `exit ${code}`}); ${this.#finished.length} finished segment(s) kept, the one being written may be lost`,
      exitCode: code,
      signal,
      segments: [...this.#finished],
    };
    this.logger.error(`MeetingRecorder | ${failure.message} [recording:${this.recordingId}]`);
    this.safeEmit('failed', failure);
  }
}

/**
 * What the recorder accepts for the program: its own codec (VP8, or H.264 in an H.264 meeting —
 * copied into Matroska either way, never re-encoded) with PLI/FIR, no bandwidth estimation.
 */
function videoCaps(program: ms.Producer): ms.RtpCapabilities {
  const codec = program.rtpParameters.codecs[0];
  return {
    codecs: [
      {
        kind: 'video',
        mimeType: codec?.mimeType ?? 'video/VP8',
        clockRate: 90000,
        parameters: codec?.parameters ?? {},
        rtcpFeedback: [
          { type: 'nack' },
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
        ],
      },
    ],
    headerExtensions: [],
  };
}

async function consumeLeg(router: ms.Router, producer: ms.Producer, caps: ms.RtpCapabilities): Promise<Leg> {
  const port = await freeRtpPort();
  const transport = await router.createPlainTransport({
    listenIp: { ip: '127.0.0.1' },
    rtcpMux: true,
    comedia: false,
  });
  try {
    await transport.connect({ ip: '127.0.0.1', port });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: caps,
      paused: true,
      appData: { recorder: true },
    });
    // No bandwidth estimation towards ffmpeg: pin the program's top layer.
    if (consumer.type === 'simulcast')
      await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
    return { transport, consumer, port };
  } catch (e) {
    transport.close();
    throw e;
  }
}

/** An even UDP port free now, with its odd neighbour (ffmpeg binds port+1 for RTCP). */
async function freeRtpPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 10000);
    if ((await canBind(port)) && (await canBind(port + 1))) return port;
  }
  throw new Error('MeetingRecorder | no free UDP port for ffmpeg');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Starts the 'mix' audio: the mixer's packets go to a free port of ffmpeg's as 48 kHz L16 (PT 96). */
async function startMix(o: MeetingRecorderOptions): Promise<MixLeg> {
  const port = await freeRtpPort();
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.on('error', () => {});
  const mix = await AudioMix.start({
    router: o.router,
    codec: 'L16',
    send: (packet) => {
      packet[1] = MIX_PT;
      socket.send(packet, port, '127.0.0.1');
    },
    ...(o.ffmpeg ? { ffmpeg: o.ffmpeg } : {}),
  });
  await mix.setSources([...o.mics]);
  return { mix, socket, port };
}

function closeMix(leg: MixLeg | null): void {
  if (!leg) return;
  leg.mix.close();
  try {
    leg.socket.close();
  } catch {
    // already closed
  }
}

function mline(leg: Leg): string[] {
  const c = leg.consumer.rtpParameters.codecs[0];
  if (!c) throw new Error('MeetingRecorder | consumer without a codec');
  const [kind, name] = c.mimeType.split('/');
  const channels = c.channels && c.channels > 1 ? `/${c.channels}` : '';
  // H.264's packetization mode and profile tell ffmpeg's depacketizer what arrives.
  const fmtp = Object.entries(c.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  return [
    `m=${kind} ${leg.port} RTP/AVP ${c.payloadType}`,
    `a=rtpmap:${c.payloadType} ${name}/${c.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${c.payloadType} ${fmtp}`] : []),
    'a=recvonly',
  ];
}

function sdpOf(video: Leg, audio: readonly Leg[], mix: MixLeg | null): string {
  const mixed = mix
    ? [`m=audio ${mix.port} RTP/AVP ${MIX_PT}`, `a=rtpmap:${MIX_PT} ${MIX_RTPMAP}`, 'a=recvonly']
    : [];
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=giaoban-recording',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    ...mline(video),
    ...audio.flatMap(mline),
    ...mixed,
    '',
  ].join('\n');
}

function ffmpegArgs(mics: number, seconds: number): string[] {
  const audio =
    mics === 0
      ? []
      : mics === 1
        ? ['-map', '0:a:0', '-c:a', 'libopus', '-ar', '48000', '-b:a', '64k']
        : [
            '-filter_complex',
            `${Array.from({ length: mics }, (_, i) => `[0:a:${i}]`).join('')}amix=inputs=${mics}:duration=longest[mix]`,
            ...['-map', '[mix]', '-c:a', 'libopus', '-b:a', '64k'],
          ];
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'warning'],
    ...['-protocol_whitelist', 'file,udp,rtp', '-reorder_queue_size', '64'],
    ...['-analyzeduration', '10M', '-probesize', '10M'],
    ...['-i', 'rec.sdp'],
    ...['-map', '0:v:0', '-c:v', 'copy'],
    ...audio,
    ...['-f', 'segment', '-segment_time', String(seconds), '-segment_format', 'matroska'],
    ...['-reset_timestamps', '1', '-segment_list', SEGMENT_LIST, '-segment_list_type', 'csv'],
    SEGMENT_PATTERN,
  ];
}
