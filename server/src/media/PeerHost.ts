import type { ConsumerSource, ParticipantId, Role, SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import type { PolicyPass } from './ConsumptionPolicy.js';
import type { MediaLogger } from './logger.js';
import type { MediaConfig } from './MediaConfig.js';

/** A producer as the meeting knows it: who sends it and what it is (`program`: the hub's own). */
export interface RoomProducer {
  readonly producer: ms.Producer;
  readonly participantId: ParticipantId;
  readonly siteId: SiteId | null;
  readonly role: Role;
  readonly source: ConsumerSource;
}

/** How transports listen: on the worker's WebRtcServer, or on their own ports. */
export type TransportListen =
  | { webRtcServer: ms.WebRtcServer; listenIps?: never }
  | { listenIps: ms.TransportListenIp[]; webRtcServer?: never };

/**
 * What a meeting lends each of its peers: its router and callbacks. A peer never holds a
 * reference to the meeting itself (children get callbacks, not their parent).
 */
export interface PeerHost {
  /** The router this peer's transports live on (one share of the meeting, see MeetingShare). */
  readonly router: ms.Router;
  readonly listen: TransportListen;
  readonly config: MediaConfig;
  readonly logger: MediaLogger;
  /**
   * Whether a client with these capabilities can consume the producer (asked of the meeting's
   * home router, where every producer is).
   */
  canConsume(producerId: string, rtpCapabilities: ms.RtpCapabilities): boolean;
  /**
   * Makes a producer consumable on this peer's router: a no-op on the home router, otherwise the
   * producer is piped in from the router it was made on (once; later calls share the work).
   */
  reach(producerId: string): Promise<void>;
  /** The current policy (null before the first `applyPolicy`). */
  pass(): PolicyPass | null;
  /** Every live producer of the meeting. */
  producers(): Iterable<RoomProducer>;
  /**
   * The producers an on-demand viewer without a grid may want under the current policy (program
   * and corner cameras, open microphones, screens), computed once per pass and producer change.
   */
  onDemandCandidates(): readonly RoomProducer[];
  /** A peer created a producer: the meeting registers it and fans it out to the other peers. */
  producerAdded(producer: RoomProducer): void;
  /** A consumer was paused, resumed, re-layered or closed: what publishers must send may change. */
  consumersChanged(): void;
  /** Keeps background work (consumer creation) visible to `whenIdle()`. */
  track(work: Promise<unknown>): void;
  /** The peer closed; the meeting forgets it. */
  peerClosed(participantId: ParticipantId, peer: object): void;
}
