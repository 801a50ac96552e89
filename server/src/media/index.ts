/**
 * Media — the mediasoup adapter of Giao Ban. Knows nothing of socket.io or of the domain; the
 * app layer feeds it identities (from the authenticated socket) and the domain's media policy.
 *
 * ## API
 *
 *   loadMediaConfig(env = process.env): MediaConfig            // throws MediaConfigError
 *     MEDIA_LISTEN_IP      bind address         (default 0.0.0.0; 127.0.0.1 under tests)
 *     MEDIA_ANNOUNCED_IP   address in ICE candidates (default: first LAN IPv4 when binding 0.0.0.0)
 *     MEDIA_WORKERS        worker processes      (default: one per core)
 *     MEDIA_RTC_PORT       WebRtcServer base port, worker i on base+i, UDP+TCP (default 40000; 0 = off)
 *     MEDIA_RTC_MIN_PORT / MEDIA_RTC_MAX_PORT   per-transport ports when no WebRtcServer (40100-49999)
 *     MEDIA_CONSUMER_GRACE_MS   on-demand viewers keep an unwanted consumer this long, paused (default 10000)
 *     MEDIA_PEERS_PER_ROUTER    peers per router before a meeting spreads to another worker (default 40)
 *     MEDIA_LOG_LEVEL, MEDIA_MAX_INCOMING_KBPS, MEDIASOUP_WORKER_BIN
 *
 *   const pool = await WorkerPool.create(config, logger?)
 *     pool.createMeetingMedia(meetingId): Promise<MeetingMedia>   // home on the least-loaded live worker
 *     pool.getResourceUsage(): Promise<WorkerUsage[]>             // per worker: load + getrusage
 *     pool.on('workerdied', ({ index, pid, error }) => …)         // its meetings closed 'workerdied'
 *     pool.close()                                                // idempotent; meetings close 'poolclosed'
 *
 *   meeting: MeetingMedia                                          // routers: Opus, VP8, H264 42e01f
 *     // A home router (program switcher, audio levels, edges) and, once every router holds
 *     // MEDIA_PEERS_PER_ROUTER peers, one more on another worker (MeetingShare): new peers go to the
 *     // router with the fewest; producers are piped home at once and to another router on its first
 *     // consumer there. meeting.workerIndexes, meeting.workerIndexOfPeer(peer) say where.
 *     meeting.rtpCapabilities                                      // → JoinResult.routerRtpCapabilities
 *     meeting.addPeer({ participantId, siteId, role }, signal: PeerSignal): MediaPeer
 *     meeting.getPeer(participantId): MediaPeer | undefined
 *     meeting.applyPolicy({ programSiteId, cornerSiteId?, micAllowed, selfMuted, gridViewer }): Promise<void>
 *     meeting.micOpen(siteId): boolean                             // is the site's mic forwarded now
 *     meeting.siteMedia(siteId): SiteMediaStatus                   // none | flowing | poor
 *     meeting.on('sitemedia', status => …)                         // roll-call board: changes only
 *     meeting.on('audiolevels', (levels: SiteAudioLevel[]) => …)   // every ~500 ms while someone is heard
 *     meeting.on('close', reason => …)                             // 'meetingclosed' | 'workerdied' | 'poolclosed'
 *     meeting.on('sharelost', ({ workerIndex, peers }) => …)      // a non-home worker died: its peers closed
 *     meeting.program: ProgramSwitcher                             // .producer: the program as one stream
 *     meeting.whenIdle(): Promise<void>                            // background work settled (tests)
 *     meeting.close(reason = 'meetingclosed')                      // idempotent, closes peers and router
 *
 *   peer: MediaPeer                                                // one per connected participant
 *     peer.setRtpCapabilities(caps)                   → media:setRtpCapabilities
 *     peer.createTransport('send' | 'recv'): Promise<TransportInfo>   → media:createTransport
 *     peer.connectTransport(transportId, dtlsParameters): Promise<void> → media:connectTransport
 *     peer.produce({ transportId, kind, source, rtpParameters }): Promise<producerId> → media:produce
 *     peer.closeProducer(producerId)                  → media:closeProducer
 *     peer.setVisibleTiles(siteIds): Promise<void>    → media:visibleTiles
 *     peer.close(reason = 'left')                     // on disconnect; idempotent
 *
 *   PeerSignal (implemented by the socket layer, one per socket):
 *     newConsumer(info): Promise<void>   → one entry of emitWithAck('media:newConsumers', [...]); reject if the client failed
 *     holdAnnouncements?(): release      // batch: announce a set of consumers in one message
 *     consumerClosed(id)                 → 'media:consumerClosed'
 *     consumerState(state)               → 'media:consumerState'
 *     micState(state)                    → 'media:micState'
 *
 * Test-only members end in ForTesting: peer.createPlainTransportForTesting() (publish RTP from
 * Node or ffmpeg into a PlainTransport), peer.consumersForTesting(), meeting.routerForTesting,
 * pool.workerForTesting().
 *
 * The socket layer should give `newConsumer` a timeout (socket.timeout(ms).emitWithAck): a
 * rejected or timed-out ack closes that consumer. `consumerClosed` may arrive for a consumer
 * whose `newConsumer` ack is still pending (its producer closed meanwhile).
 *
 * Failures are thrown as MediaError with a `code` from the wire's closed set (FORBIDDEN,
 * NOT_FOUND, CONFLICT, INVALID_STATE, VALIDATION, UNAVAILABLE).
 *
 * ## Consumption model
 *
 * The program is ONE stream (program/ProgramSwitcher.ts): a simulcast VP8 producer on a
 * DirectTransport of the meeting router whose source the hub switches — at the new source's key
 * frame, rewriting SSRC, sequence numbers, timestamps and VP8 picture ids so viewers see one
 * continuous stream. Every viewer consumes it once; a floor change touches no viewer's consumers
 * (only the new and old program sites' own, paused/resumed so a room never sees itself).
 * `meeting.program.producer` is what SIP gateways, the recorder and linked meetings consume too.
 *
 * What flows is one rule (`consumerTarget`), per viewer and producer:
 *   - the program: flowing at spatial layer 2, except into the program site's own room;
 *   - a camera is never sent back into its own room;
 *   - corner site's camera (the chair while a site has the floor): flowing at layer 1;
 *   - chair/operator (gridViewer): cameras of tiles they report visible flowing at layer 0;
 *   - every other camera: paused at the server (the program site's too: the program carries it);
 *   - microphones: consumers flow (except to the same room), the PRODUCER is paused at the server
 *     unless the site is allowed and not self-muted — clients have no way to resume a producer,
 *     so a site cannot reopen its own microphone against the policy;
 *   - screen shares: flow to everyone.
 *
 * Which consumers EXIST is the same for every role (`wantedOnDemand`): the program (always), the
 * corner camera, the cameras of warm sites (`warmSiteIds`: the host, so every floor turn's corner
 * is a resume), open microphones, screens, and — for moderators — the grid tiles on screen.
 * Each is created PAUSED, announced with `newConsumer` and, once the client has built it, resumed
 * or left paused by the policy. One no longer wanted is paused at once and closed after a grace
 * period (`consumerGraceMs`, 10 s; the client gets `consumerClosed`); wanted again within it, it
 * is just resumed, so paging the grid back and forth or a quick return of the floor does not churn.
 * A site holds ~4 consumers, a moderator ~4 + its page of tiles, an observer ~4, whatever the
 * number of sites: 64 sites cost ~300 consumers, not ~8,000 (sites × producers); see
 * docs/MEDIA-SCALE.md for the measured comparison with the former pre-created "warm set".
 *
 * A joining viewer gets the program first, on its own (created, acknowledged, resumed), then the
 * rest. A newly opened microphone costs viewers one `newConsumer` round trip (its first syllable
 * may be clipped); a floor change costs the program one key frame of the new source.
 *
 * `applyPolicy` diffs: it only touches consumers and producers whose target state differs from the
 * applied one, creates the newly wanted consumers, points the program at the program site's camera,
 * and resolves once new consumers are acknowledged by the client and resumed.
 *
 * The client sends camera video as simulcast with three spatial layers (e.g. 320x180, 640x360,
 * 1280x720); the server accepts whatever encodings arrive and picks layers per viewer.
 *
 * Not here (yet): spreading one meeting over several workers (pipeToRouter), restarting a dead
 * worker, dynacast (telling publishers which layers nobody consumes), a non-VP8 program source,
 * per-viewer bandwidth-driven layer caps beyond mediasoup's own, private talkback between the
 * operator and one site.
 */
export {
  CORNER_SPATIAL_LAYER,
  type ConsumerTarget,
  consumerTarget,
  type MediaPolicySnapshot,
  mayPublish,
  PolicyPass,
  PROGRAM_SPATIAL_LAYER,
  TILE_SPATIAL_LAYER,
  wantedOnDemand,
} from './ConsumptionPolicy.js';
export { MEETING_CODECS } from './codecs.js';
export { consoleMediaLogger, type MediaLogger, silentMediaLogger } from './logger.js';
export { loadMediaConfig, type MediaConfig, MediaConfigError } from './MediaConfig.js';
export { MediaError, type MediaErrorCode } from './MediaError.js';
export {
  MediaPeer,
  type MediaPeerCloseReason,
  type MediaPeerInfo,
  type PeerSignal,
  type ProduceRequest,
} from './MediaPeer.js';
export {
  MeetingMedia,
  type MeetingMediaCloseReason,
  type MeetingMediaEvents,
  PROGRAM_PARTICIPANT_ID,
  type SiteAudioLevel,
} from './MeetingMedia.js';
export type { RoomProducer } from './PeerHost.js';
export { PROGRAM_LAYERS, ProgramSwitcher, type ProgramSwitcherEvents } from './program/ProgramSwitcher.js';
export type { SiteMediaState, SiteMediaStatus } from './SiteMediaTracker.js';
export { WorkerPool, type WorkerPoolEvents, type WorkerUsage } from './WorkerPool.js';
