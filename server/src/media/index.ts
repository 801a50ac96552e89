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
 *     MEDIA_LOG_LEVEL, MEDIA_MAX_INCOMING_KBPS, MEDIASOUP_WORKER_BIN
 *
 *   const pool = await WorkerPool.create(config, logger?)
 *     pool.createMeetingMedia(meetingId): Promise<MeetingMedia>   // least-loaded live worker
 *     pool.getResourceUsage(): Promise<WorkerUsage[]>             // per worker: load + getrusage
 *     pool.on('workerdied', ({ index, pid, error }) => …)         // its meetings closed 'workerdied'
 *     pool.close()                                                // idempotent; meetings close 'poolclosed'
 *
 *   meeting: MeetingMedia                                          // one router: Opus, VP8, H264 42e01f
 *     meeting.rtpCapabilities                                      // → JoinResult.routerRtpCapabilities
 *     meeting.addPeer({ participantId, siteId, role }, signal: PeerSignal): MediaPeer
 *     meeting.getPeer(participantId): MediaPeer | undefined
 *     meeting.applyPolicy({ programSiteId, cornerSiteId?, micAllowed, selfMuted, gridViewer }): Promise<void>
 *     meeting.micOpen(siteId): boolean                             // is the site's mic forwarded now
 *     meeting.siteMedia(siteId): SiteMediaStatus                   // none | flowing | poor
 *     meeting.on('sitemedia', status => …)                         // roll-call board: changes only
 *     meeting.on('audiolevels', (levels: SiteAudioLevel[]) => …)   // every ~500 ms while someone is heard
 *     meeting.on('close', reason => …)                             // 'meetingclosed' | 'workerdied' | 'poolclosed'
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
 *     newConsumer(info): Promise<void>   → emitWithAck('media:newConsumer'); reject if the client failed
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
 * What flows is one rule (`consumerTarget`), per viewer and producer:
 *   - a camera is never sent back into its own room (same site);
 *   - program site's camera: flowing at spatial layer 2 for every viewer;
 *   - corner site's camera (the chair while a site has the floor): flowing at layer 1;
 *   - chair/operator (gridViewer): cameras of tiles they report visible flowing at layer 0;
 *   - every other camera: paused at the server;
 *   - microphones: consumers flow (except to the same room), the PRODUCER is paused at the server
 *     unless the site is allowed and not self-muted — clients have no way to resume a producer,
 *     so a site cannot reopen its own microphone against the policy;
 *   - screen shares: flow to everyone.
 *
 * Which consumers EXIST depends on the viewer's role (`precreatesConsumers`):
 *
 *   Pre-created — site, chair, operator. A peer that has set its RTP capabilities and has a
 *   receive transport gets ONE consumer per remote producer (every microphone, camera and screen
 *   of the meeting), created PAUSED, announced with `newConsumer` and, once the client has built
 *   it, resumed or left paused by the policy. Since every candidate's consumer already exists, a
 *   floor change is resume + setPreferredLayers + requestKeyFrame on existing consumers — no
 *   signalling round trip. That is what a bridge point on the big screen and a moderator paging
 *   the grid need; it costs sites × producers consumers (200 sites: ~80k, mostly paused).
 *
 *   On demand — observer, secretary, organizer. A consumer exists only while `wantedOnDemand`
 *   says the policy wants it flowing to that viewer: the program camera, the corner camera, the
 *   microphones the policy has open, screen shares. Each is still created PAUSED, announced, and
 *   only then resumed. One no longer wanted is paused at once and closed after a grace period
 *   (`consumerGraceMs`, 10 s; the client gets `consumerClosed`); wanted again within it, it is just
 *   resumed, so a quick back-and-forth of the floor does not churn. An observer holds ~2–5
 *   consumers whatever the number of sites: 1,000 observers × 200 sites is ~4k consumers, not
 *   ~400k.
 *   The trade-off: an observer's program switch to a site it holds no consumer of costs one
 *   `newConsumer` round trip to its browser plus the key frame, instead of the key frame alone.
 *   Measured (OnDemand.test.ts, "measures an observer's program switch": Node UDP senders at
 *   25 fps answering PLI with their next frame, one worker on loopback, medians of 6 switches,
 *   from `applyPolicy()` to the first top-layer packet forwarded):
 *     site (pre-created)                                  ~25 ms (9–43)
 *     observer, client acks newConsumer after 5 ms        ~25–35 ms (13–50): the round trip mostly
 *                                                         hides inside the wait for the key frame
 *     observer, client acks after 60 ms (WAN RTT + mediasoup-client consume())  ~85–100 ms (67–107)
 *   i.e. an observer pays its own signalling round trip (+ ~3–5 ms server work), still far under
 *   the 1 s periodic key frame; sites, whose switch the product promises "within a few hundred
 *   ms", are unaffected. A newly opened microphone pays the same round trip for observers: its
 *   first syllable may be clipped. A site back on stage within the grace period, and anything
 *   already wanted (the chair's camera and mic), switch with no round trip.
 *
 * `applyPolicy` diffs: it only touches consumers and producers whose target state differs from the
 * applied one; for on-demand viewers it also creates the newly wanted consumers, and resolves once
 * those are acknowledged by the client and resumed.
 *
 * The client sends camera video as simulcast with three spatial layers (e.g. 320x180, 640x360,
 * 1280x720); the server accepts whatever encodings arrive and picks layers per viewer.
 *
 * Not here (yet): spreading one meeting over several workers (pipeToRouter), restarting a dead
 * worker, per-viewer bandwidth-driven layer caps beyond mediasoup's own, private talkback between
 * the operator and one site.
 */
export {
  CORNER_SPATIAL_LAYER,
  type ConsumerTarget,
  consumerTarget,
  type MediaPolicySnapshot,
  mayPublish,
  PolicyPass,
  PROGRAM_SPATIAL_LAYER,
  precreatesConsumers,
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
  type SiteAudioLevel,
} from './MeetingMedia.js';
export type { SiteMediaState, SiteMediaStatus } from './SiteMediaTracker.js';
export { WorkerPool, type WorkerPoolEvents, type WorkerUsage } from './WorkerPool.js';
