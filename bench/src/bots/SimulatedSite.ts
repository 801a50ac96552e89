/**
 * A simulated bridge point (or chair, or operator): speaks the hub's public socket.io protocol
 * exactly as the browser client does (join, RTP capabilities, receive transport, then send
 * transport and two producers), and does real ICE, DTLS and SRTP through libdatachannel
 * (node-datachannel) against the hub's mediasoup WebRtcTransports. It publishes the pre-encoded
 * clip (see Replayer) and counts what it receives (see Receiver).
 */
import {
  type ClientAckData,
  type ClientEventName,
  type ClientPayload,
  type ClientToServerEvents,
  type ConsumerInfo,
  type JoinResult,
  PROTOCOL_VERSION,
  type Result,
  type ServerToClientEvents,
  type TransportInfo,
} from '@giaoban/shared';
import nodeDataChannel from 'node-datachannel';
import { io, type Socket } from 'socket.io-client';
import type { Clip } from '../media/Clip.js';
import { siteMark } from '../media/rtp.js';
import { nowMs, waitFor } from '../util/log.js';
import { SiteReceiver } from './Receiver.js';
import { OPUS_PT, type Replayer, SiteSender, VP8_PT } from './Replayer.js';
import { localDtlsParameters, remoteDescription } from './sdp.js';

type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Who a simulated participant is and where it connects. */
export interface SiteIdentity {
  /** Log name, e.g. the site id. */
  name: string;
  role: 'site' | 'chair' | 'operator';
  siteId: string | null;
  /** Join token (hub) or an identity string (bare harness). */
  token: string;
}

/** Milestones of one join, in ms since `start` (wall clock, comparable across processes). */
export interface JoinTimings {
  start: number;
  socketConnected?: number;
  joined?: number;
  recvConnected?: number;
  sendConnected?: number;
  produced?: number;
  firstPacket?: number;
  firstKeyFrame?: number;
  /** `media:newConsumers` batches and consumers announced until the first program key frame. */
  batchesToKeyFrame?: number;
  consumersToKeyFrame?: number;
}

const BWE_FEEDBACK = new Set(['transport-cc', 'goog-remb']);
const BWE_EXTENSIONS = new Set([
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
]);

/**
 * Our receive capabilities: the router's, minus congestion-control feedback (transport-cc, REMB),
 * which these bots do not send. Without it mediasoup sends the layers the policy asks for without
 * bandwidth probing; a browser would send transport-cc feedback (see docs/BENCHMARKS.md).
 */
export function botRtpCapabilities(router: Record<string, unknown>): Record<string, unknown> {
  const caps = structuredClone(router) as {
    codecs?: { rtcpFeedback?: { type: string }[] }[];
    headerExtensions?: { uri: string }[];
  };
  for (const c of caps.codecs ?? [])
    c.rtcpFeedback = (c.rtcpFeedback ?? []).filter((f) => !BWE_FEEDBACK.has(f.type));
  caps.headerExtensions = (caps.headerExtensions ?? []).filter((h) => !BWE_EXTENSIONS.has(h.uri));
  return caps as Record<string, unknown>;
}

/** A request the hub has not answered by then has failed. */
const REQUEST_TIMEOUT_MS = 30_000;

const rtcConfig = { iceServers: [] as string[], bindAddress: '127.0.0.1' };

export class SimulatedSite {
  readonly receiver = new SiteReceiver();
  readonly timings: JoinTimings;
  sender: SiteSender | null = null;
  join: JoinResult | null = null;
  socket: HubSocket | null = null;
  consumersAnnounced = 0;
  /** `media:newConsumers` messages received (each announces one batch of consumers). */
  batchesAnnounced = 0;
  /** Dynacast messages received, and the microphone state the hub last sent. */
  publishLayersReceived = 0;
  micStates = 0;
  /** Whether the hub forwards our microphone (null: not told; sends, as the client does). */
  micOpen: boolean | null = null;
  /** Wall-clock ms when the hub last told us our microphone is open. */
  micOpenedAt: number | null = null;
  /** Our camera's producer id, once `media:produce` answered. */
  cameraProducerId: string | null = null;
  /** `media:publishLayers` for a producer whose id we do not know yet (it may come before the answer). */
  readonly #layersFor = new Map<string, number>();
  /** Last `meeting:changed` arrival per change type (the fan-out scenario watches these). */
  readonly #changeListeners: ((batch: { version: number; changes: { type: string }[] }) => void)[] = [];
  #sendPc: nodeDataChannel.PeerConnection | null = null;
  #recvPc: nodeDataChannel.PeerConnection | null = null;
  /**
   * Strong references to the tracks: node-datachannel stops delivering a track's messages once
   * its JS wrapper is garbage-collected, which a track only captured in a callback soon is.
   */
  #recvTrack: nodeDataChannel.Track | null = null;
  #sendTrack: nodeDataChannel.Track | null = null;
  #sendState = 'new';
  #recvState = 'new';
  #closed = false;

  constructor(
    readonly identity: SiteIdentity,
    private readonly url: string,
    private readonly clip: Clip,
    private readonly replayer: Replayer,
  ) {
    this.timings = { start: nowMs() };
  }

  /** Whether this participant publishes a camera and microphone. */
  get publishes(): boolean {
    return this.identity.role !== 'operator';
  }

  /** Connects, joins and sets up media; resolves once both transports are connected and producing. */
  async start(
    options: { receive?: boolean; publish?: boolean; visibleTiles?: string[] } = {},
  ): Promise<void> {
    this.timings.start = nowMs();
    const socket: HubSocket = io(this.url, {
      auth: { token: this.identity.token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
    });
    this.socket = socket;
    socket.on('media:newConsumers', (infos: ConsumerInfo[], ack) => {
      for (const info of infos) this.receiver.addConsumer(info);
      this.consumersAnnounced += infos.length;
      this.batchesAnnounced++;
      ack(infos.map(() => ({ ok: true, data: null })));
    });
    // Dynacast, as the client's publisher: send only the encodings anyone consumes, and no audio
    // while the hub does not forward the microphone (so the hub's ingest is what real pages cause).
    socket.on('media:publishLayers', ({ producerId, spatialLayers }) => {
      this.publishLayersReceived++;
      if (this.sender && producerId === this.cameraProducerId) this.sender.setActiveLayers(spatialLayers);
      else this.#layersFor.set(producerId, spatialLayers);
    });
    socket.on('media:micState', (mic) => {
      this.micStates++;
      if (mic.open && this.micOpen !== true) this.micOpenedAt = nowMs();
      this.micOpen = mic.open;
      // As the client: a site's microphone follows the hub; the chair's is always sent.
      if (this.identity.role === 'site') this.sender?.setAudio(mic.open);
    });
    socket.on('meeting:changed', (batch) => {
      for (const l of this.#changeListeners) l(batch);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(new Error(`${this.identity.name}: ${err.message}`)));
    });
    this.timings.socketConnected = nowMs();
    this.join = await this.request('meeting:join', {});
    this.timings.joined = nowMs();
    this.receiver.onFirstKeyFrame(() => {
      this.timings.firstKeyFrame = this.receiver.firstKeyFrameAt ?? nowMs();
      this.timings.batchesToKeyFrame = this.batchesAnnounced;
      this.timings.consumersToKeyFrame = this.consumersAnnounced;
    });
    if (options.receive !== false) {
      await this.request('media:setRtpCapabilities', {
        rtpCapabilities: botRtpCapabilities(this.join.routerRtpCapabilities),
      });
      const info = await this.request('media:createTransport', { direction: 'recv' });
      await this.#openRecv(info);
      if (options.visibleTiles)
        await this.request('media:visibleTiles', { siteIds: options.visibleTiles as never });
    }
    if (this.publishes && options.publish !== false) {
      const info = await this.request('media:createTransport', { direction: 'send' });
      await this.#openSend(info);
    }
  }

  /** Calls `fn` with every `meeting:changed` batch this participant receives. */
  onChanged(fn: (batch: { version: number; changes: { type: string }[] }) => void): void {
    this.#changeListeners.push(fn);
  }

  /** Sends one request and returns its data; throws on a refusal. */
  async request<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<ClientAckData[E]> {
    const socket = this.socket;
    if (!socket) throw new Error('request() | not connected');
    const result = await new Promise<Result<ClientAckData[E]>>((resolve) => {
      // biome-ignore lint/suspicious/noExplicitAny: socket.io's typed emit cannot express a generic event
      (socket.timeout(REQUEST_TIMEOUT_MS).emit as any)(
        event,
        payload,
        (err: unknown, r: Result<ClientAckData[E]>) =>
          resolve(
            err
              ? {
                  ok: false,
                  error: { code: 'UNAVAILABLE', message: `no answer within ${REQUEST_TIMEOUT_MS} ms` },
                }
              : r,
          ),
      );
    });
    if (!result.ok)
      throw new Error(
        `${this.identity.name}: ${event} refused: ${result.error.code} ${result.error.message}`,
      );
    return result.data;
  }

  async #openRecv(info: TransportInfo): Promise<void> {
    const pc = new nodeDataChannel.PeerConnection(`${this.identity.name}-recv`, rtcConfig);
    this.#recvPc = pc;
    pc.onStateChange((state) => {
      this.#recvState = state;
      if (state === 'connected') this.timings.recvConnected ??= nowMs();
    });
    pc.onTrack((track) => {
      this.#recvTrack = track;
      this.receiver.sendRtcp = (packet) => {
        track.sendMessageBinary(packet);
      };
      track.onMessage((msg) => {
        this.receiver.onPacket(msg);
        if (this.timings.firstPacket === undefined && this.receiver.firstPacketAt !== null) {
          this.timings.firstPacket = this.receiver.firstPacketAt;
        }
      });
    });
    // mediasoup offers (like mediasoup-client's receive side); one m-line carries every consumer.
    const rtp = this.join?.routerRtpCapabilities as {
      codecs?: { mimeType: string; preferredPayloadType: number; clockRate: number; channels?: number }[];
    };
    const codecs = (rtp.codecs ?? []).map((c) => ({
      payloadType: c.preferredPayloadType,
      rtpmap: `${c.mimeType.split('/')[1]}/${c.clockRate}${c.channels ? `/${c.channels}` : ''}`,
    }));
    pc.setRemoteDescription(
      remoteDescription(info, { direction: 'sendonly', setup: 'actpass', codecs }),
      'offer',
    );
    const local = pc.localDescription();
    if (!local) throw new Error(`${this.identity.name}: no local answer`);
    await this.request('media:connectTransport', {
      transportId: info.id,
      dtlsParameters: localDtlsParameters(local.sdp),
    });
    const ok = await waitFor(() => this.#recvState === 'connected' || this.#closed, 30_000, 5);
    if (!ok) throw new Error(`${this.identity.name}: receive transport did not connect (${this.#recvState})`);
  }

  async #openSend(info: TransportInfo): Promise<void> {
    const pc = new nodeDataChannel.PeerConnection(`${this.identity.name}-send`, rtcConfig);
    this.#sendPc = pc;
    pc.onStateChange((state) => {
      this.#sendState = state;
      if (state === 'connected') this.timings.sendConnected ??= nowMs();
    });
    const media = new nodeDataChannel.Video('0', 'SendOnly');
    media.addVP8Codec(VP8_PT);
    const track = pc.addTrack(media);
    this.#sendTrack = track;
    pc.setLocalDescription('offer');
    const local = pc.localDescription();
    if (!local) throw new Error(`${this.identity.name}: no local offer`);
    const dtlsParameters = localDtlsParameters(local.sdp);
    await this.request('media:connectTransport', { transportId: info.id, dtlsParameters });
    pc.setRemoteDescription(
      remoteDescription(info, {
        direction: 'recvonly',
        setup: 'passive',
        codecs: [{ payloadType: VP8_PT, rtpmap: 'VP8/90000' }],
      }),
      'answer',
    );
    const sender = new SiteSender(
      this.clip,
      (packet) => track.sendMessageBinary(packet),
      this.identity.siteId ? siteMark(this.identity.siteId) : 0,
    );
    this.sender = sender;
    if (this.identity.role === 'site' && this.micOpen === false) sender.setAudio(false);
    track.onMessage((msg) => sender.onRtcp(msg));
    const ok = await waitFor(() => this.#sendState === 'connected' || this.#closed, 30_000, 5);
    if (!ok) throw new Error(`${this.identity.name}: send transport did not connect (${this.#sendState})`);
    const cname = `bench-${this.identity.name}`;
    const layers = this.clip.layers;
    const [camera] = await Promise.all([
      this.request('media:produce', {
        transportId: info.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: {
          codecs: [
            {
              mimeType: 'video/VP8',
              payloadType: VP8_PT,
              clockRate: 90000,
              parameters: {},
              rtcpFeedback: [
                { type: 'nack', parameter: '' },
                { type: 'nack', parameter: 'pli' },
                { type: 'ccm', parameter: 'fir' },
              ],
            },
          ],
          headerExtensions: [],
          encodings: sender.video.map((s, i) => ({
            ssrc: s.ssrc,
            maxBitrate: (layers[i]?.spec.kbps ?? 0) * 1000,
            scaleResolutionDownBy:
              (layers[layers.length - 1]?.spec.width ?? 1) / (layers[i]?.spec.width ?? 1),
          })),
          rtcp: { cname, reducedSize: true },
        },
      }),
      this.request('media:produce', {
        transportId: info.id,
        kind: 'audio',
        source: 'mic',
        rtpParameters: {
          codecs: [
            {
              mimeType: 'audio/opus',
              payloadType: OPUS_PT,
              clockRate: 48000,
              channels: 2,
              parameters: { minptime: 10, useinbandfec: 1 },
              rtcpFeedback: [],
            },
          ],
          headerExtensions: [],
          encodings: [{ ssrc: sender.audio.ssrc }],
          rtcp: { cname, reducedSize: true },
        },
      }),
    ]);
    this.timings.produced = nowMs();
    this.cameraProducerId = camera.producerId;
    const layersNow = this.#layersFor.get(camera.producerId);
    this.#layersFor.clear();
    if (layersNow !== undefined) sender.setActiveLayers(layersNow);
    if (!this.#closed) this.replayer.add(sender);
  }

  /** Stops sending, closes both PeerConnections and the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.sender) this.replayer.remove(this.sender);
    try {
      this.#sendTrack?.close();
      this.#recvTrack?.close();
      this.#sendPc?.close();
      this.#recvPc?.close();
    } catch {
      // already closed
    }
    this.socket?.close();
  }
}
