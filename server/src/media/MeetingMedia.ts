import type { MeetingId, ParticipantId, SiteId, VideoCodec } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { Coalescer } from './Coalescer.js';
import {
  ANY_ON_DEMAND_VIEWER,
  type MediaPolicySnapshot,
  PolicyPass,
  wantedOnDemand,
} from './ConsumptionPolicy.js';
import { MEETING_CODECS } from './codecs.js';
import { errorText, type MediaLogger } from './logger.js';
import type { MediaConfig } from './MediaConfig.js';
import { MediaError } from './MediaError.js';
import { MediaPeer, type MediaPeerInfo, type PeerSignal } from './MediaPeer.js';
import { listenOf, type MeetingShare, type OpenedShare, type ShareOpener } from './MeetingShare.js';
import type { PeerHost, RoomProducer, TransportListen } from './PeerHost.js';
import { PROGRAM_LAYERS, ProgramSwitcher } from './program/ProgramSwitcher.js';
import { SafeEmitter } from './SafeEmitter.js';
import { type SiteMediaStatus, SiteMediaTracker } from './SiteMediaTracker.js';

/** Why a meeting's media closed. */
export type MeetingMediaCloseReason = 'meetingclosed' | 'workerdied' | 'poolclosed';

/** One site's microphone level, in dBov (-127 = silence … 0 = loudest). */
export interface SiteAudioLevel {
  siteId: SiteId;
  dBov: number;
}

/** Events of a MeetingMedia. */
export type MeetingMediaEvents = {
  /** The meeting's media is gone, and why. Emitted once. */
  close: [MeetingMediaCloseReason];
  /** Sites currently heard above the threshold, loudest first; [] once when all fall silent. */
  audiolevels: [SiteAudioLevel[]];
  /** A site's media started flowing, turned poor, recovered, or stopped (roll-call board). */
  sitemedia: [SiteMediaStatus];
  /**
   * A share's worker died (not the home one): its peers closed with reason 'workerdied' and must
   * rebuild their media; the rest of the meeting goes on.
   */
  sharelost: [{ workerIndex: number; peers: number }];
};

/** What MeetingMedia needs from the pool. */
export interface MeetingMediaOptions {
  meetingId: MeetingId;
  /** The program's codec (the meeting's; cameras in another codec reach viewers directly). */
  videoCodec?: VideoCodec;
  worker: ms.Worker;
  webRtcServer: ms.WebRtcServer | undefined;
  /** The worker's slot in the pool (0 when there is no pool). */
  workerIndex?: number;
  /** Opens routers on other workers when the meeting outgrows one (`peersPerRouter`); none = one worker. */
  openShare?: ShareOpener;
  config: MediaConfig;
  logger: MediaLogger;
}

/** Who "publishes" the program stream, as viewers' clients are told (ConsumerInfo.participantId). */
export const PROGRAM_PARTICIPANT_ID = 'program' as ParticipantId;

/** Who "publishes" a linked meeting's parent audio, as viewers' clients are told. */
export const PARENT_PARTICIPANT_ID = 'parent-meeting' as ParticipantId;

/** A level change smaller than this (dB) is not worth a new `audiolevels` event. */
const LEVEL_STEP_DB = 3;
/** Dynacast: a camera off stage still sends its lowest encoding (see #dynacast). */
const MIN_PUBLISH_LAYERS = 1;

/**
 * The media of one meeting: its routers (a home router, and more on other workers once the meeting
 * outgrows one core — see MeetingShare), its peers, and the policy that decides what flows. The
 * app layer calls `applyPolicy()` after every meeting change; only the mediasoup objects whose
 * state must change are touched.
 */
export class MeetingMedia extends SafeEmitter<MeetingMediaEvents> {
  readonly meetingId: MeetingId;
  /** The home router: program switcher, audio levels, edges; every producer is piped here. */
  readonly #router: ms.Router;
  readonly #home: MeetingShare;
  /** Home first, then the shares opened on other workers. */
  readonly #shares: MeetingShare[];
  readonly #openShare: ShareOpener | undefined;
  #opening: Promise<void> | null = null;
  /** The share each live peer's transports are on. */
  readonly #peerShares = new Map<MediaPeer, MeetingShare>();
  /** Producers made on a share other than home, by id: the router to pipe them from. */
  readonly #origins = new Map<string, ms.Router>();
  /** Pipes made or in flight: producer id → router it was piped to → the work. */
  readonly #pipes = new Map<string, Map<ms.Router, Promise<void>>>();
  readonly #audioLevels: ms.AudioLevelObserver;
  readonly #program: ProgramSwitcher;
  readonly #config: MediaConfig;
  readonly #listen: TransportListen;
  readonly #peers = new Map<ParticipantId, MediaPeer>();
  readonly #producers = new Map<string, RoomProducer>();
  /** Coalesced pause/resume of each microphone producer, by producer id. */
  readonly #micRuns = new Map<string, Coalescer>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #sites: SiteMediaTracker;
  #pass: PolicyPass | null = null;
  /** What on-demand viewers may want under #pass; null = recompute (policy or producers changed). */
  #candidates: RoomProducer[] | null = null;
  #lastLevels: SiteAudioLevel[] = [];
  /** Dynacast: encodings last asked of each camera producer's publisher. */
  readonly #publishLayers = new Map<string, number>();
  #dynacastScheduled = false;
  #closed = false;
  #closeReason: MeetingMediaCloseReason | null = null;
  /** An external program input (a linked parent meeting's program, server/src/relay/), while set. */
  #programInput: ms.Producer | null = null;

  /**
   * Creates the router (Opus, VP8, H264), the audio level observer and the program switcher on the
   * given worker.
   */
  static async create(options: MeetingMediaOptions): Promise<MeetingMedia> {
    const router = await options.worker.createRouter({
      mediaCodecs: MEETING_CODECS,
      appData: { meetingId: options.meetingId },
    });
    try {
      const audioLevels = await router.createAudioLevelObserver({
        maxEntries: 16,
        threshold: -70,
        interval: options.config.audioLevelIntervalMs,
      });
      const program = await ProgramSwitcher.create(router, options.logger, options.videoCodec);
      return new MeetingMedia(options, router, audioLevels, program);
    } catch (e) {
      router.close();
      throw e;
    }
  }

  private constructor(
    options: MeetingMediaOptions,
    router: ms.Router,
    audioLevels: ms.AudioLevelObserver,
    program: ProgramSwitcher,
  ) {
    super(options.logger);
    this.meetingId = options.meetingId;
    this.#router = router;
    this.#audioLevels = audioLevels;
    this.#program = program;
    this.#producers.set(program.producer.id, {
      producer: program.producer,
      participantId: PROGRAM_PARTICIPANT_ID,
      siteId: null,
      role: 'chair',
      source: 'program',
    });
    this.#config = options.config;
    this.#listen = listenOf(options.webRtcServer, options.config.listenIp, options.config.announcedIp);
    this.#home = { router, listen: this.#listen, workerIndex: options.workerIndex ?? 0, peers: 0 };
    this.#shares = [this.#home];
    this.#openShare = options.openShare;
    this.#sites = new SiteMediaTracker((status) => this.safeEmit('sitemedia', status));
    router.on('workerclose', () => this.close('workerdied'));
    audioLevels.on('volumes', (volumes) => this.#onVolumes(volumes));
    // A switch completes at the new source's key frame, after the policy pass that asked for it:
    // only then does the old source stop being a source, and its publisher may drop to one layer.
    program.on('switched', () => this.#scheduleDynacast());
    audioLevels.on('silence', () => this.#onVolumes([]));
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Why it closed, once closed. */
  get closeReason(): MeetingMediaCloseReason | null {
    return this.#closeReason;
  }

  /** The router's RTP capabilities, for the client's mediasoup-client Device. */
  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  /** Connected media peers. */
  get peers(): ReadonlyMap<ParticipantId, MediaPeer> {
    return this.#peers;
  }

  /** Live producers of the meeting. */
  get producerCount(): number {
    let n = 0;
    for (const rp of this.#producers.values()) if (rp.source !== 'program') n++;
    return n;
  }

  /** The program stream: one producer whose source follows the program site (SIP, recorder, cascade). */
  get program(): ProgramSwitcher {
    return this.#program;
  }

  /** The home router, for tests and the benchmark (e.g. a PlainTransport fed by ffmpeg). */
  get routerForTesting(): ms.Router {
    return this.#router;
  }

  /** The pool slots of the workers the meeting runs on, home first. */
  get workerIndexes(): number[] {
    return this.#shares.map((s) => s.workerIndex);
  }

  /** The pool slot of the worker a peer's transports are on (diagnostics, tests). */
  workerIndexOfPeer(peer: MediaPeer): number | undefined {
    return this.#peerShares.get(peer)?.workerIndex;
  }

  // ---- edge hooks (SIP gateway, server/src/sip/) ---------------------------------------------

  /** The router, for an edge that opens its own transports (the SIP gateway's PlainTransports). */
  get edgeRouter(): ms.Router {
    return this.#router;
  }

  /**
   * Adds a producer an edge made on its own transport (a SIP room system's camera or microphone)
   * as that site's: it reaches the grid, the program and the microphone policy like a browser's.
   */
  addEdgeProducer(rp: RoomProducer): void {
    this.#producerAdded(rp);
  }

  /** The live microphones and their sites. */
  micProducers(): RoomProducer[] {
    return [...this.#producers.values()].filter((rp) => rp.source === 'mic' && !rp.producer.closed);
  }

  /**
   * The microphones the whole meeting hears now, as a listener from no room hears them: open by
   * the policy and not self-muted, and not a talk-back answer meant for the operators alone. What
   * room systems over SIP and linked meetings are sent, mixed.
   */
  heardMics(): RoomProducer[] {
    const pass = this.#pass;
    if (!pass) return [];
    return this.micProducers().filter(
      (rp) =>
        rp.siteId !== null &&
        pass.micOpen(rp.siteId) &&
        (pass.policy.micHeardBy?.(rp.siteId, ANY_ON_DEMAND_VIEWER) ?? true),
    );
  }

  // ---- relay hook (linked meetings, server/src/relay/) ---------------------------------------

  /**
   * What the parent meeting says (its audio mix, piped in) becomes heard by every participant here,
   * until the producer closes (the link dropped) or another replaces it.
   */
  setProgramAudioInput(producer: ms.Producer | null): void {
    for (const rp of [...this.#producers.values()])
      if (rp.source === 'programAudio' && rp.producer !== producer && !rp.producer.closed)
        rp.producer.close();
    if (!producer || producer.closed || this.#producers.has(producer.id)) return;
    this.#producerAdded({
      producer,
      participantId: PARENT_PARTICIPANT_ID,
      siteId: null,
      role: 'chair',
      source: 'programAudio',
    });
  }

  /**
   * Makes a producer from outside the meeting (a parent meeting's program, piped in) the program
   * while it is set and open; null, or its close, returns the program to the local stage.
   */
  setProgramInput(producer: ms.Producer | null): Promise<void> {
    if (producer === this.#programInput) return Promise.resolve();
    this.#programInput = producer;
    producer?.observer.once('close', () => {
      if (this.#programInput !== producer) return;
      this.#programInput = null;
      if (!this.#closed && this.#pass) this.#track(this.applyPolicy(this.#pass.policy));
    });
    return this.#pass ? this.applyPolicy(this.#pass.policy) : Promise.resolve();
  }

  /**
   * Adds a participant's media. A participant already present (a reload, a second tab) is
   * replaced: its old peer closes with reason 'replaced'.
   */
  addPeer(info: MediaPeerInfo, signal: PeerSignal): MediaPeer {
    if (this.#closed) {
      throw new MediaError('UNAVAILABLE', `addPeer() | meeting media closed [meetingId:${this.meetingId}]`);
    }
    this.#peers.get(info.participantId)?.close('replaced');
    const share = this.#placePeer();
    const peer = new MediaPeer(info, signal, this.#hostFor(share));
    this.#peers.set(info.participantId, peer);
    this.#peerShares.set(peer, share);
    share.peers++;
    peer.once('close', () => {
      if (this.#peerShares.get(peer) === share) share.peers--;
      this.#peerShares.delete(peer);
    });
    peer.updateMicState(this.#pass);
    this.#spreadIfFull();
    return peer;
  }

  /** The peer of a participant, if connected. */
  getPeer(participantId: ParticipantId): MediaPeer | undefined {
    return this.#peers.get(participantId);
  }

  /**
   * Applies the domain's media policy: pauses/resumes microphone producers, pauses/resumes
   * consumers and sets their layers, and tells clients what changed (consumerState, micState).
   * Idempotent and cheap when nothing changed; resolves once mediasoup has applied the changes
   * (and on-demand viewers' newly wanted consumers are acknowledged by their clients and resumed).
   */
  applyPolicy(policy: MediaPolicySnapshot): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const pass = new PolicyPass(policy);
    const source = this.#programSource(pass);
    // No camera on stage (yet), or one the stream cannot carry: viewers' program consumers pause.
    pass.programFromInput = source !== undefined && source.producer === this.#programInput;
    pass.programViaStream =
      source !== undefined && ProgramSwitcher.canCarry(source.producer, this.#program.codec);
    this.#pass = pass;
    this.#candidates = null;
    const work: Promise<void>[] = [
      this.#program.setSource(pass.programViaStream ? (source?.producer ?? null) : null),
    ];
    for (const [producerId, run] of this.#micRuns) {
      const rp = this.#producers.get(producerId);
      if (rp && (run.busy || rp.producer.paused !== this.#micShouldPause(rp, pass))) work.push(run.run());
    }
    for (const peer of this.#peers.values()) {
      peer.updateMicState(pass);
      work.push(...peer.reconcileConsumers(pass));
    }
    // The program's new source starts sending every layer at once; the rest follows the consumers.
    this.#scheduleDynacast();
    const all = Promise.all(work).then(() => this.#scheduleDynacast());
    this.#track(all);
    return all;
  }

  /** Whether the server currently forwards this site's microphone. */
  micOpen(siteId: SiteId): boolean {
    return this.#pass?.micOpen(siteId) ?? false;
  }

  /** The roll-call view of a site's media. */
  siteMedia(siteId: SiteId): SiteMediaStatus {
    return this.#sites.status(siteId);
  }

  /** Resolves when all background work (consumer creation, policy passes) has settled. */
  async whenIdle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Closes every peer and the router; says why. Idempotent. */
  close(reason: MeetingMediaCloseReason = 'meetingclosed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    const level = reason === 'workerdied' ? 'warn' : 'info';
    this.logger[level](`close() | meeting media closed [meetingId:${this.meetingId}, reason:${reason}]`);
    for (const peer of [...this.#peers.values()]) peer.close(reason);
    this.#peers.clear();
    this.#producers.clear();
    this.#candidates = null;
    this.#micRuns.clear();
    this.#program.close();
    for (const share of this.#shares) if (!share.router.closed) share.router.close();
    this.#pipes.clear();
    this.#origins.clear();
    this.safeEmit('close', reason);
  }

  // ---- internals ---------------------------------------------------------------------------

  #hostFor(share: MeetingShare): PeerHost {
    return {
      router: share.router,
      listen: share.listen,
      config: this.#config,
      logger: this.logger,
      canConsume: (producerId, rtpCapabilities) => this.#router.canConsume({ producerId, rtpCapabilities }),
      reach: (producerId) => this.#reach(producerId, share.router),
      pass: () => this.#pass,
      producers: () => this.#producers.values(),
      onDemandCandidates: () => this.#onDemandCandidates(),
      producerAdded: (rp) => (share === this.#home ? this.#producerAdded(rp) : this.#pipeHome(rp, share)),
      consumersChanged: () => this.#scheduleDynacast(),
      track: (work) => this.#track(work),
      peerClosed: (participantId, peer) => {
        if (this.#peers.get(participantId) === peer) this.#peers.delete(participantId);
      },
    };
  }

  // ---- shares: one meeting over several workers ----------------------------------------------

  /** The share with the fewest peers (home on ties): where a new peer's transports go. */
  #placePeer(): MeetingShare {
    let best = this.#home;
    for (const share of this.#shares) if (share.peers < best.peers) best = share;
    return best;
  }

  /**
   * Every share holds `peersPerRouter` peers or more: opens one on another worker (the pool's
   * least-loaded), in the background; peers placed meanwhile go to the least-filled share.
   */
  #spreadIfFull(): void {
    const open = this.#openShare;
    if (!open || this.#opening || this.#closed) return;
    if (this.#shares.some((s) => s.peers < this.#config.peersPerRouter)) return;
    const exclude = new Set(this.#shares.map((s) => s.workerIndex));
    const opening = open(exclude).then(
      (opened) => {
        if (opened) this.#addShare(opened);
      },
      (e: unknown) => this.logger.warn(`spreadIfFull() | could not open a router [error:${errorText(e)}]`),
    );
    this.#opening = opening.finally(() => {
      this.#opening = null;
    });
    this.#track(this.#opening);
  }

  #addShare(opened: OpenedShare): void {
    if (this.#closed) {
      opened.router.close();
      return;
    }
    const share: MeetingShare = { ...opened, peers: 0 };
    this.#shares.push(share);
    share.router.on('workerclose', () => this.#shareLost(share));
    this.logger.info(
      `addShare() | meeting spread to another worker [meetingId:${this.meetingId}, ` +
        `workers:${this.workerIndexes.join(',')}]`,
    );
  }

  /** A share's worker died: its peers rebuild elsewhere, the rest of the meeting goes on. */
  #shareLost(share: MeetingShare): void {
    if (this.#closed) return;
    const index = this.#shares.indexOf(share);
    if (index <= 0) return;
    this.#shares.splice(index, 1);
    for (const pipes of this.#pipes.values()) pipes.delete(share.router);
    const lost = [...this.#peerShares].filter(([, s]) => s === share).map(([peer]) => peer);
    this.logger.warn(
      `shareLost() | a worker of the meeting died, its peers rebuild [meetingId:${this.meetingId}, ` +
        `worker:${share.workerIndex}, peers:${lost.length}]`,
    );
    for (const peer of lost) peer.close('workerdied');
    this.safeEmit('sharelost', { workerIndex: share.workerIndex, peers: lost.length });
  }

  /** A producer made on another share: piped into home first, then it joins the meeting. */
  #pipeHome(rp: RoomProducer, share: MeetingShare): void {
    const id = rp.producer.id;
    this.#origins.set(id, share.router);
    rp.producer.observer.once('close', () => {
      this.#origins.delete(id);
      this.#pipes.delete(id);
    });
    this.#track(
      this.#reach(id, this.#router).then(
        () => this.#producerAdded(rp),
        (e: unknown) => {
          if (!rp.producer.closed && !this.#closed)
            this.logger.warn(
              `pipeHome() | could not pipe a producer home [producerId:${id}, error:${errorText(e)}]`,
            );
        },
      ),
    );
  }

  /** Makes a producer consumable on `target` (pipes it there from its own router, once). */
  #reach(producerId: string, target: ms.Router): Promise<void> {
    const origin = this.#origins.get(producerId) ?? this.#router;
    if (origin === target) return Promise.resolve();
    // Everything reaches home before it joins the meeting (#pipeHome).
    if (target === this.#router && !this.#origins.has(producerId)) return Promise.resolve();
    let pipes = this.#pipes.get(producerId);
    if (!pipes) {
      pipes = new Map();
      this.#pipes.set(producerId, pipes);
    }
    let work = pipes.get(target);
    if (!work) {
      work = origin.pipeToRouter({ producerId, router: target }).then(() => undefined);
      pipes.set(target, work);
      const own = pipes;
      work.catch(() => {
        if (own.get(target) === work) own.delete(target);
      });
    }
    return work;
  }

  #scheduleDynacast(): void {
    if (this.#dynacastScheduled || this.#closed) return;
    this.#dynacastScheduled = true;
    setImmediate(() => {
      this.#dynacastScheduled = false;
      this.#dynacast();
    });
  }

  /**
   * Dynacast: each camera's publisher sends only the encodings someone consumes — all of them
   * while it feeds the program, the lowest alone off stage (the grid's tile layer; also the site's
   * liveness on the roll-call and an instant start for a floor grant), what flowing consumers ask
   * for otherwise. Only changes are sent.
   */
  #dynacast(): void {
    if (this.#closed) return;
    const wanted = new Map<string, number>();
    for (const rp of this.#producers.values())
      if (rp.source === 'camera') wanted.set(rp.producer.id, MIN_PUBLISH_LAYERS);
    for (const id of this.#program.sourceIds) if (wanted.has(id)) wanted.set(id, PROGRAM_LAYERS);
    for (const peer of this.#peers.values()) peer.collectFlowingLayers(wanted, PROGRAM_LAYERS);
    for (const id of this.#publishLayers.keys()) if (!wanted.has(id)) this.#publishLayers.delete(id);
    for (const [producerId, spatialLayers] of wanted) {
      if (this.#publishLayers.get(producerId) === spatialLayers) continue;
      const rp = this.#producers.get(producerId);
      const publisher = rp && this.#peers.get(rp.participantId);
      if (!publisher) continue;
      this.#publishLayers.set(producerId, spatialLayers);
      publisher.requestPublishLayers({ producerId, spatialLayers });
    }
  }

  #track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      (e: unknown) => {
        if (!this.#closed)
          this.logger.error(`track() | background media work failed [meetingId:${this.meetingId}]`, e);
      },
    );
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
  }

  #onDemandCandidates(): readonly RoomProducer[] {
    if (this.#candidates === null) {
      const pass = this.#pass;
      // The operator's talk-back microphone flows into one room only, so ANY_ON_DEMAND_VIEWER (from
      // no room) never wants it: it is a candidate while talk-back is open, each viewer decides.
      const talkBack = (pass?.policy.talkBackSiteId ?? null) !== null;
      this.#candidates = [...this.#producers.values()].filter((rp) =>
        rp.source === 'mic' && rp.siteId === null ? talkBack : wantedOnDemand(ANY_ON_DEMAND_VIEWER, rp, pass),
      );
    }
    return this.#candidates;
  }

  /** The program site's camera, if it publishes one. */
  #programSource(pass: PolicyPass): RoomProducer | undefined {
    const input = this.#programInput;
    if (input && !input.closed) {
      return {
        producer: input,
        participantId: PROGRAM_PARTICIPANT_ID,
        siteId: null,
        role: 'chair',
        source: 'camera',
      };
    }
    const siteId = pass.programSiteId;
    if (siteId === null) return undefined;
    let source: RoomProducer | undefined;
    for (const rp of this.#producers.values()) {
      if (rp.siteId === siteId && rp.source === 'camera' && !rp.producer.closed) source = rp;
    }
    return source;
  }

  #micShouldPause(rp: RoomProducer, pass: PolicyPass | null): boolean {
    if (pass === null) return true;
    // A microphone from no room (the operator's) is heard only while talk-back is open.
    if (rp.siteId === null) return (pass.policy.talkBackSiteId ?? null) === null;
    return !pass.micOpen(rp.siteId);
  }

  #producerAdded(rp: RoomProducer): void {
    if (this.#closed) {
      rp.producer.close();
      return;
    }
    const { producer } = rp;
    this.#producers.set(producer.id, rp);
    this.#candidates = null;
    if (rp.source === 'camera') this.#scheduleDynacast();
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      this.#pipes.delete(producer.id);
      this.#candidates = null;
      this.#micRuns.delete(producer.id);
      if (rp.siteId !== null) this.#sites.producerClosed(rp.siteId, producer.id);
      // The camera on stage went away: the program pauses for its viewers until it comes back.
      const pass = this.#pass;
      if (!this.#closed && pass && rp.source === 'camera' && rp.siteId === pass.programSiteId) {
        this.#track(this.applyPolicy(pass.policy));
      }
    });
    if (rp.siteId !== null && rp.source !== 'screen') {
      const siteId = rp.siteId;
      this.#sites.producerScore(siteId, producer.id, producer.score);
      producer.on('score', (score) => this.#sites.producerScore(siteId, producer.id, score));
    }
    if (
      rp.source === 'camera' &&
      rp.siteId !== null &&
      this.#pass &&
      rp.siteId === this.#pass.programSiteId
    ) {
      // The program site (re)published its camera: point the program at it (or fall back to it).
      this.#track(this.applyPolicy(this.#pass.policy));
      return;
    }
    if (rp.source === 'mic') {
      const run = new Coalescer(() => this.#reconcileMic(rp));
      this.#micRuns.set(producer.id, run);
      this.#track(run.run());
      this.#audioLevels.addProducer({ producerId: producer.id }).catch((e: unknown) => {
        if (!producer.closed)
          this.logger.warn(`producerAdded() | audio level observer refused [error:${errorText(e)}]`);
      });
    }
    for (const peer of this.#peers.values()) {
      if (peer.participantId !== rp.participantId) this.#track(peer.consumeProducer(rp));
    }
  }

  /** Pauses or resumes a microphone at the server so it matches the policy. */
  async #reconcileMic(rp: RoomProducer): Promise<void> {
    const { producer } = rp;
    if (producer.closed || this.#closed) return;
    const pause = this.#micShouldPause(rp, this.#pass);
    try {
      if (pause && !producer.paused) await producer.pause();
      else if (!pause && producer.paused) await producer.resume();
    } catch (e) {
      if (!producer.closed)
        this.logger.warn(`reconcileMic() | failed [producerId:${producer.id}, error:${errorText(e)}]`);
      return;
    }
    if (!producer.closed) {
      this.logger.debug(`reconcileMic() | [siteId:${rp.siteId}, paused:${producer.paused}]`);
    }
  }

  #onVolumes(volumes: ms.AudioLevelObserverVolume[]): void {
    const levels: SiteAudioLevel[] = [];
    for (const { producer, volume } of volumes) {
      const siteId = this.#producers.get(producer.id)?.siteId;
      if (siteId && !levels.some((l) => l.siteId === siteId)) levels.push({ siteId, dBov: volume });
    }
    const last = this.#lastLevels;
    const same =
      levels.length === last.length &&
      levels.every(
        (l, i) => l.siteId === last[i]?.siteId && Math.abs(l.dBov - (last[i]?.dBov ?? 0)) < LEVEL_STEP_DB,
      );
    if (same) return;
    this.#lastLevels = levels;
    this.safeEmit('audiolevels', levels);
  }
}
