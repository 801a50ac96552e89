import type { types as ms } from 'mediasoup';
import type { TransportListen } from './PeerHost.js';

/**
 * A meeting's share of one worker: a router there, on which some of the meeting's peers have
 * their transports. The first share (home) also holds the program switcher, the audio levels and
 * the edges (SIP, recorder, relays). Every producer is piped into home as soon as it exists, and
 * into another share when a peer there first consumes it, so each stream crosses between two
 * workers at most once, however many viewers it has on the far side.
 */
export interface MeetingShare {
  readonly router: ms.Router;
  readonly listen: TransportListen;
  /** The worker's slot in the pool. */
  readonly workerIndex: number;
  /** Peers placed on this share now. */
  peers: number;
}

/** A router the pool opened for a meeting on another worker. */
export type OpenedShare = Omit<MeetingShare, 'peers'>;

/**
 * Opens a share for a meeting on the least-loaded live worker whose slot is not in `exclude`
 * (the meeting's own); null when no such worker exists.
 */
export type ShareOpener = (exclude: ReadonlySet<number>) => Promise<OpenedShare | null>;

/** Where a listening transport of a worker binds: its WebRtcServer, or ports of its own. */
export function listenOf(
  webRtcServer: ms.WebRtcServer | undefined,
  listenIp: string,
  announcedIp: string | undefined,
): TransportListen {
  return webRtcServer ? { webRtcServer } : { listenIps: [{ ip: listenIp, announcedIp }] };
}
