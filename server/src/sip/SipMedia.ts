import type { ParticipantId, SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { log } from '../log/log.js';
import type { MeetingMedia } from '../media/index.js';
import { AudioMix } from '../media/mix/AudioMix.js';
import { RtpRelay } from './RtpRelay.js';
import type { AnswerPort, PickedMedia } from './SdpMapping.js';

/** What the call learns from its media. */
export interface SipMediaHandlers {
  dtmf(digit: string): void;
  /** The hub wants a key frame from the room system: the call also sends INFO picture_fast_update. */
  keyFrameRequested(): void;
}

interface Line {
  picked: PickedMedia;
  relay: RtpRelay;
  transport: ms.PlainTransport;
  producer: ms.Producer | null;
}

/**
 * A room system's media in the meeting router: per media line a relay (RtpRelay) and a loopback
 * PlainTransport; its camera and microphone produced as the site's once their first packet shows
 * the SSRC; the program video consumed back to it (in the program's codec), and one audio stream mixed from the
 * open microphones (AudioMix).
 */
export class SipMedia {
  readonly #lines: Line[] = [];
  readonly #media: MeetingMedia;
  readonly #who: { participantId: ParticipantId; siteId: SiteId };
  #program: ms.Consumer | null = null;
  #mix: AudioMix | null = null;
  #closed = false;

  private constructor(media: MeetingMedia, who: { participantId: ParticipantId; siteId: SiteId }) {
    this.#media = media;
    this.#who = who;
  }

  /** Opens relays and transports for the picked lines; nothing flows until the room system sends. */
  static async open(
    media: MeetingMedia,
    who: { participantId: ParticipantId; siteId: SiteId },
    picked: PickedMedia[],
    listenIp: string,
    handlers: SipMediaHandlers,
  ): Promise<SipMedia> {
    const self = new SipMedia(media, who);
    try {
      for (const p of picked) await self.#openLine(p, listenIp, handlers);
      const video = self.#lines.find((l) => l.picked.kind === 'video');
      // The program goes back as it is: only to a line in the program's codec (VP8, or H.264 mode 1).
      if (video?.picked.programCodec && video.picked.offer.direction !== 'sendonly') {
        await self.#consumeProgram(video);
      }
      const audio = self.#lines.find((l) => l.picked.kind === 'audio');
      if (audio && audio.picked.offer.direction !== 'sendonly') {
        self.#mix = await AudioMix.start({
          router: media.edgeRouter,
          codec: audio.picked.codec.name.toUpperCase() as 'G722' | 'PCMU' | 'PCMA',
          send: (packet) => audio.relay.sendToPeer(packet),
        });
      }
      return self;
    } catch (e) {
      self.close();
      throw e;
    }
  }

  /** Our ports, for the SDP answer. */
  get ports(): AnswerPort[] {
    return this.#lines.map((l) => ({
      index: l.picked.index,
      rtpPort: l.relay.rtpPort,
      rtcpPort: l.relay.rtcpPort,
    }));
  }

  /** The room system's producers (camera, mic) once flowing. */
  get producers(): ms.Producer[] {
    return this.#lines.flatMap((l) => (l.producer ? [l.producer] : []));
  }

  /** The meeting's program codec: what a room system's video line is picked in first. */
  get videoCodec(): 'vp8' | 'h264' {
    return this.#media.program.codec;
  }

  /** The program consumer sent to the room system (peers taking the program's codec only). */
  get programConsumer(): ms.Consumer | null {
    return this.#program;
  }

  /** The mixer of the audio sent to the room system. */
  get mix(): AudioMix | null {
    return this.#mix;
  }

  /** Relay counters per kind (tests, roll call). */
  relayStats(kind: 'audio' | 'video'): RtpRelay['stats'] | undefined {
    return this.#lines.find((l) => l.picked.kind === kind)?.relay.stats;
  }

  /** Whether the hub sends media on that line (false while the room system holds the call). */
  sending(kind: 'audio' | 'video'): boolean | undefined {
    return this.#lines.find((l) => l.picked.kind === kind)?.relay.sending;
  }

  /** Packets received from the room system on every line (media inactivity check). */
  get packetsFromPeer(): number {
    return this.#lines.reduce((n, l) => n + l.relay.stats.fromPeer, 0);
  }

  /** The room system asked for a key frame of what we send (SIP INFO picture_fast_update). */
  requestProgramKeyFrame(): void {
    void this.#program?.requestKeyFrame().catch(() => {});
  }

  /**
   * Applies a re-INVITE's offer (already picked in the same codecs): each line's new address or
   * port, and its direction — on hold (`sendonly` / `inactive`) nothing is sent to the room system;
   * on resume the program is asked for a key frame so its picture comes back at once.
   */
  applyOffer(picked: PickedMedia[]): void {
    for (const l of this.#lines) {
      const p = picked.find((x) => x.kind === l.picked.kind);
      if (!p) continue;
      const receive = p.offer.direction === 'sendrecv' || p.offer.direction === 'recvonly';
      const wasSending = l.relay.sending;
      l.relay.update({
        peer: { address: p.offer.address, rtpPort: p.offer.port, rtcpPort: p.offer.rtcpPort },
        rtcpMux: p.offer.rtcpMux,
        receive,
      });
      l.relay.peerPt = p.codec.pt;
      if (p.dtmf) l.picked = { ...l.picked, dtmf: p.dtmf };
      if (l.picked.kind === 'video' && !wasSending && l.relay.sending) this.requestProgramKeyFrame();
    }
  }

  /** Whether a re-INVITE's offer keeps every line's codec (a change would need new producers). */
  sameCodecs(picked: PickedMedia[]): boolean {
    return this.#lines.every((l) => {
      const p = picked.find((x) => x.kind === l.picked.kind);
      return !p || p.mimeType === l.picked.mimeType;
    });
  }

  /** Sets which microphones the mix carries (open mics of other sites), following the policy. */
  setMixSources(producers: ms.Producer[]): Promise<void> {
    return this.#mix?.setSources(producers) ?? Promise.resolve();
  }

  /** Pauses the program sent to the room system while it is itself the program (no mirror). */
  async setProgramPaused(paused: boolean): Promise<void> {
    const c = this.#program;
    if (!c || c.closed || c.paused === paused) return;
    await (paused ? c.pause() : c.resume()).catch(() => {});
    if (!paused) await c.requestKeyFrame().catch(() => {});
  }

  /** Closes relays, transports (and with them producers and consumers) and the mixer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#mix?.close();
    for (const l of this.#lines) {
      l.relay.close();
      if (!l.transport.closed) l.transport.close();
    }
  }

  async #openLine(p: PickedMedia, listenIp: string, handlers: SipMediaHandlers): Promise<void> {
    const router = this.#media.edgeRouter;
    let line: Line | null = null;
    const relay = await RtpRelay.open({
      kind: p.kind,
      listenIp,
      peer: { address: p.offer.address, rtpPort: p.offer.port, rtcpPort: p.offer.rtcpPort },
      rtcpMux: p.offer.rtcpMux,
      peerPt: p.codec.pt,
      dtmfPt: p.dtmf?.pt ?? null,
      handlers: {
        firstRtp: (ssrc) => {
          if (line) void this.#produce(line, ssrc);
        },
        dtmf: (d) => handlers.dtmf(d),
        keyFrameRequested: () => handlers.keyFrameRequested(),
      },
    });
    let transport: ms.PlainTransport;
    try {
      // The room-system side is the relay; mediasoup's side stays on loopback (see RtpRelay).
      transport = await router.createPlainTransport({
        listenIp: '127.0.0.1',
        rtcpMux: true,
        comedia: false,
        appData: { sip: true, siteId: this.#who.siteId, kind: p.kind },
      });
      await transport.connect({ ip: '127.0.0.1', port: relay.innerPort });
    } catch (e) {
      relay.close();
      throw e;
    }
    relay.connectMediasoup(transport.tuple.localIp, transport.tuple.localPort);
    line = { picked: p, relay, transport, producer: null };
    this.#lines.push(line);
  }

  async #produce(line: Line, ssrc: number): Promise<void> {
    if (this.#closed || line.producer) return;
    const p = line.picked;
    try {
      const producer = await line.transport.produce({
        kind: p.kind,
        rtpParameters: {
          codecs: [
            {
              mimeType: p.mimeType,
              clockRate: p.kind === 'audio' ? 8000 : 90000,
              payloadType: line.relay.receivedPt ?? p.codec.pt,
              ...(p.kind === 'audio' ? { channels: 1 } : {}),
              parameters: p.parameters,
              rtcpFeedback:
                p.kind === 'video'
                  ? [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }]
                  : [],
            },
          ],
          encodings: [{ ssrc }],
        },
        appData: { sip: true, siteId: this.#who.siteId },
      });
      if (this.#closed) {
        producer.close();
        return;
      }
      line.producer = producer;
      this.#media.addEdgeProducer({
        producer,
        participantId: this.#who.participantId,
        siteId: this.#who.siteId,
        role: 'site',
        source: p.kind === 'audio' ? 'mic' : 'camera',
      });
      log.info('SipMedia.produce()', 'room system media in the meeting', {
        siteId: this.#who.siteId,
        kind: p.kind,
        mimeType: p.mimeType,
        ssrc,
      });
    } catch (e) {
      log.warn('SipMedia.produce()', `mediasoup refused the room system's ${p.kind}`, {
        siteId: this.#who.siteId,
        error: (e as Error).message,
      });
    }
  }

  async #consumeProgram(line: Line): Promise<void> {
    const producer = this.#media.program.producer;
    const h264 = this.#media.program.codec === 'h264';
    const consumer = await line.transport.consume({
      producerId: producer.id,
      rtpCapabilities: {
        codecs: [
          {
            kind: 'video',
            mimeType: h264 ? 'video/H264' : 'video/VP8',
            clockRate: 90000,
            // The room system answered H.264 constrained baseline, packetization-mode 1.
            ...(h264
              ? {
                  parameters: {
                    'packetization-mode': 1,
                    'profile-level-id': '42e01f',
                    'level-asymmetry-allowed': 1,
                  },
                }
              : {}),
            rtcpFeedback: [
              { type: 'nack' },
              { type: 'nack', parameter: 'pli' },
              { type: 'ccm', parameter: 'fir' },
            ],
          },
        ],
        headerExtensions: [],
      },
      appData: { sip: true, siteId: this.#who.siteId, source: 'program' },
    });
    // A room system has no bandwidth estimation here: pin the top layer of the program.
    await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 }).catch(() => {});
    this.#program = consumer;
  }
}
