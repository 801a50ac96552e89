import type { RelayEndpoint, RelayStream, SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import type { MediaConfig, MeetingMedia } from '../media/index.js';

/**
 * One end of a hub-to-hub media link: a mediasoup PipeTransport with SRTP on a meeting's router.
 * No transcoding: streams cross as RTP, produced on the far side with the consumer's parameters.
 */
export class RelayPipe {
  readonly #transport: ms.PipeTransport;
  /** What lives only as long as this pipe (the parent's audio mix for this link). */
  readonly #owned: Array<() => void> = [];
  #closed = false;

  private constructor(transport: ms.PipeTransport) {
    this.#transport = transport;
  }

  /** Opens a PipeTransport (SRTP on) on the meeting's router, on the media listen address. */
  static async open(
    media: MeetingMedia,
    config: Pick<MediaConfig, 'listenIp' | 'announcedIp'>,
  ): Promise<RelayPipe> {
    const transport = await media.edgeRouter.createPipeTransport({
      listenIp: { ip: config.listenIp, ...(config.announcedIp ? { announcedIp: config.announcedIp } : {}) },
      enableSrtp: true,
      enableRtx: false,
      appData: { relay: true },
    });
    return new RelayPipe(transport);
  }

  /** Where this end listens, and its SRTP key, for the other hub. */
  get endpoint(): RelayEndpoint {
    const { localIp, localPort } = this.#transport.tuple;
    const srtp = this.#transport.srtpParameters;
    if (!srtp) throw new Error('RelayPipe | PipeTransport has no SRTP parameters');
    return { ip: localIp, port: localPort, srtpParameters: srtp };
  }

  get closed(): boolean {
    return this.#closed || this.#transport.closed;
  }

  /** Connects to the other hub's end. */
  async connect(remote: RelayEndpoint): Promise<void> {
    await this.#transport.connect({
      ip: remote.ip,
      port: remote.port,
      srtpParameters: remote.srtpParameters,
    });
  }

  /** Sends a producer of this meeting to the other hub; returns what the far side produces it with. */
  async send(producer: ms.Producer, source: RelayStream['source']): Promise<RelayStream> {
    const consumer = await this.#transport.consume({ producerId: producer.id });
    return {
      kind: consumer.kind,
      source,
      producerId: producer.id,
      rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
    };
  }

  /** Produces a stream the other hub sends on this pipe into this meeting's router. */
  async receive(stream: RelayStream): Promise<ms.Producer> {
    return this.#transport.produce({
      kind: stream.kind,
      rtpParameters: stream.rtpParameters as unknown as ms.RtpParameters,
      appData: { relay: true, source: stream.source },
    });
  }

  /** Closes `close` with this pipe (at once if it is closed already). */
  own(close: () => void): void {
    if (this.closed) close();
    else this.#owned.push(close);
  }

  /** Closes the transport and everything on it. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const close of this.#owned.splice(0)) close();
    if (!this.#transport.closed) this.#transport.close();
  }
}

/** Who the parent hub puts the child's program under: the relay link's site, as its camera. */
export interface RelaySiteOf {
  participantId: string;
  siteId: SiteId;
}
