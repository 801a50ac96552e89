import { randomBytes } from 'node:crypto';
import type { CalendarData, MeetingId, MeetingPlan } from '@giaoban/shared';
import type { Redis } from 'ioredis';
import { DomainError } from '../domain/DomainError.js';
import { log } from '../log/log.js';
import { unavailable } from './redisClient.js';

/**
 * What booking adds to the store: one plan per meeting (planned length, series, conclusion notice,
 * sites' confirmations) and the organizers' edits of the working-day calendar. Two implementations
 * behind one interface and one contract suite (server/test/store/scheduleStore*.test.ts), chosen
 * beside the main store at start-up.
 */
export interface ScheduleRepository {
  /** The meeting's plan, or null when it was created without one. */
  getPlan(meetingId: MeetingId): Promise<MeetingPlan | null>;
  /** Every plan, in no particular order. */
  listPlans(): Promise<MeetingPlan[]>;
  /** Creates or replaces a meeting's plan. */
  putPlan(plan: MeetingPlan): Promise<void>;
  /** The calendar data organizers saved, or null when they never edited it (the shipped file applies). */
  getCalendar(): Promise<CalendarData | null>;
  /** Replaces the calendar data. */
  putCalendar(data: CalendarData): Promise<void>;
  /**
   * Runs `fn` while no other booking runs on any instance sharing this store: a booking's clash
   * check and its writes are one step for the whole calendar. UNAVAILABLE when the lock cannot be
   * had in time.
   */
  withBookingLock<T>(fn: () => Promise<T>): Promise<T>;
}

const copy = <T>(value: T): T => structuredClone(value);

/** The in-process schedule store (the memory store's companion). */
export class MemoryScheduleStore implements ScheduleRepository {
  readonly #plans = new Map<string, MeetingPlan>();
  #calendar: CalendarData | null = null;

  async getPlan(meetingId: MeetingId): Promise<MeetingPlan | null> {
    const p = this.#plans.get(meetingId);
    return p ? copy(p) : null;
  }
  async listPlans(): Promise<MeetingPlan[]> {
    return [...this.#plans.values()].map(copy);
  }
  async putPlan(plan: MeetingPlan): Promise<void> {
    this.#plans.set(plan.meetingId, copy(plan));
  }
  async getCalendar(): Promise<CalendarData | null> {
    return this.#calendar ? copy(this.#calendar) : null;
  }
  async putCalendar(data: CalendarData): Promise<void> {
    this.#calendar = copy(data);
  }
  /** One process holds the memory store: ScheduleService's own queue already runs bookings one at a time. */
  withBookingLock<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
}

/** A booking holds the lock this long unless renewed; a crashed instance's lock lapses after it. */
const BOOKING_LOCK_TTL_MS = 10_000;
/** How long a booking waits for another instance's booking before giving up with UNAVAILABLE. */
const BOOKING_LOCK_WAIT_MS = 30_000;
/** Deletes the lock only when it is still ours (our token): a lapsed lock another instance took stays. */
const RELEASE_LUA =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
/** Extends the lock only when it is still ours. */
const RENEW_LUA =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

/**
 * The schedule in Redis, on the store's connection: HASH `<prefix>plans` (meeting id → plan JSON)
 * and STRING `<prefix>calendar` (the calendar JSON). Listed in docs/REDIS.md.
 */
export class RedisScheduleStore implements ScheduleRepository {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  getPlan(meetingId: MeetingId): Promise<MeetingPlan | null> {
    return this.#run('read the meeting plan', async (r) => {
      const json = await r.hget(`${this.prefix}plans`, meetingId);
      return json ? (JSON.parse(json) as MeetingPlan) : null;
    });
  }
  listPlans(): Promise<MeetingPlan[]> {
    return this.#run('list the meeting plans', async (r) =>
      Object.values(await r.hgetall(`${this.prefix}plans`)).map((json) => JSON.parse(json) as MeetingPlan),
    );
  }
  putPlan(plan: MeetingPlan): Promise<void> {
    return this.#run('save the meeting plan', async (r) => {
      await r.hset(`${this.prefix}plans`, plan.meetingId, JSON.stringify(plan));
    });
  }
  getCalendar(): Promise<CalendarData | null> {
    return this.#run('read the calendar', async (r) => {
      const json = await r.get(`${this.prefix}calendar`);
      return json ? (JSON.parse(json) as CalendarData) : null;
    });
  }
  putCalendar(data: CalendarData): Promise<void> {
    return this.#run('save the calendar', async (r) => {
      await r.set(`${this.prefix}calendar`, JSON.stringify(data));
    });
  }

  /**
   * A short lease with a token (`SET <prefix>booking-lock <token> NX PX 10000`), renewed every
   * third of its life while the booking runs and released only by its holder (Lua compare-and-
   * delete). Waiting bookings poll with a growing, jittered delay.
   */
  async withBookingLock<T>(fn: () => Promise<T>): Promise<T> {
    const key = `${this.prefix}booking-lock`;
    const token = randomBytes(12).toString('base64url');
    const deadline = Date.now() + BOOKING_LOCK_WAIT_MS;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const taken = await this.#run('take the booking lock', (r) =>
        r.set(key, token, 'PX', BOOKING_LOCK_TTL_MS, 'NX'),
      );
      if (taken === 'OK') break;
      if (Date.now() > deadline)
        throw new DomainError('UNAVAILABLE', 'Another booking is still running; try again in a moment.');
      await new Promise((r) => setTimeout(r, delay + Math.floor(Math.random() * delay)));
    }
    const renew = setInterval(() => {
      this.redis.eval(RENEW_LUA, 1, key, token, BOOKING_LOCK_TTL_MS).then(
        (kept) => {
          if (kept !== 1)
            log.error('RedisScheduleStore', 'booking lock lost while booking (Redis restarted?)');
        },
        (err: unknown) => log.warn('RedisScheduleStore', 'booking lock not renewed', { error: String(err) }),
      );
    }, BOOKING_LOCK_TTL_MS / 3);
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      // A release that fails leaves the lock to lapse by itself within its TTL.
      await this.redis
        .eval(RELEASE_LUA, 1, key, token)
        .catch((err: unknown) =>
          log.warn('RedisScheduleStore', 'booking lock not released', { error: String(err) }),
        );
    }
  }

  async #run<T>(what: string, op: (r: Redis) => Promise<T>): Promise<T> {
    try {
      return await op(this.redis);
    } catch (err) {
      throw unavailable(err, what);
    }
  }
}
