import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import type { SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import type { MeetingMedia } from '../MeetingMedia.js';
import { AudioMix } from '../mix/AudioMix.js';

/** How often a mix looks at which microphones its meeting hears. */
const FOLLOW_MS = 250;

/**
 * What a meeting sounds like as ONE audio producer on its router: the microphones given to
 * `setSources` (the open ones), mixed to G.722 (`AudioMix`, silence when nobody speaks) and sent
 * over loopback into a PlainTransport, where it is an ordinary producer — a linked meeting pipes it
 * to its child hub (docs/LINKED-MEETINGS.md). The router offers G.722 for room systems already, and
 * browsers decode it, so nothing downstream transcodes.
 */
export class ProgramAudio {
  readonly producer: ms.Producer;
  readonly #transport: ms.PlainTransport;
  readonly #socket: dgram.Socket;
  readonly #mix: AudioMix;
  #follow: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(
    transport: ms.PlainTransport,
    producer: ms.Producer,
    socket: dgram.Socket,
    mix: AudioMix,
  ) {
    this.#transport = transport;
    this.producer = producer;
    this.#socket = socket;
    this.#mix = mix;
  }

  /** Opens the transport, the producer and the mixer (silent until sources are set). */
  static async start(router: ms.Router, ffmpeg?: string): Promise<ProgramAudio> {
    const g722 = router.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'audio/g722');
    if (!g722?.preferredPayloadType) throw new Error('ProgramAudio.start() | router has no G.722');
    const payloadType = g722.preferredPayloadType;
    const ssrc = randomInt(1, 0xffff_ffff);
    const transport = await router.createPlainTransport({
      listenIp: '127.0.0.1',
      rtcpMux: true,
      comedia: true,
      appData: { programAudio: true },
    });
    const socket = dgram.createSocket('udp4');
    try {
      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/G722', payloadType, clockRate: 8000 }],
          encodings: [{ ssrc }],
        },
        appData: { source: 'program' },
      });
      const port = transport.tuple.localPort;
      const mix = await AudioMix.start({
        router,
        codec: 'G722',
        ...(ffmpeg ? { ffmpeg } : {}),
        send: (packet) => {
          // The mixer leaves the payload type to its user, and its SSRC is its own: ours is declared.
          packet[1] = payloadType & 0x7f;
          packet.writeUInt32BE(ssrc, 8);
          socket.send(packet, port, '127.0.0.1');
        },
      });
      return new ProgramAudio(transport, producer, socket, mix);
    } catch (e) {
      socket.close();
      transport.close();
      throw e;
    }
  }

  /**
   * Opens a mix of what `media` hears (`heardMics`: no talk-back answer, no self-muted room) but
   * `exceptSiteId`'s (mix-minus: a linked meeting must not hear itself back), following the floor
   * until closed.
   */
  static async ofMeeting(media: MeetingMedia, exceptSiteId: SiteId | null): Promise<ProgramAudio> {
    const audio = await ProgramAudio.start(media.edgeRouter);
    const follow = (): void => {
      if (audio.closed || media.closed) return;
      const heard = media
        .heardMics()
        .filter((rp) => rp.siteId !== exceptSiteId)
        .map((rp) => rp.producer);
      void audio.setSources(heard);
    };
    follow();
    audio.#follow = setInterval(follow, FOLLOW_MS);
    audio.#follow.unref();
    return audio;
  }

  /** Makes the mix carry exactly these microphones. */
  setSources(producers: ms.Producer[]): Promise<void> {
    return this.#closed ? Promise.resolve() : this.#mix.setSources(producers);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops the mixer and closes the transport (and the producer with it). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#follow) clearInterval(this.#follow);
    this.#mix.close();
    this.#socket.close();
    if (!this.#transport.closed) this.#transport.close();
  }
}
