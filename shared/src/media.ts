import { z } from 'zod';
import { ParticipantId, SiteId } from './ids.js';

/**
 * mediasoup parameter objects (RTP capabilities, DTLS/ICE parameters, RTP parameters) are
 * validated for shape here and in full by mediasoup itself; their fields are mediasoup's own.
 */
const MediasoupObject = z.looseObject({});

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

/** What a producer carries. */
export const MediaSource = z.enum(['camera', 'mic', 'screen']);
export type MediaSource = z.infer<typeof MediaSource>;

/**
 * What a consumer carries: a producer's source, or `program` — the meeting's main stage as one
 * continuous video stream whose source the hub switches (the floor holder, the pinned site, the
 * chair), so a floor change never touches a viewer's consumers.
 */
/** `programAudio`: what the parent meeting of a linked meeting says, heard by everyone (relay). */
export const ConsumerSource = z.enum(['camera', 'mic', 'screen', 'program', 'programAudio']);
export type ConsumerSource = z.infer<typeof ConsumerSource>;

export const TransportDirection = z.enum(['send', 'recv']);
export type TransportDirection = z.infer<typeof TransportDirection>;

/** One TURN server entry as RTCPeerConnection takes it (time-limited REST credential). */
export const IceServer = z.object({
  urls: z.array(z.string()),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/**
 * How a page reaches the media besides the hub's own candidates: TURN servers with a credential
 * issued for this page (a new one with every transport), and whether it must relay everything.
 */
export const IceConfig = z.object({
  iceServers: z.array(IceServer),
  iceTransportPolicy: z.enum(['all', 'relay']),
  /** When the credential stops working (ms since the epoch); null without TURN. */
  expiresAt: z.number().nullable(),
});
export type IceConfig = z.infer<typeof IceConfig>;

/** What a client needs to build a mediasoup-client transport. */
export const TransportInfo = z.object({
  id: z.string(),
  iceParameters: MediasoupObject,
  iceCandidates: z.array(MediasoupObject),
  dtlsParameters: MediasoupObject,
  /** TURN (docs/TURN.md); absent when the hub has none. */
  ice: IceConfig.optional(),
});
export type TransportInfo = z.infer<typeof TransportInfo>;

/** Server → client: a consumer was created paused; the client builds it and acks, then the server resumes it if the policy wants it flowing. */
export const ConsumerInfo = z.object({
  id: z.string(),
  producerId: z.string(),
  kind: MediaKind,
  rtpParameters: MediasoupObject,
  siteId: SiteId.nullable(),
  participantId: ParticipantId,
  source: ConsumerSource,
});
export type ConsumerInfo = z.infer<typeof ConsumerInfo>;

/** Server → client: the policy paused or resumed a consumer, or its producer paused. */
export const ConsumerState = z.object({
  id: z.string(),
  paused: z.boolean(),
  producerPaused: z.boolean(),
});
export type ConsumerState = z.infer<typeof ConsumerState>;

/** Server → client: whether this device's microphone may be heard, and why not. */
export const MicState = z.object({
  allowed: z.boolean(),
  selfMuted: z.boolean(),
  /** Effective: allowed and not self-muted. */
  open: z.boolean(),
});
export type MicState = z.infer<typeof MicState>;

/** Client-measured link quality, reported a few times a minute. */
export const QualityReport = z.object({
  rttMs: z.number().min(0).max(60_000),
  lossPct: z.number().min(0).max(100),
  sendKbps: z.number().min(0).max(1_000_000),
  recvKbps: z.number().min(0).max(1_000_000),
});
export type QualityReport = z.infer<typeof QualityReport>;

/** Server → client (dynacast): encodings of one of its producers that anyone consumes. */
export const PublishLayers = z.object({
  producerId: z.string(),
  /** 1..3: the lowest `spatialLayers` encodings are wanted, the ones above may stop. */
  spatialLayers: z.number().int().min(1).max(3),
});
export type PublishLayers = z.infer<typeof PublishLayers>;

export const MediaSchemas = {
  createTransport: z.object({ direction: TransportDirection }),
  connectTransport: z.object({ transportId: z.string().min(1).max(100), dtlsParameters: MediasoupObject }),
  /** A transport whose ICE link dropped (network cut, new address): new ICE credentials for it. */
  restartIce: z.object({ transportId: z.string().min(1).max(100) }),
  produce: z.object({
    transportId: z.string().min(1).max(100),
    kind: MediaKind,
    source: MediaSource,
    rtpParameters: MediasoupObject,
  }),
  closeProducer: z.object({ producerId: z.string().min(1).max(100) }),
  setRtpCapabilities: z.object({ rtpCapabilities: MediasoupObject }),
  visibleTiles: z.object({ siteIds: z.array(SiteId).max(500) }),
  report: QualityReport,
} as const;
