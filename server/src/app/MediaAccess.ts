import type { MeetingId, SiteId, TransportDirection, TransportInfo } from '@giaoban/shared';
import type { MediaPeerCloseReason, MediaPeerInfo, PeerSignal, ProduceRequest } from '../media/index.js';

/**
 * One participant's media as the socket layer drives it: a MediaPeer on this instance, or a
 * stand-in whose calls run on the instance that holds the meeting's media (cluster/ClusterMedia).
 */
export interface PeerHandle {
  readonly closed: boolean;
  setRtpCapabilities(rtpCapabilities: Record<string, unknown>): void | Promise<void>;
  createTransport(direction: TransportDirection): Promise<TransportInfo>;
  connectTransport(transportId: string, dtlsParameters: Record<string, unknown>): Promise<void>;
  /** New ICE credentials for one of this peer's transports (the client restarts ICE with them). */
  restartIce(transportId: string): Promise<Record<string, unknown>>;
  produce(request: ProduceRequest): Promise<string>;
  closeProducer(producerId: string): void | Promise<void>;
  setVisibleTiles(siteIds: readonly SiteId[]): Promise<void>;
  close(reason?: MediaPeerCloseReason): void;
}

/** A meeting's media as the socket layer needs it (MeetingMedia has this shape). */
export interface MeetingMediaHandle {
  /** mediasoup router RTP capabilities, for JoinResult. */
  readonly rtpCapabilities: unknown;
  addPeer(info: MediaPeerInfo, signal: PeerSignal): PeerHandle;
}

/** Where the socket layer gets a meeting's media: MediaRegistry on one hub, ClusterMedia on several. */
export interface MediaAccess {
  get(meetingId: MeetingId): Promise<MeetingMediaHandle>;
}
