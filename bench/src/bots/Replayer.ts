/**
 * Sends every simulated site's camera (three simulcast layers) and microphone in real time from
 * the shared pre-encoded clip. One timer drives all sites, so 200 sites cost one wake-up every few
 * milliseconds, not 200. Each site starts at a random point of the clip (so key frames of
 * different sites do not coincide), rewrites SSRC, sequence numbers, timestamps and VP8 picture
 * ids as it loops, and answers a key-frame request (PLI/FIR) by jumping to the next key frame.
 *
 * Video goes through a pacer like libwebrtc's (2.5 × the target bitrate, drained every tick):
 * a browser never sends a 100 KB key frame as one burst, and neither may the bots, or the
 * server's socket buffers would overflow on bursts no real site produces. Audio is not paced.
 */
import { randomInt } from 'node:crypto';
import { type Clip, nextKeyFrame } from '../media/Clip.js';
import {
  type FrameFields,
  keyFrameRequests,
  nackedSeqs,
  type RtpStreamState,
  type RtpTemplate,
  senderReports,
  stamp,
} from '../media/rtp.js';
import { nowMs } from '../util/log.js';

/** Payload types a site publishes with (the values Chrome offers). */
export const VP8_PT = 96;
export const OPUS_PT = 111;

/** A stall longer than this is not caught up (the frames are skipped, like a real encoder would). */
const MAX_CATCH_UP_MS = 200;
/** RTCP sender reports: the first soon after the start, then about once a second (libwebrtc's video interval). */
const FIRST_REPORT_MS = 100;
const REPORT_INTERVAL_MS = 1000;
/** libwebrtc's default pacing factor: the pacer drains at 2.5 × the encoders' target bitrate. */
const PACING_FACTOR = 2.5;
/** The pacer may send up to this much ahead of its budget in one tick (libwebrtc: 5 ms bursts). */
const MAX_BURST_MS = 5;

interface Paced {
  t: RtpTemplate;
  s: RtpStreamState;
  f: FrameFields;
}

/** Sent video packets kept per stream for retransmission (about 1.5 s of the top layer). */
const HISTORY = 256;
interface Sent extends Paced {
  seq: number;
  /** performance.now() of the last resend, so one NACK storm resends a packet once. */
  resentAt?: number;
}
/**
 * libwebrtc's limits on retransmissions: a packet is not resent again within about an RTT (on
 * loopback: this floor), and retransmissions stay within the target bitrate over a second.
 */
const MIN_RESEND_INTERVAL_MS = 10;

function newStream(payloadType: number): RtpStreamState {
  return {
    ssrc: randomInt(1, 2 ** 31),
    payloadType,
    seq: randomInt(1000, 30000),
    timestamp: randomInt(0, 2 ** 31),
    pictureId: randomInt(0, 0x7fff),
    tl0: randomInt(0, 255),
    packets: 0,
    octets: 0,
  };
}

/** Counters of one site's sending. */
export interface SenderStats {
  packets: number;
  bytes: number;
  /** Of `packets`: video (every layer, resends included) and audio. */
  videoPackets: number;
  audioPackets: number;
  keyFrameRequests: number;
  /** Packets sent again because the server NACKed them (a browser does the same). */
  retransmitted: number;
  stalls: number;
}

/** The sending half of one simulated site. */
export class SiteSender {
  readonly video: RtpStreamState[];
  readonly audio: RtpStreamState;
  readonly stats: SenderStats = {
    packets: 0,
    bytes: 0,
    videoPackets: 0,
    audioPackets: 0,
    keyFrameRequests: 0,
    retransmitted: 0,
    stalls: 0,
  };
  /**
   * Dynacast, as the client does it: only the lowest `#activeLayers` encodings are sent (the hub's
   * `media:publishLayers`); a layer switched back on starts with a key frame, as an encoder does.
   */
  #activeLayers: number;
  /** The microphone sends only while the hub forwards it (`media:micState` open), as the client. */
  #audioOn = true;
  /** performance.now() of the last switch of the microphone on, and of its first packet after it. */
  audioOnAt: number | null = null;
  firstAudioAfterOnAt: number | null = null;
  /** Recently sent video packets by layer, indexed by sequence number modulo HISTORY. */
  readonly #history: (Sent | undefined)[][];
  readonly #cursor: number[];
  readonly #keyWanted: boolean[];
  #audioCursor = 0;
  #nextVideoAt = 0;
  #nextAudioAt = 0;
  #nextReportAt = 0;
  /** performance.now() when the last video frame / audio packet went out (their RTP times are known). */
  #lastFrameAt = 0;
  #lastAudioAt = 0;
  readonly #framePeriodMs: number;
  readonly #frameTicks: number;
  readonly #queue: Paced[] = [];
  #queueHead = 0;
  /** Pacer budget in bytes, and its rate in bytes per ms. */
  #budget = 0;
  readonly #pacingBytesPerMs: number;
  #lastTick = 0;
  /** Retransmission budget in bytes (token bucket at the target bitrate, one second deep). */
  #resendBudget = 0;
  readonly #targetBytesPerMs: number;

  constructor(
    private readonly clip: Clip,
    private readonly send: (packet: Buffer) => boolean,
    mark = 0,
  ) {
    this.video = clip.layers.map(() => ({ ...newStream(VP8_PT), mark }));
    this.audio = newStream(OPUS_PT);
    const start = randomInt(0, clip.layers[0]?.frames.length ?? 1);
    this.#cursor = clip.layers.map(() => start);
    this.#keyWanted = clip.layers.map(() => false);
    this.#history = clip.layers.map(() => new Array<Sent | undefined>(HISTORY));
    this.#audioCursor = randomInt(0, Math.max(1, clip.audio.length));
    this.#framePeriodMs = 1000 / clip.spec.fps;
    this.#frameTicks = Math.round(90000 / clip.spec.fps);
    const kbps = clip.layers.reduce((a, l) => a + l.spec.kbps, 0);
    this.#pacingBytesPerMs = (PACING_FACTOR * kbps * 1000) / 8 / 1000;
    this.#targetBytesPerMs = (kbps * 1000) / 8 / 1000;
    this.#activeLayers = clip.layers.length;
  }

  /** Simulcast layers being sent (lowest first). */
  get activeLayers(): number {
    return this.#activeLayers;
  }

  /** Whether the microphone sends. */
  get audioOn(): boolean {
    return this.#audioOn;
  }

  /**
   * Sends only the lowest `n` layers from the next frame on (at least one); a layer switched on
   * starts at a key frame. Packets of a stopped layer already in the pacer still go out, as in
   * libwebrtc.
   */
  setActiveLayers(n: number): void {
    const next = Math.max(1, Math.min(this.video.length, Math.floor(n)));
    for (let i = this.#activeLayers; i < next; i++) this.#keyWanted[i] = true;
    this.#activeLayers = next;
  }

  /** Starts or stops the microphone (no packets at all while off; the RTP clock keeps running). */
  setAudio(on: boolean): void {
    if (on && !this.#audioOn) {
      this.audioOnAt = performance.now();
      this.firstAudioAfterOnAt = null;
    }
    this.#audioOn = on;
  }

  /** Packets waiting in the pacer. */
  get queued(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** SSRCs of the simulcast layers, lowest first. */
  get videoSsrcs(): number[] {
    return this.video.map((s) => s.ssrc);
  }

  /**
   * Handles RTCP from the server: a PLI or FIR makes that layer jump to its next key frame; a
   * NACK resends the packets it names, if still in the history.
   */
  onRtcp(packet: Buffer): void {
    for (const [ssrc, seqs] of nackedSeqs(packet)) {
      const layer = this.video.findIndex((s) => s.ssrc === ssrc);
      const history = this.#history[layer];
      if (!history) continue;
      const now = performance.now();
      for (const seq of seqs) {
        const sent = history[seq % HISTORY];
        if (sent?.seq !== seq || this.#resendBudget < sent.t.buf.length) continue;
        if (sent.resentAt !== undefined && now - sent.resentAt < MIN_RESEND_INTERVAL_MS) continue;
        sent.resentAt = now;
        this.#resendBudget -= sent.t.buf.length;
        this.stats.retransmitted++;
        this.stats.videoPackets++;
        this.#out(stamp(sent.t, sent.s, sent.f, seq));
      }
    }
    for (const ssrc of keyFrameRequests(packet)) {
      const layer = this.video.findIndex((s) => s.ssrc === ssrc);
      if (layer >= 0) {
        this.#keyWanted[layer] = true;
        this.stats.keyFrameRequests++;
      }
    }
  }

  /** Starts the clocks at `now` (+ a random phase, so sites do not send in lockstep). */
  begin(now: number): void {
    this.#nextVideoAt = now + Math.random() * this.#framePeriodMs;
    this.#nextAudioAt = now + Math.random() * 20;
    this.#nextReportAt = now + FIRST_REPORT_MS;
    this.#lastFrameAt = this.#nextVideoAt;
    this.#lastAudioAt = this.#nextAudioAt;
    this.#lastTick = now;
  }

  /** Sends whatever is due at `now`. */
  tick(now: number): void {
    if (now - this.#nextVideoAt > MAX_CATCH_UP_MS) {
      const skipped = Math.floor((now - this.#nextVideoAt) / this.#framePeriodMs);
      this.#nextVideoAt += skipped * this.#framePeriodMs;
      for (const s of this.video) s.timestamp += skipped * this.#frameTicks;
      this.stats.stalls++;
    }
    while (now >= this.#nextVideoAt) {
      this.#sendFrame();
      this.#lastFrameAt = this.#nextVideoAt;
      this.#nextVideoAt += this.#framePeriodMs;
    }
    if (now - this.#nextAudioAt > MAX_CATCH_UP_MS) {
      const skipped = Math.floor((now - this.#nextAudioAt) / 20);
      this.#nextAudioAt += skipped * 20;
      this.audio.timestamp += skipped * 960;
    }
    while (now >= this.#nextAudioAt) {
      const t = this.clip.audio[this.#audioCursor];
      this.#audioCursor = (this.#audioCursor + 1) % this.clip.audio.length;
      if (t && this.#audioOn) {
        this.#out(stamp(t, this.audio));
        this.stats.audioPackets++;
        if (this.audioOnAt !== null) this.firstAudioAfterOnAt ??= performance.now();
      }
      this.audio.timestamp += 960;
      this.#lastAudioAt = this.#nextAudioAt;
      this.#nextAudioAt += 20;
    }
    this.#pace(now);
    if (now >= this.#nextReportAt) {
      this.#nextReportAt = now + REPORT_INTERVAL_MS;
      this.#report(now);
    }
  }

  /** Sends queued video packets as the pacing budget allows. */
  #pace(now: number): void {
    this.#resendBudget = Math.min(
      this.#resendBudget + (now - this.#lastTick) * this.#targetBytesPerMs,
      1000 * this.#targetBytesPerMs,
    );
    this.#budget = Math.min(
      this.#budget + (now - this.#lastTick) * this.#pacingBytesPerMs,
      MAX_BURST_MS * this.#pacingBytesPerMs,
    );
    this.#lastTick = now;
    while (this.#queueHead < this.#queue.length && this.#budget > 0) {
      const p = this.#queue[this.#queueHead++] as Paced;
      this.#budget -= p.t.buf.length;
      const seq = p.s.seq;
      const history = this.#history[this.video.indexOf(p.s)];
      if (history) {
        (p as Sent).seq = seq;
        (p as Sent).resentAt = undefined;
        history[seq % HISTORY] = p as Sent;
      }
      this.stats.videoPackets++;
      this.#out(stamp(p.t, p.s, p.f));
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
      this.#budget = Math.max(0, this.#budget);
    }
  }

  /** One compound sender report for the layers being sent and the microphone (if it sends). */
  #report(now: number): void {
    const wall = nowMs() - (performance.now() - now);
    const streams = this.video.slice(0, this.#activeLayers);
    if (this.#audioOn) streams.push(this.audio);
    const packet = senderReports(streams, wall, (s) =>
      s === this.audio
        ? s.timestamp - 960 + Math.round((now - this.#lastAudioAt) * 48)
        : s.timestamp - this.#frameTicks + Math.round((now - this.#lastFrameAt) * 90),
    );
    try {
      this.send(packet);
    } catch {
      // track closed
    }
  }

  #sendFrame(): void {
    this.clip.layers.forEach((layer, i) => {
      const s = this.video[i] as RtpStreamState;
      let at = this.#cursor[i] as number;
      if (this.#keyWanted[i]) {
        at = nextKeyFrame(layer, at);
        this.#keyWanted[i] = false;
      }
      const frame = i < this.#activeLayers ? layer.frames[at] : undefined;
      if (frame) {
        const f: FrameFields = { timestamp: s.timestamp, pictureId: s.pictureId, tl0: s.tl0 };
        for (const t of frame.packets) this.#queue.push({ t, s, f });
      }
      this.#cursor[i] = (at + 1) % layer.frames.length;
      s.timestamp += this.#frameTicks;
      s.pictureId = (s.pictureId + 1) & 0x7fff;
      s.tl0 = (s.tl0 + 1) & 0xff;
    });
  }

  #out(packet: Buffer): void {
    try {
      if (this.send(packet)) {
        this.stats.packets++;
        this.stats.bytes += packet.length;
      }
    } catch {
      // The track closed under us (site leaving): nothing to send to.
    }
  }
}

/** Drives every registered sender from one timer. */
export class Replayer {
  readonly #senders = new Set<SiteSender>();
  #timer: NodeJS.Timeout | null = null;

  /** Starts sending for a site. */
  add(sender: SiteSender): void {
    sender.begin(performance.now());
    this.#senders.add(sender);
    this.#timer ??= setInterval(() => {
      const now = performance.now();
      for (const s of this.#senders) s.tick(now);
    }, 4);
  }

  /** Stops sending for a site. */
  remove(sender: SiteSender): void {
    this.#senders.delete(sender);
    if (this.#senders.size === 0) this.stop();
  }

  /** Stops the timer (sites stay registered only if added again). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#senders.clear();
  }
}
