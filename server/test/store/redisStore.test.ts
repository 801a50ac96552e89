/**
 * RedisStore against a real redis-server (Debian's), started here on a free loopback port with the
 * settings the hub recommends (AOF, appendfsync always, noeviction) in a throwaway folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MeetingId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/RedisStore.js';
import { RedisSupervisor } from '../../src/store/RedisSupervisor.js';
import { describeStoreContract, sampleRecord } from './storeContract.js';

let redis: RedisSupervisor;
let dir: string;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'giaoban-redis-store-'));
  redis = await RedisSupervisor.start({ dataDir: dir, restartOnCrash: false });
});

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A store on a prefix no other test uses: empty, and isolated from the others. */
const freshStore = (prefix = `t${++n}:`): Promise<RedisStore> =>
  RedisStore.connect({ url: redis.url, prefix, commandTimeoutMs: 1_000 });

describeStoreContract('RedisStore', () => freshStore());

const bumped = (r: ReturnType<typeof sampleRecord>, title: string) => ({
  ...r,
  version: r.version + 1,
  meeting: { ...r.meeting, title },
});

describe('RedisStore', () => {
  it('rejects with UNAVAILABLE once closed', async () => {
    const store = await freshStore();
    await store.close();
    await expect(store.meetings.create(sampleRecord('m1'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('keeps every key under its prefix', async () => {
    const store = await freshStore('gb-test-prefix:');
    await store.meetings.create(sampleRecord('m:1'));
    await store.links.put({
      id: 'l1' as never,
      meetingId: 'm:1' as MeetingId,
      role: 'observer',
      siteId: null,
      displayName: 'x',
      issuedAt: 1,
      expiresAt: 2,
      revokedAt: null,
    });
    await store.appendDocUpdate('m:1' as MeetingId, 'minutes', new Uint8Array([1]));
    const keys = (await store.client.keys('*')).filter((k) => !/^t\d+:/.test(k));
    expect(keys.sort()).toEqual([
      'gb-test-prefix:link:l1',
      'gb-test-prefix:meeting:m%3A1',
      'gb-test-prefix:meeting:m%3A1:doc:minutes',
      'gb-test-prefix:meeting:m%3A1:links',
      'gb-test-prefix:meetings',
    ]);
    await store.close();
  });

  it('of many racing saves from two connections (two hub instances) exactly one wins each version', async () => {
    const prefix = `t${++n}:`;
    const a = await freshStore(prefix);
    const b = await freshStore(prefix);
    let record = sampleRecord('race');
    await a.meetings.create(record);
    for (let round = 0; round < 30; round++) {
      const results = await Promise.allSettled([
        a.meetings.save(bumped(record, `A${round}`), record.version),
        b.meetings.save(bumped(record, `B${round}`), record.version),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toMatchObject({ code: 'CONFLICT' });
      const stored = await a.meetings.get(record.meeting.id);
      expect(stored?.version).toBe(record.version + 1);
      record = stored as typeof record;
    }
    await a.close();
    await b.close();
  });

  it('refuses a compaction based on a read made before another instance compacted, losing nothing', async () => {
    const prefix = `t${++n}:`;
    const a = await freshStore(prefix);
    const b = await freshStore(prefix);
    const m = 'doc' as MeetingId;
    for (const x of [1, 2, 3]) await a.appendDocUpdate(m, 'ws', new Uint8Array([x]));
    // Both instances read the three updates and set out to merge them.
    await a.readDocUpdates(m, 'ws');
    await b.readDocUpdates(m, 'ws');
    await a.compactDocUpdates(m, 'ws', new Uint8Array([123]), 3);
    for (const x of [4, 5, 6]) await a.appendDocUpdate(m, 'ws', new Uint8Array([x]));
    // B's merge of the first three would now replace A's merge and the appends 4 and 5.
    await expect(b.compactDocUpdates(m, 'ws', new Uint8Array([123]), 3)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await b.readDocUpdates(m, 'ws')).map((u) => Array.from(u))).toEqual([[123], [4], [5], [6]]);
    // After a fresh read it may compact.
    await b.compactDocUpdates(m, 'ws', new Uint8Array([123, 4, 5, 6]), 4);
    expect((await a.readDocUpdates(m, 'ws')).map((u) => Array.from(u))).toEqual([[123, 4, 5, 6]]);
    await a.close();
    await b.close();
  });

  it('fails fast with UNAVAILABLE while Redis is down, and works again when it is back', async () => {
    const store = await freshStore();
    await store.meetings.create(sampleRecord('m1'));
    let redisBack = false;
    const down = redis.restartForTesting(1_500).then(() => {
      redisBack = true;
    });
    // Wait until the connection has noticed.
    while (store.client.status === 'ready') await new Promise((r) => setTimeout(r, 10));
    const refused = await store.meetings.get('m1' as MeetingId).then(
      () => null,
      (e: unknown) => e,
    );
    // Refused while Redis is still down (not queued until it is back).
    expect(redisBack).toBe(false);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE' });
    expect(String((refused as Error).message)).toMatch(/Redis/);
    await down;
    let back = null;
    for (let i = 0; i < 100 && !back; i++) {
      back = await store.meetings.get('m1' as MeetingId).catch(() => null);
      if (!back) await new Promise((r) => setTimeout(r, 100));
    }
    // Written before the restart, read after it: the AOF kept it.
    expect(back?.meeting.title).toBe('Giao ban m1');
    await store.close();
  });

  it('gives up on a hung Redis after the command timeout with UNAVAILABLE, and carries on when it answers again', async () => {
    const store = await freshStore();
    const pid = redis.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      const err = await store.meetings.create(sampleRecord('hung')).then(
        () => null,
        (e: unknown) => e,
      );
      const waited = Date.now() - t0;
      expect(err).toMatchObject({ code: 'UNAVAILABLE' });
      // It waited for the command timeout (1 s) before giving up, while Redis stayed hung.
      expect(waited).toBeGreaterThanOrEqual(900);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // The timed-out create may or may not have been applied: that is what UNAVAILABLE promises no more than.
    await expect(store.meetings.create(sampleRecord('after'))).resolves.toBeUndefined();
    await store.close();
  });
});
