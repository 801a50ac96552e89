import { randomInt } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import { errorText, type MediaLogger } from '../logger.js';
import { SafeEmitter } from '../SafeEmitter.js';
import { LayerRewriter, type ProgramCodec } from './LayerRewriter.js';
import { keyFrameRequests } from './RtpPackets.js';

/** Spatial layers of the program stream (as the client's camera: low, medium, high). */
export const PROGRAM_LAYERS = 3;

/** How often each program layer gets a Sender Report, and a pending switch a new key-frame request. */
const TICK_MS = 1000;

const VIDEO_ORIENTATION = 'urn:3gpp:video-orientation';

/** Events of a ProgramSwitcher. */
export type ProgramSwitcherEvents = {
  /** Every layer of the program now shows this source (null: no source). */
  switched: [sourceProducerId: string | null];
};

/** One source producer as the switcher consumes it: a consumer per source layer it uses. */
interface Feed {
  readonly producer: ms.Producer;
  /** Consumer and the program layers its packets feed. */
  readonly consumers: Array<{ consumer: ms.Consumer; layers: number[] }>;
  closed: boolean;
}

/**
 * The meeting's program as ONE continuous video stream: a simulcast producer (three layers,
 * fixed SSRCs) on a DirectTransport of the meeting router, fed from Node. Viewers consume it once;
 * when the program site changes, its source changes underneath and no viewer's consumer is touched.
 *
 * For the current source — and the incoming one during a switch — the switcher holds one consumer
 * per source spatial layer on the same DirectTransport (preferred layer pinned; no bandwidth
 * estimation there, so mediasoup keeps the layer asked for). Each program layer (`LayerRewriter`)
 * rewrites SSRC, sequence numbers, timestamps and VP8 picture id / TL0PICIDX so it stays one
 * stream, and hands a layer to the new source only at that source's key frame (asked for at once).
 * Key-frame requests from the program's viewers (PLI/FIR on the DirectTransport's `rtcp`) go to
 * the current source; Sender Reports for each layer let viewers' consumers move between layers.
 *
 * Sources must be in the program's codec: VP8 (what the client publishes by default), or H.264 in
 * a meeting set to H.264 for room systems that take nothing else (`create(…, 'h264')`: browsers
 * then publish H.264 and the program is one H.264 stream, switched at IDRs; see LayerRewriter).
 * Another codec is refused and the program stays where it was. Used by MeetingMedia; SIP gateways,
 * the recorder and linked meetings may consume `producer` like any viewer.
 */
export class ProgramSwitcher extends SafeEmitter<ProgramSwitcherEvents> {
  /** The program video producer: consume it like any camera (it is simulcast). */
  readonly producer: ms.Producer;
  readonly #transport: ms.DirectTransport;
  readonly #layers: LayerRewriter[];
  readonly #consumeCaps: ms.RtpCapabilities;
  readonly #feeds = new Map<string, Feed>();
  readonly #timer: NodeJS.Timeout;
  /** The program's codec (every source must have it). */
  readonly codec: ProgramCodec;
  #target: string | null = null;
  #closed = false;

  /** The producers feeding the program now: the source, and the incoming one during a switch. */
  get sourceIds(): string[] {
    return [...this.#feeds.keys()];
  }

  /** Whether a producer can feed a program of that codec (a camera in that codec; default VP8). */
  static canCarry(producer: ms.Producer, codec: ProgramCodec = 'vp8'): boolean {
    return hasCodec(producer, codec);
  }

  /** Creates the DirectTransport and the program producer (VP8, or H.264) on the router. */
  static async create(
    router: ms.Router,
    logger: MediaLogger,
    codec: ProgramCodec = 'vp8',
  ): Promise<ProgramSwitcher> {
    const mimeType = MIME[codec];
    const cap = router.rtpCapabilities.codecs?.find(
      (c) =>
        c.mimeType.toLowerCase() === mimeType.toLowerCase() &&
        (codec !== 'h264' || Number(c.parameters?.['packetization-mode'] ?? 0) === 1),
    );
    if (!cap?.preferredPayloadType) throw new Error(`ProgramSwitcher.create() | router has no ${mimeType}`);
    const orientation = router.rtpCapabilities.headerExtensions?.find(
      (h) => h.uri === VIDEO_ORIENTATION && h.kind === 'video',
    );
    const transport = await router.createDirectTransport({ maxMessageSize: 262144 });
    try {
      const ssrcs = Array.from({ length: PROGRAM_LAYERS }, () => randomInt(1, 0xffff_ffff));
      const producer = await transport.produce({
        kind: 'video',
        rtpParameters: {
          codecs: [
            {
              mimeType,
              payloadType: cap.preferredPayloadType,
              clockRate: 90000,
              // H.264: what the router offers (constrained baseline, packetization-mode 1).
              ...(codec === 'h264' ? { parameters: { ...cap.parameters } } : {}),
              rtcpFeedback: [
                { type: 'nack', parameter: 'pli' },
                { type: 'ccm', parameter: 'fir' },
              ],
            },
          ],
          headerExtensions: orientation ? [{ uri: VIDEO_ORIENTATION, id: orientation.preferredId }] : [],
          // L1T3 as the client's encoder: viewers' consumers may still drop temporal layers.
          encodings: ssrcs.map((ssrc) => ({ ssrc, scalabilityMode: 'L1T3' })),
          rtcp: { cname: 'program', reducedSize: true },
        },
        appData: { source: 'program' },
      });
      const layers = ssrcs.map(
        (ssrc) =>
          new LayerRewriter({
            ssrc,
            payloadType: cap.preferredPayloadType as number,
            sequenceNumber: randomInt(0, 0x10000),
            timestamp: randomInt(0, 0xffff_ffff),
            pictureId: randomInt(0, 0x8000),
            tl0PicIdx: randomInt(0, 0x100),
            clockRate: 90000,
            codec,
          }),
      );
      // What the switcher's own consumers negotiate: no bandwidth estimation (no transport-cc,
      // REMB or abs-send-time), so mediasoup keeps each on the layer it was pinned to.
      const consumeCaps: ms.RtpCapabilities = {
        codecs: (router.rtpCapabilities.codecs ?? [])
          .filter((c) => c.kind === 'video')
          .map((c) => ({
            ...c,
            rtcpFeedback: (c.rtcpFeedback ?? []).filter(
              (f) => f.type !== 'transport-cc' && f.type !== 'goog-remb',
            ),
          })),
        headerExtensions: orientation ? [orientation] : [],
      };
      return new ProgramSwitcher(transport, producer, layers, consumeCaps, codec, logger);
    } catch (e) {
      transport.close();
      throw e;
    }
  }

  private constructor(
    transport: ms.DirectTransport,
    producer: ms.Producer,
    layers: LayerRewriter[],
    consumeCaps: ms.RtpCapabilities,
    codec: ProgramCodec,
    logger: MediaLogger,
  ) {
    super(logger);
    this.codec = codec;
    this.#transport = transport;
    this.producer = producer;
    this.#layers = layers;
    this.#consumeCaps = consumeCaps;
    transport.on('rtcp', (packet) => this.#onRtcp(packet));
    transport.on('routerclose', () => this.close());
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  /** The source every layer shows now (null while switching or with no source). */
  get sourceProducerId(): string | null {
    const first = this.#layers[0]?.current ?? null;
    return this.#layers.every((l) => l.current === first && l.pending === null) ? first : null;
  }

  /** The source asked for last. */
  get targetProducerId(): string | null {
    return this.#target;
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The program layer rewriters (tests). */
  get layersForTesting(): readonly LayerRewriter[] {
    return this.#layers;
  }

  /**
   * Makes `source` (a camera producer of the same router) the program. Each layer switches at the
   * source's next key frame, which is requested at once; the old source keeps the program until
   * then. null stops the program. Resolves once the source is consumed and the key frame requested
   * (not when it arrived: listen to `switched`). A source in another codec than the program's is
   * refused (logged) and ignored.
   */
  async setSource(source: ms.Producer | null): Promise<void> {
    if (this.#closed) return;
    const id = source?.id ?? null;
    if (id === this.#target) return;
    if (source && !hasCodec(source, this.codec)) {
      this.logger.warn(
        `setSource() | program needs ${MIME[this.codec]}, source refused [producerId:${source.id}]`,
      );
      return;
    }
    this.#target = id;
    for (const layer of this.#layers) layer.switchTo(id);
    if (!source) {
      this.#prune();
      this.safeEmit('switched', null);
      return;
    }
    let feed = this.#feeds.get(source.id);
    if (!feed) {
      try {
        feed = await this.#feed(source);
      } catch (e) {
        if (!source.closed && !this.#closed) {
          this.logger.warn(
            `setSource() | cannot consume source [producerId:${source.id}, error:${errorText(e)}]`,
          );
        }
        if (this.#target === id) this.#target = null;
        return;
      }
      if (this.#closed || this.#target !== id) {
        this.#prune();
        return;
      }
    }
    this.#requestKeyFrames(feed);
    this.#prune();
    if (this.sourceProducerId === id) this.safeEmit('switched', id);
  }

  /** Closes the transport (and with it the program producer and every source consumer). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const feed of this.#feeds.values()) feed.closed = true;
    this.#feeds.clear();
    if (!this.#transport.closed) this.#transport.close();
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Consumes a source: one consumer per source spatial layer, each feeding the program layers above it. */
  async #feed(producer: ms.Producer): Promise<Feed> {
    const feed: Feed = { producer, consumers: [], closed: false };
    this.#feeds.set(producer.id, feed);
    const encodings = producer.type === 'simulcast' ? (producer.rtpParameters.encodings?.length ?? 1) : 1;
    const groups = new Map<number, number[]>();
    for (let layer = 0; layer < PROGRAM_LAYERS; layer++) {
      const from = Math.min(layer, encodings - 1);
      groups.set(from, [...(groups.get(from) ?? []), layer]);
    }
    try {
      for (const [spatialLayer, layers] of groups) {
        const consumer = await this.#transport.consume({
          producerId: producer.id,
          rtpCapabilities: this.#consumeCaps,
          paused: false,
          ...(producer.type === 'simulcast' ? { preferredLayers: { spatialLayer } } : {}),
          appData: { program: true, layers },
        });
        if (feed.closed) {
          consumer.close();
          break;
        }
        feed.consumers.push({ consumer, layers });
        consumer.on('rtp', (packet) => this.#onRtp(feed, layers, packet));
        consumer.on('producerclose', () => this.#sourceGone(feed));
      }
    } catch (e) {
      this.#closeFeed(feed);
      throw e;
    }
    return feed;
  }

  #onRtp(feed: Feed, layers: number[], packet: Buffer): void {
    if (feed.closed || this.#closed) return;
    const now = Date.now();
    let switched = false;
    layers.forEach((index, i) => {
      const layer = this.#layers[index];
      if (!layer) return;
      // One source layer may feed several program layers (a source with fewer encodings).
      const buf = i === layers.length - 1 ? packet : Buffer.from(packet);
      const outcome = layer.rewrite(buf, feed.producer.id, now);
      if (outcome === 'dropped') return;
      if (outcome === 'switched') switched = true;
      this.producer.send(buf);
    });
    if (switched) {
      this.#prune();
      if (this.sourceProducerId === feed.producer.id) {
        this.logger.debug(`onRtp() | program switched [producerId:${feed.producer.id}]`);
        this.safeEmit('switched', feed.producer.id);
      }
    }
  }

  /** Viewers of the program asked for a key frame: ask the source that layer shows now. */
  #onRtcp(packet: Buffer): void {
    for (const ssrc of keyFrameRequests(packet)) {
      const layer = this.#layers.findIndex((l) => l.ssrc === ssrc);
      const source = this.#layers[layer]?.current;
      const feed = source ? this.#feeds.get(source) : undefined;
      const entry = feed?.consumers.find((c) => c.layers.includes(layer));
      entry?.consumer.requestKeyFrame().catch(() => undefined);
    }
  }

  #requestKeyFrames(feed: Feed): void {
    for (const { consumer } of feed.consumers) {
      if (!consumer.closed) consumer.requestKeyFrame().catch(() => undefined);
    }
  }

  /** Sender Reports for every layer; a switch still waiting gets its key frames asked again. */
  #tick(): void {
    if (this.#closed) return;
    const now = Date.now();
    for (const layer of this.#layers) {
      const sr = layer.senderReport(now);
      if (sr) this.#transport.sendRtcp(sr);
    }
    const waiting = this.#target !== null && this.#layers.some((l) => l.pending === this.#target);
    const feed = waiting && this.#target ? this.#feeds.get(this.#target) : undefined;
    if (feed) this.#requestKeyFrames(feed);
  }

  /**
   * The source producer closed: layers showing it stop until another source is chosen — or keep
   * waiting for the one already chosen (the policy may have moved on before the close reached us;
   * clearing them would drop that choice, and setSource() of the same target is a no-op).
   */
  #sourceGone(feed: Feed): void {
    const id = feed.producer.id;
    const next = this.#target === id ? null : this.#target;
    for (const layer of this.#layers) if (layer.current === id || layer.pending === id) layer.switchTo(next);
    if (this.#target === id) this.#target = null;
    this.#closeFeed(feed);
  }

  /** Closes the feeds no layer shows or waits for. */
  #prune(): void {
    for (const [id, feed] of this.#feeds) {
      const used = id === this.#target || this.#layers.some((l) => l.current === id || l.pending === id);
      if (!used) this.#closeFeed(feed);
    }
  }

  #closeFeed(feed: Feed): void {
    feed.closed = true;
    if (this.#feeds.get(feed.producer.id) === feed) this.#feeds.delete(feed.producer.id);
    for (const { consumer } of feed.consumers) if (!consumer.closed) consumer.close();
  }
}

const MIME: Record<ProgramCodec, string> = { vp8: 'video/VP8', h264: 'video/H264' };

/** A video producer whose media codec (its first, not RTX) is the program's. */
const hasCodec = (p: ms.Producer, codec: ProgramCodec): boolean =>
  p.kind === 'video' && p.rtpParameters.codecs[0]?.mimeType.toLowerCase() === MIME[codec].toLowerCase();
