import type {
  ConsumerInfo,
  ConsumerState,
  MeetingId,
  MicState,
  ParticipantId,
  PublishLayers,
  SiteId,
  TransportDirection,
  TransportInfo,
} from '@giaoban/shared';
import type { Redis } from 'ioredis';
import type { MediaAccess, MeetingMediaHandle, PeerHandle } from '../app/MediaAccess.js';
import type { MediaRegistry } from '../app/MediaRegistry.js';
import { DomainError, isDomainError } from '../domain/DomainError.js';
import { log } from '../log/log.js';
import type {
  MediaPeer,
  MediaPeerCloseReason,
  MediaPeerInfo,
  MeetingMedia,
  PeerSignal,
  ProduceRequest,
} from '../media/index.js';
import { unavailable } from '../store/redisClient.js';
import type { RedisKeys } from '../store/redisKeys.js';
import { type InstanceBus, InstanceGoneError } from './InstanceBus.js';

/** Options of {@link ClusterMedia}. */
export interface ClusterMediaOptions {
  instanceId: string;
  registry: MediaRegistry;
  /** Fail-fast command client. */
  redis: Redis;
  keys: RedisKeys;
  bus: InstanceBus;
  /**
   * Drops this instance's connections to a meeting whose media peers are closed (the media moved),
   * so their clients rejoin; the transport gives them a grace so the rejoin keeps floor and queue.
   */
  rejoin(meetingId: MeetingId): void;
  /** Lifetime of an ownership claim (default {@link OWNER_TTL_MS}); refreshed at every check. */
  ownerTtlMs?: number;
  /** How often claims are refreshed and owners probed (default {@link CHECK_MS}). */
  checkMs?: number;
}

/**
 * An ownership claim lapses this long after its owner's last refresh, like an instance's
 * registration (HubCluster's INSTANCE_TTL_MS): both say "gone" after the same 6 s.
 */
export const OWNER_TTL_MS = 6_000;
/**
 * Claims are refreshed, and the owners of the media this instance's clients use are probed,
 * this often. A probe asks Redis how many connections listen on the owner's bus channel: a
 * process that died (even by SIGKILL) has its Redis connection closed by the kernel at once, so
 * two probes in a row finding nobody mean the owner is dead — well before its claim lapses.
 */
export const CHECK_MS = 1_000;
/** Probes in a row that must find nobody listening before an owner is taken for dead. */
const SILENT_PROBES = 2;
/**
 * Empty channels are not counted until this instance's own subscription has been up this long:
 * after a Redis outage every instance re-subscribes (back-off up to 2 s), and one still on its
 * way back is not dead.
 */
const RESUBSCRIBE_MS = 3_000;

/** KEYS: owner. ARGV: me, ttl, instance key prefix. Claims a free meeting or one whose owner is gone; returns the owner. */
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return cur end
if cur and redis.call('EXISTS', ARGV[3] .. cur) == 1 then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

/** KEYS: owner. ARGV: me, ttl, the owner believed dead. Takes over only from that owner. */
const STEAL = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[3] and cur ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

/** KEYS: owner. ARGV: me, ttl. Keeps (or retakes, if it lapsed) a claim; returns the owner. */
const REFRESH = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

/** KEYS: owner. ARGV: me. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The peer methods a non-owner may call on the owner, with their arguments. */
type PeerCall =
  | { method: 'setRtpCapabilities'; args: [Record<string, unknown>] }
  | { method: 'createTransport'; args: [TransportDirection] }
  | { method: 'connectTransport'; args: [string, Record<string, unknown>] }
  | { method: 'restartIce'; args: [string] }
  | { method: 'produce'; args: [ProduceRequest] }
  | { method: 'closeProducer'; args: [string] }
  | { method: 'setVisibleTiles'; args: [SiteId[]] };

type SignalEvent =
  | { kind: 'consumerClosed'; data: string }
  | { kind: 'consumerState'; data: ConsumerState }
  | { kind: 'micState'; data: MicState }
  | { kind: 'publishLayers'; data: PublishLayers };

/** A peer hosted here for a client connected to another instance. */
interface HostedPeer {
  peer: MediaPeer;
  meetingId: MeetingId;
  from: string;
}

/**
 * Media of a meeting lives on ONE hub instance, its owner, recorded in Redis (`media-owner:<id>`,
 * claimed with SET-if-free, refreshed while the media lives, taken over when the owner is gone).
 * A client connected to another instance keeps its socket there: that instance forwards its
 * media:* requests to the owner over the InstanceBus, and the owner's signals (new consumers,
 * consumer and microphone states) come back the same way. WebRTC itself flows between the
 * client and the owner's media address, so nothing is relayed but signalling. When the owner
 * goes away, the clients of the other instances are asked to rejoin, and the first rejoin claims
 * the media for its instance. See docs/REDIS.md for why signalling is forwarded rather than clients redirected.
 */
export class ClusterMedia implements MediaAccess {
  readonly #o: Required<ClusterMediaOptions>;
  /** Meetings whose media this instance holds. */
  readonly #owned = new Map<MeetingId, MeetingMedia>();
  /** Owner side: peers of clients connected elsewhere. */
  readonly #hosted = new Map<ParticipantId, HostedPeer>();
  /** Non-owner side: stand-ins of this instance's clients whose media is elsewhere. */
  readonly #remote = new Map<ParticipantId, RemotePeer>();
  readonly #timer: NodeJS.Timeout;
  /** Probes in a row that found nobody on an instance's bus channel. */
  readonly #silent = new Map<string, number>();
  #checking = false;
  #closed = false;

  constructor(options: ClusterMediaOptions) {
    this.#o = { ownerTtlMs: OWNER_TTL_MS, checkMs: CHECK_MS, ...options };
    const { bus } = this.#o;
    bus.handle('media.open', (p) => this.#open((p as { meetingId: MeetingId }).meetingId));
    bus.handle('peer.add', (p, from) =>
      this.#hostPeer(p as { meetingId: MeetingId; info: MediaPeerInfo }, from),
    );
    bus.handle('peer.call', (p, from) =>
      this.#callHosted(p as { participantId: ParticipantId } & PeerCall, from),
    );
    bus.on('peer.close', (p, from) => {
      const { participantId, reason } = p as { participantId: ParticipantId; reason: MediaPeerCloseReason };
      const hosted = this.#hosted.get(participantId);
      if (hosted?.from === from) hosted.peer.close(reason);
    });
    bus.handle('signal.newConsumer', async (p) => {
      const { participantId, info } = p as { participantId: ParticipantId; info: ConsumerInfo };
      const rp = this.#remote.get(participantId);
      if (!rp || rp.closed) throw new DomainError('UNAVAILABLE', 'the client has left');
      await rp.signal.newConsumer(info);
    });
    bus.on('signal.event', (p) => {
      const { participantId, ...event } = p as { participantId: ParticipantId } & SignalEvent;
      const rp = this.#remote.get(participantId);
      if (!rp || rp.closed) return;
      switch (event.kind) {
        case 'consumerClosed':
          return rp.signal.consumerClosed(event.data);
        case 'consumerState':
          return rp.signal.consumerState(event.data);
        case 'micState':
          return rp.signal.micState(event.data);
        case 'publishLayers':
          return rp.signal.publishLayers?.(event.data);
        default:
          event satisfies never;
      }
    });
    bus.on('peer.closed', (p) => {
      const { participantId, reason } = p as { participantId: ParticipantId; reason: MediaPeerCloseReason };
      this.#remote.get(participantId)?.markClosed(reason);
    });
    bus.on('instance.bye', (_p, from) => this.#instanceGone(from));
    this.#timer = setInterval(() => void this.#check(), this.#o.checkMs);
    this.#timer.unref();
  }

  /** Whether this instance holds the meeting's media (then it follows every change of the meeting). */
  holds(meetingId: string): boolean {
    return this.#owned.has(meetingId as MeetingId);
  }

  /** The owner instance recorded for a meeting, or null. */
  async ownerOf(meetingId: MeetingId): Promise<string | null> {
    return this.#o.redis.get(this.#o.keys.mediaOwner(meetingId));
  }

  /**
   * The meeting's media for a client of this instance: here when this instance owns it (or
   * claims it now), otherwise a handle whose peers run on the owner.
   */
  async get(meetingId: MeetingId): Promise<MeetingMediaHandle> {
    if (this.#closed) throw new DomainError('UNAVAILABLE', 'the hub is shutting down');
    for (let attempt = 0; ; attempt++) {
      let owner = await this.#redisCall('claim the meeting media', (r) =>
        r.eval(CLAIM, 1, this.#key(meetingId), this.#me, this.#o.ownerTtlMs, this.#instancePrefix),
      );
      if (owner === this.#me) return this.#local(meetingId);
      try {
        const caps = await this.#o.bus.call<unknown>(String(owner), 'media.open', { meetingId });
        return {
          rtpCapabilities: caps,
          addPeer: (info, signal) => this.#addRemotePeer(String(owner), meetingId, info, signal),
        };
      } catch (err) {
        if (err instanceof InstanceGoneError) {
          // Its heartbeat has not lapsed yet, but nobody listens on its channel: it is gone.
          owner = await this.#redisCall('take over the meeting media', (r) =>
            r.eval(STEAL, 1, this.#key(meetingId), this.#me, this.#o.ownerTtlMs, err.instanceId),
          );
          log.warn('ClusterMedia.get()', 'media owner is gone', { meetingId, gone: err.instanceId, owner });
          if (owner === this.#me) return this.#local(meetingId);
        }
        // CONFLICT: it stopped owning it between our claim and its answer; look again.
        if (
          attempt < 2 &&
          (err instanceof InstanceGoneError || (isDomainError(err) && err.code === 'CONFLICT'))
        ) {
          continue;
        }
        throw isDomainError(err)
          ? err
          : new DomainError('UNAVAILABLE', 'the media of this meeting is not reachable');
      }
    }
  }

  /** Leaves the cluster's media: releases ownership, tells the others, closes stand-ins; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const rp of this.#remote.values()) rp.close('left');
    this.#remote.clear();
    await Promise.all(
      [...this.#owned.keys()].map((id) =>
        this.#o.redis.eval(RELEASE, 1, this.#key(id), this.#me).catch(() => undefined),
      ),
    );
    this.#owned.clear();
  }

  get #me(): string {
    return this.#o.instanceId;
  }

  get #instancePrefix(): string {
    // Instance ids are [a-z0-9-], which key encoding leaves as they are.
    return this.#o.keys.instance('');
  }

  #key(meetingId: string): string {
    return this.#o.keys.mediaOwner(meetingId);
  }

  async #redisCall<T>(what: string, op: (r: Redis) => Promise<T>): Promise<T> {
    try {
      return await op(this.#o.redis);
    } catch (err) {
      throw unavailable(err, what);
    }
  }

  /** The local media of a meeting this instance owns; watched so ownership is released with it. */
  async #local(meetingId: MeetingId): Promise<MeetingMedia> {
    const media = await this.#o.registry.get(meetingId);
    if (this.#owned.get(meetingId) !== media) {
      this.#owned.set(meetingId, media);
      log.info('ClusterMedia', 'this instance holds the meeting media', { meetingId, instance: this.#me });
      media.on('close', () => {
        if (this.#owned.get(meetingId) !== media) return;
        this.#owned.delete(meetingId);
        this.#o.redis.eval(RELEASE, 1, this.#key(meetingId), this.#me).catch(() => undefined);
      });
    }
    return media;
  }

  // ---- owner side -----------------------------------------------------------------------

  async #open(meetingId: MeetingId): Promise<unknown> {
    const owner = await this.ownerOf(meetingId);
    if (owner !== this.#me)
      throw new DomainError('CONFLICT', `instance ${this.#me} does not hold this meeting's media`);
    return (await this.#local(meetingId)).rtpCapabilities;
  }

  async #hostPeer(p: { meetingId: MeetingId; info: MediaPeerInfo }, from: string): Promise<null> {
    const media = await this.#local(p.meetingId);
    const pid = p.info.participantId;
    // Forgotten first: the replaced peer's close must not be reported as this one's.
    this.#hosted.delete(pid);
    const peer = media.addPeer(p.info, this.#signalTo(from, pid));
    this.#hosted.set(pid, { peer, meetingId: p.meetingId, from });
    peer.on('close', (reason) => {
      if (this.#hosted.get(pid)?.peer !== peer) return;
      this.#hosted.delete(pid);
      // Tells the client's instance (a no-op when it asked for the close itself).
      this.#o.bus.notify(from, 'peer.closed', { participantId: pid, reason });
    });
    return null;
  }

  async #callHosted(p: { participantId: ParticipantId } & PeerCall, from: string): Promise<unknown> {
    const hosted = this.#hosted.get(p.participantId);
    if (!hosted || hosted.from !== from || hosted.peer.closed) {
      throw new DomainError('UNAVAILABLE', 'this media session is gone; reconnect');
    }
    const peer = hosted.peer;
    switch (p.method) {
      case 'setRtpCapabilities':
        return peer.setRtpCapabilities(...p.args);
      case 'createTransport':
        return peer.createTransport(...p.args);
      case 'connectTransport':
        return peer.connectTransport(...p.args);
      case 'restartIce':
        return peer.restartIce(...p.args);
      case 'produce':
        return peer.produce(...p.args);
      case 'closeProducer':
        return peer.closeProducer(...p.args);
      case 'setVisibleTiles':
        return peer.setVisibleTiles(...p.args);
      default:
        p satisfies never;
        throw new DomainError('VALIDATION', 'unknown media call');
    }
  }

  /** How a hosted peer reaches its client: through the instance the client is connected to. */
  #signalTo(from: string, participantId: ParticipantId): PeerSignal {
    const event = (e: SignalEvent): void => this.#o.bus.notify(from, 'signal.event', { participantId, ...e });
    return {
      newConsumer: async (info) => {
        // The client instance waits up to 10 s for the client's ack; allow for the hop on top.
        await this.#o.bus.call(from, 'signal.newConsumer', { participantId, info }, 15_000);
      },
      consumerClosed: (data) => event({ kind: 'consumerClosed', data }),
      consumerState: (data) => event({ kind: 'consumerState', data }),
      micState: (data) => event({ kind: 'micState', data }),
      publishLayers: (data) => event({ kind: 'publishLayers', data }),
    };
  }

  // ---- client side ----------------------------------------------------------------------

  #addRemotePeer(owner: string, meetingId: MeetingId, info: MediaPeerInfo, signal: PeerSignal): RemotePeer {
    this.#remote.get(info.participantId)?.close('replaced');
    const rp = new RemotePeer(owner, meetingId, info.participantId, this.#o.bus, signal, () => {
      if (this.#remote.get(info.participantId) === rp) this.#remote.delete(info.participantId);
    });
    this.#remote.set(info.participantId, rp);
    rp.start({ meetingId, info });
    return rp;
  }

  /** The owner of these stand-ins' media is gone or changed: their clients must rejoin. */
  #ownerLost(meetingId: MeetingId, reason: string): void {
    let any = false;
    for (const rp of [...this.#remote.values()]) {
      if (rp.meetingId !== meetingId) continue;
      rp.markClosed('meetingclosed');
      any = true;
    }
    if (!any) return;
    log.warn('ClusterMedia', 'media owner lost; clients of this instance rejoin', { meetingId, reason });
    this.#o.rejoin(meetingId);
  }

  #instanceGone(instanceId: string): void {
    for (const hosted of [...this.#hosted.values()])
      if (hosted.from === instanceId) hosted.peer.close('left');
    const meetings = new Set(
      [...this.#remote.values()].filter((r) => r.owner === instanceId).map((r) => r.meetingId),
    );
    for (const id of meetings) this.#ownerLost(id, `instance ${instanceId} stopped`);
  }

  /**
   * Whether an instance is gone: its registration lapsed, or {@link SILENT_PROBES} probes in a row
   * found nobody listening on its bus channel (a dead process's connection is closed at once).
   */
  async #gone(instanceId: string): Promise<boolean> {
    const { redis, keys } = this.#o;
    if ((await redis.exists(keys.instance(instanceId))) === 0) return true;
    const [, listeners] = (await redis.pubsub('NUMSUB', keys.busOf(instanceId))) as [string, number];
    if (Number(listeners) > 0 || this.#o.bus.subscribedForMs < RESUBSCRIBE_MS) {
      this.#silent.delete(instanceId);
      return false;
    }
    const silent = (this.#silent.get(instanceId) ?? 0) + 1;
    this.#silent.set(instanceId, silent);
    return silent >= SILENT_PROBES;
  }

  /**
   * The owner of a meeting's media is dead: take the media over here at once (only from that
   * owner: of several instances noticing, one wins and the others follow it), so the policy is
   * applied before the clients come back, then make this instance's clients of it rejoin.
   */
  async #takeOver(meetingId: MeetingId, dead: string): Promise<void> {
    const owner = String(
      await this.#o.redis.eval(STEAL, 1, this.#key(meetingId), this.#me, this.#o.ownerTtlMs, dead),
    );
    log.warn('ClusterMedia', 'media owner is dead; media moves', { meetingId, dead, owner });
    if (owner === this.#me) await this.#local(meetingId);
    this.#ownerLost(meetingId, `owner ${dead} is dead`);
  }

  /** Periodic: keep our claims, notice lost or dead owners and dead client instances. Skipped while Redis is away. */
  async #check(): Promise<void> {
    if (this.#closed || this.#checking) return;
    this.#checking = true;
    const { redis } = this.#o;
    try {
      for (const [meetingId, media] of [...this.#owned]) {
        const owner = String(
          await redis.eval(REFRESH, 1, this.#key(meetingId), this.#me, this.#o.ownerTtlMs),
        );
        if (owner !== this.#me && this.#owned.get(meetingId) === media) {
          // Another instance took it while we could not refresh (a long Redis outage): hand over.
          log.warn('ClusterMedia', 'meeting media taken over by another instance', { meetingId, owner });
          this.#owned.delete(meetingId);
          media.close('meetingclosed');
          this.#o.rejoin(meetingId);
        }
      }
      const byMeeting = new Map<MeetingId, string>();
      for (const rp of this.#remote.values()) if (!rp.closed) byMeeting.set(rp.meetingId, rp.owner);
      for (const [meetingId, owner] of byMeeting) {
        const now = await this.ownerOf(meetingId);
        if (now !== owner) this.#ownerLost(meetingId, `owner is now ${now ?? 'nobody'}`);
        else if (await this.#gone(owner)) await this.#takeOver(meetingId, owner);
      }
      const froms = new Set([...this.#hosted.values()].map((h) => h.from));
      for (const from of froms) if (await this.#gone(from)) this.#instanceGone(from);
      const probed = new Set([...byMeeting.values(), ...froms]);
      for (const id of [...this.#silent.keys()]) if (!probed.has(id)) this.#silent.delete(id);
    } catch (err) {
      log.debug('ClusterMedia.#check()', 'skipped: Redis unreachable', { error: (err as Error).message });
    } finally {
      this.#checking = false;
    }
  }
}

/**
 * Stand-in for a peer whose media lives on another instance: every call runs there, in order
 * (the add first), and fails with the owner's error code.
 */
class RemotePeer implements PeerHandle {
  #closed = false;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly owner: string,
    readonly meetingId: MeetingId,
    readonly participantId: ParticipantId,
    private readonly bus: InstanceBus,
    readonly signal: PeerSignal,
    private readonly onClose: () => void,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Creates the peer on the owner; later calls wait for it. */
  start(params: { meetingId: MeetingId; info: MediaPeerInfo }): void {
    this.#chain = this.bus.call(this.owner, 'peer.add', params).catch((err: unknown) => {
      log.warn('RemotePeer', 'cannot add the peer on the media owner', {
        owner: this.owner,
        error: (err as Error).message,
      });
      this.markClosed('meetingclosed');
    });
  }

  setRtpCapabilities(rtpCapabilities: Record<string, unknown>): Promise<void> {
    return this.#call({ method: 'setRtpCapabilities', args: [rtpCapabilities] });
  }

  createTransport(direction: TransportDirection): Promise<TransportInfo> {
    return this.#call({ method: 'createTransport', args: [direction] });
  }

  connectTransport(transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    return this.#call({ method: 'connectTransport', args: [transportId, dtlsParameters] });
  }

  restartIce(transportId: string): Promise<Record<string, unknown>> {
    return this.#call({ method: 'restartIce', args: [transportId] });
  }

  produce(request: ProduceRequest): Promise<string> {
    return this.#call({ method: 'produce', args: [request] });
  }

  closeProducer(producerId: string): Promise<void> {
    return this.#call({ method: 'closeProducer', args: [producerId] });
  }

  setVisibleTiles(siteIds: readonly SiteId[]): Promise<void> {
    return this.#call({ method: 'setVisibleTiles', args: [[...siteIds]] });
  }

  /** The client left this instance: the owner closes the real peer. */
  close(reason: MediaPeerCloseReason = 'left'): void {
    if (this.#closed) return;
    this.markClosed(reason);
    this.bus.notify(this.owner, 'peer.close', { participantId: this.participantId, reason });
  }

  /** Closed without telling the owner (it closed the peer itself, or it is gone). */
  markClosed(_reason: MediaPeerCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose();
  }

  #call<T>(call: PeerCall): Promise<T> {
    const run = this.#chain.then(() => {
      if (this.#closed) throw new DomainError('UNAVAILABLE', 'Media for this meeting is not available');
      return this.bus.call<T>(this.owner, 'peer.call', { participantId: this.participantId, ...call });
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }
}
