/**
 * One contract for both schedule stores: the in-memory one and the Redis one against a real
 * redis-server (Debian's) started here on a free loopback port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IsoDate, MeetingId, MeetingPlan, SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/RedisStore.js';
import { RedisSupervisor } from '../../src/store/RedisSupervisor.js';
import {
  MemoryScheduleStore,
  RedisScheduleStore,
  type ScheduleRepository,
} from '../../src/store/ScheduleStore.js';

const plan = (id: string, over: Partial<MeetingPlan> = {}): MeetingPlan => ({
  meetingId: id as MeetingId,
  plannedMinutes: 120,
  seriesId: null,
  notice: null,
  confirmations: [],
  ...over,
});

function describeScheduleContract(name: string, make: () => Promise<ScheduleRepository>): void {
  describe(`ScheduleRepository contract — ${name}`, () => {
    it('putPlan() then getPlan() and listPlans() return what was stored, replaced in place', async () => {
      const s = await make();
      expect(await s.getPlan('m1' as MeetingId)).toBeNull();
      await s.putPlan(plan('m1'));
      await s.putPlan(plan('m2', { seriesId: 'series' }));
      await s.putPlan(
        plan('m1', {
          notice: { issuedAt: 5, reference: '15-TB/BTC', by: 'org' },
          confirmations: [{ siteId: 'hue' as SiteId, attending: true, delegates: 12, at: 4 }],
        }),
      );
      expect((await s.getPlan('m1' as MeetingId))?.notice?.reference).toBe('15-TB/BTC');
      expect((await s.getPlan('m1' as MeetingId))?.confirmations).toHaveLength(1);
      expect((await s.listPlans()).map((p) => p.meetingId).sort()).toEqual(['m1', 'm2']);
    });

    it('a plan read out cannot change the stored one', async () => {
      const s = await make();
      await s.putPlan(plan('m1'));
      const read = await s.getPlan('m1' as MeetingId);
      read?.confirmations.push({ siteId: 'hue' as SiteId, attending: true, delegates: 1, at: 1 });
      expect((await s.getPlan('m1' as MeetingId))?.confirmations).toEqual([]);
    });

    it('getCalendar() is null until an organizer saves one, then returns it', async () => {
      const s = await make();
      expect(await s.getCalendar()).toBeNull();
      const data = {
        years: [
          { year: 2027, source: 'notice', days: [{ date: '2027-01-02' as IsoDate, off: false, name: 'x' }] },
        ],
      };
      await s.putCalendar(data);
      expect(await s.getCalendar()).toEqual(data);
    });
  });
}

describeScheduleContract('memory', async () => new MemoryScheduleStore());

let redis: RedisSupervisor;
let dir: string;
const stores: RedisStore[] = [];
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'giaoban-schedule-store-'));
  redis = await RedisSupervisor.start({ dataDir: dir, restartOnCrash: false });
});

afterAll(async () => {
  for (const s of stores) await s.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describeScheduleContract('redis', async () => {
  const prefix = `sched${++n}:`;
  const store = await RedisStore.connect({ url: redis.url, prefix, commandTimeoutMs: 1_000 });
  stores.push(store);
  return new RedisScheduleStore(store.client, prefix);
});

describe('RedisScheduleStore.withBookingLock() across instances', () => {
  /** Two instances: their own connections, one prefix. */
  async function twoInstances(): Promise<[RedisScheduleStore, RedisScheduleStore, RedisStore, string]> {
    const prefix = `lock${++n}:`;
    const a = await RedisStore.connect({ url: redis.url, prefix, commandTimeoutMs: 1_000 });
    const b = await RedisStore.connect({ url: redis.url, prefix, commandTimeoutMs: 1_000 });
    stores.push(a, b);
    return [new RedisScheduleStore(a.client, prefix), new RedisScheduleStore(b.client, prefix), a, prefix];
  }

  it('never runs two bookings at once, whichever instance they start on', async () => {
    const [a, b] = await twoInstances();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const booking = (i: number) => async () => {
      inside++;
      most = Math.max(most, inside);
      // A clash check and its writes take a few round trips: yield while holding the lock.
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      inside--;
      return i;
    };
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).withBookingLock(booking(i))),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(order.sort((x, y) => x - y)).toEqual(results);
    expect(most).toBe(1);
  });

  it('releases the lock when the booking fails, and a lock left by a dead instance lapses', async () => {
    const [a, b, raw, prefix] = await twoInstances();
    await expect(
      a.withBookingLock(async () => {
        throw new Error('clash');
      }),
    ).rejects.toThrow('clash');
    expect(await b.withBookingLock(async () => 'next')).toBe('next');
    expect(await raw.client.exists(`${prefix}booking-lock`)).toBe(0);
    // An instance that died holding the lock: its lease runs out by itself.
    await raw.client.set(`${prefix}booking-lock`, 'dead-instance', 'PX', 300);
    expect(await b.withBookingLock(async () => 'after the lapse')).toBe('after the lapse');
  });
});
