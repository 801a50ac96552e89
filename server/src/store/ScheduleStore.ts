import type { CalendarData, MeetingId, MeetingPlan } from '@giaoban/shared';
import type { Redis } from 'ioredis';
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
}

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

  async #run<T>(what: string, op: (r: Redis) => Promise<T>): Promise<T> {
    try {
      return await op(this.redis);
    } catch (err) {
      throw unavailable(err, what);
    }
  }
}
