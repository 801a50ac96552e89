import { randomUUID } from 'node:crypto';
import type { MeetingId, ParticipantId } from '@giaoban/shared';
import type { Redis } from 'ioredis';
import type { MeetingCoordination, MeetingService } from '../app/MeetingService.js';
import { DomainError, isDomainError, SYSTEM } from '../domain/index.js';
import { log } from '../log/log.js';
import type { RedisKeys } from '../store/redisKeys.js';
import type { Store } from '../store/Store.js';
import type { ClusterMedia } from './ClusterMedia.js';
import type { InstanceBus } from './InstanceBus.js';

/** Options of {@link HubCluster}. */
export interface HubClusterOptions {
  instanceId: string;
  /** This instance's base URL (known once it listens), shown to operators (`redis-cli get gb:instance:<id>`). */
  url: () => string;
  /** Fail-fast command client. */
  redis: Redis;
  keys: RedisKeys;
  bus: InstanceBus;
  store: Store;
  meetings: MeetingService;
  media: ClusterMedia;
  /** Our registration vanished (we were taken for dead): every local client must rejoin. */
  onSwept(): void;
  /** Heartbeat period (default {@link HEARTBEAT_MS}); the registration lapses after `instanceTtlMs` (default {@link INSTANCE_TTL_MS}). */
  heartbeatMs?: number;
  instanceTtlMs?: number;
  /** How long a gone instance's connections stay in the roster for their clients to come back (default {@link FAILOVER_GRACE_MS}). */
  graceMs?: number;
}

/** An instance refreshes its registration this often... */
export const HEARTBEAT_MS = 2_000;
/** ...and is taken for dead this long after the last refresh (two refreshes may fail in a row). */
export const INSTANCE_TTL_MS = 6_000;
/**
 * The connections of an instance found gone stay in the roster this long before they are removed:
 * its clients reconnect to another instance meanwhile (a proxy or load balancer sends them on), so
 * a site that was speaking or queued is still the same site with the same turn and place — its
 * leaving is recorded only if it does not come back. Sockets another instance drops because a
 * meeting's media moved get the same grace (SocketServer). 30 s: a loaded box took more than 12 s to
 * bring a page back through the proxy, and its site's turn ended as `left` (browser failover test).
 */
export const FAILOVER_GRACE_MS = 30_000;

/** A floor expiry is claimed for this long; the losers look again after it (MeetingService). */
const EXPIRY_CLAIM_MS = 30_000;

/** KEYS: instance key, index. ARGV: id, info JSON, ttl. Returns 1 when the id was not in the index. */
const HEARTBEAT = `
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return redis.call('SADD', KEYS[2], ARGV[1])`;

/** KEYS: lock. ARGV: me, ttl. 1 when the lock is (now) ours. */
const CLAIM_LOCK = `
local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then return 1 end
return 0`;

/** A new instance id: lowercase letters, digits and dashes, safe in keys and Lua. */
export const newInstanceId = (): string => randomUUID();

/**
 * This hub instance among the others sharing one Redis: it registers itself with a heartbeat,
 * records which connections it holds (presence), tells the others about every committed change,
 * lets exactly one instance run each floor expiry, and clears the connections of instances that
 * died (their sockets are gone, so their participants must leave the roster).
 */
export class HubCluster implements MeetingCoordination {
  readonly #o: Required<HubClusterOptions>;
  #timer: NodeJS.Timeout | null = null;
  /** No sweeping before this time: after an outage, the others need a beat to re-register. */
  #sweepAfter = 0;
  /** Instances found gone, and when: their connections are cleared once the grace has passed. */
  readonly #gone = new Map<string, number>();
  #registered = false;
  #stopped = false;

  constructor(options: HubClusterOptions) {
    this.#o = {
      heartbeatMs: HEARTBEAT_MS,
      instanceTtlMs: INSTANCE_TTL_MS,
      graceMs: FAILOVER_GRACE_MS,
      ...options,
    };
  }

  /** This instance's id. */
  get instanceId(): string {
    return this.#o.instanceId;
  }

  /** Registers, listens for the others' changes, and starts the heartbeat and the sweep. */
  async start(): Promise<void> {
    const { bus, meetings, media } = this.#o;
    bus.on('meeting.changed', (data) => {
      const n = data as { meetingId: string; version: number; floorExpiresAt: number | null };
      meetings
        .changedElsewhere(n.meetingId, n, media.holds(n.meetingId))
        .catch((err) =>
          log.warn('HubCluster', 'cannot follow a change', { meetingId: n.meetingId, error: String(err) }),
        );
    });
    bus.onReconnect(() => void this.#resync());
    await this.#heartbeat();
    this.#sweepAfter = Date.now() + this.#o.instanceTtlMs;
    this.#timer = setInterval(() => void this.#tick(), this.#o.heartbeatMs);
    this.#timer.unref();
    log.info('HubCluster', 'joined the cluster', { instance: this.instanceId, url: this.#o.url() });
  }

  /** Tells the other instances about a commit (they re-arm timers; the media owner follows it). */
  committed(meetingId: string, version: number, floorExpiresAt: number | null): void {
    this.#o.bus.notify('all', 'meeting.changed', { meetingId, version, floorExpiresAt });
  }

  /** Exactly one instance gets true for a given (meeting, expiry time). */
  async claimExpiry(meetingId: string, at: number): Promise<boolean> {
    const key = this.#o.keys.lock(`expire:${encodeURIComponent(meetingId)}:${at}`);
    return (await this.#o.redis.eval(CLAIM_LOCK, 1, key, this.instanceId, EXPIRY_CLAIM_MS)) === 1;
  }

  /** Presence before the join is saved: a participant in a record always has an instance that answers for it. */
  async joining(meetingId: string, participantId: string): Promise<void> {
    try {
      await this.#o.redis.hset(this.#o.keys.presence(this.instanceId), participantId, meetingId);
    } catch {
      throw new DomainError(
        'UNAVAILABLE',
        'Could not join: the storage (Redis) is unreachable; try again in a moment.',
      );
    }
  }

  /** Forgets a participant that left (best effort: a leftover entry only causes a no-op reset later). */
  left(_meetingId: string, participantId: string): void {
    this.#o.redis.hdel(this.#o.keys.presence(this.instanceId), participantId).catch(() => undefined);
  }

  /**
   * Leaves the cluster cleanly: its registration goes and the others are told. When other
   * instances live, this instance's connections are left for them to clear after the grace (their
   * clients reconnect there and keep their floor and queue places); alone, it clears them at once.
   * Idempotent; best effort when Redis is away.
   */
  async leave(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    const { redis, keys } = this.#o;
    try {
      await redis.del(keys.instance(this.instanceId));
      let others = 0;
      for (const id of await redis.smembers(keys.instanceIndex())) {
        if (id !== this.instanceId && (await redis.exists(keys.instance(id))) === 1) others++;
      }
      if (others === 0) {
        await this.#resetPresenceOf(this.instanceId);
        await redis.srem(keys.instanceIndex(), this.instanceId);
      }
    } catch (err) {
      log.warn('HubCluster.leave()', 'could not clean up; the others will when our heartbeat lapses', {
        error: (err as Error).message,
      });
    }
    this.#o.bus.notify('all', 'instance.bye', {});
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#heartbeat();
      if (Date.now() >= this.#sweepAfter) await this.#sweep();
    } catch (err) {
      log.debug('HubCluster', 'heartbeat skipped: Redis unreachable', { error: (err as Error).message });
    }
  }

  async #heartbeat(): Promise<void> {
    const { redis, keys, instanceId } = this.#o;
    const info = JSON.stringify({ url: this.#o.url(), pid: process.pid, at: Date.now() });
    const added = await redis.eval(
      HEARTBEAT,
      2,
      keys.instance(instanceId),
      keys.instanceIndex(),
      instanceId,
      info,
      this.#o.instanceTtlMs,
    );
    if (added === 1 && this.#registered) {
      // Someone swept us (our heartbeat lapsed in a long outage) and reset our participants: the
      // sockets here are alive, so make them join again.
      log.warn('HubCluster', 'this instance was taken for dead; its clients rejoin', {
        instance: instanceId,
      });
      await redis.del(keys.presence(instanceId));
      this.#o.onSwept();
    }
    this.#registered = true;
  }

  /**
   * Clears the connections of every registered instance whose heartbeat has lapsed, once the
   * failover grace has passed since this instance first found it gone.
   */
  async #sweep(): Promise<void> {
    const { redis, keys } = this.#o;
    const now = Date.now();
    const members = await redis.smembers(keys.instanceIndex());
    for (const id of this.#gone.keys()) if (!members.includes(id)) this.#gone.delete(id);
    for (const id of members) {
      if (id === this.instanceId) continue;
      if ((await redis.exists(keys.instance(id))) === 1) {
        this.#gone.delete(id);
        continue;
      }
      const since = this.#gone.get(id);
      if (since === undefined) {
        this.#gone.set(id, now);
        log.warn('HubCluster', 'instance is gone; its connections wait for their clients', {
          gone: id,
          graceMs: this.#o.graceMs,
        });
        continue;
      }
      if (now - since < this.#o.graceMs) continue;
      const lock = keys.lock(`sweep:${encodeURIComponent(id)}`);
      if ((await redis.set(lock, this.instanceId, 'PX', 60_000, 'NX')) !== 'OK') continue;
      log.warn('HubCluster', 'instance is gone; clearing its connections', { gone: id });
      await this.#resetPresenceOf(id);
      await redis.srem(keys.instanceIndex(), id);
      this.#gone.delete(id);
    }
  }

  /** Removes an instance's participants from their meetings' rosters, then its presence. */
  async #resetPresenceOf(instanceId: string): Promise<void> {
    const { redis, keys, meetings } = this.#o;
    const entries = await redis.hgetall(keys.presence(instanceId));
    const byMeeting = new Map<string, ParticipantId[]>();
    for (const [pid, meetingId] of Object.entries(entries)) {
      byMeeting.set(meetingId, [...(byMeeting.get(meetingId) ?? []), pid as ParticipantId]);
    }
    for (const [meetingId, participantIds] of byMeeting) {
      try {
        await meetings.run(meetingId, SYSTEM, { type: 'participants:reset', participantIds });
      } catch (err) {
        if (!(isDomainError(err) && err.code === 'NOT_FOUND')) throw err;
      }
    }
    await redis.del(keys.presence(instanceId));
  }

  /**
   * Once after start-up: participants stored in a meeting whom no instance answers for (left by
   * instances that died unregistered, or before presence existed) leave the roster. Those of a
   * registered instance that is gone are left to the sweep, which gives their clients the grace.
   * Meetings are read before presence, so a join in between is never taken for stale.
   */
  async resetOrphans(): Promise<void> {
    const { redis, keys, store, meetings } = this.#o;
    const records = await store.meetings.list();
    if (!records.some((r) => r.participants.length > 0)) return;
    const live = new Set<string>();
    for (const id of await redis.smembers(keys.instanceIndex())) {
      for (const pid of await redis.hkeys(keys.presence(id))) live.add(pid);
    }
    for (const record of records) {
      const stale = record.participants.map((p) => p.id).filter((id) => !live.has(id));
      if (stale.length === 0) continue;
      log.info('HubCluster', 'clearing connections no instance holds', {
        meetingId: record.meeting.id,
        count: stale.length,
      });
      await meetings.run(record.meeting.id as MeetingId, SYSTEM, {
        type: 'participants:reset',
        participantIds: stale,
      });
    }
  }

  /** After the bus was cut off: notices may be lost, so re-read what this instance follows. */
  async #resync(): Promise<void> {
    if (this.#stopped) return;
    this.#sweepAfter = Date.now() + this.#o.instanceTtlMs;
    try {
      await this.#heartbeat();
      await this.#o.meetings.recoverAfterRestart();
      for (const record of await this.#o.store.meetings.list()) {
        const id = record.meeting.id;
        if (this.#o.media.holds(id)) {
          await this.#o.meetings.changedElsewhere(id, { version: Number.MAX_SAFE_INTEGER }, true);
        }
      }
      log.info('HubCluster', 're-synced after a Redis outage');
    } catch (err) {
      log.warn('HubCluster', 're-sync failed; the next change brings it back in step', {
        error: (err as Error).message,
      });
    }
  }
}
