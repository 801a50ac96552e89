import type { DirectorySite, JoinLink, JoinLinkId, MeetingId, SiteId } from '@giaoban/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/DomainError.js';
import { createMeetingRecord, type MeetingRecord } from '../../src/domain/MeetingRecord.js';
import type { Store } from '../../src/store/Store.js';

const site = (id: string, name = id): DirectorySite => ({
  id: id as SiteId,
  name,
  region: name,
  kind: 'province',
  mergedFrom: [],
  parentId: null,
});

/** A small meeting record; distinct ids keep meetings apart. */
export function sampleRecord(id: string): MeetingRecord {
  return createMeetingRecord({
    id: id as MeetingId,
    title: `Giao ban ${id}`,
    scheduledAt: Date.UTC(2025, 6, 1),
    hostSite: { ...site('trung-uong', 'Điểm cầu Trung ương'), kind: 'central' },
    chairName: 'Chủ trì',
    floorSeconds: 180,
    maxConnections: 100,
    invitedSites: [site('ha-noi', 'Thành phố Hà Nội'), site('hue', 'Thành phố Huế')],
  });
}

const link = (id: string, meetingId: string, over: Partial<JoinLink> = {}): JoinLink => ({
  id: id as JoinLinkId,
  meetingId: meetingId as MeetingId,
  role: 'site',
  siteId: 'ha-noi' as SiteId,
  displayName: 'Hà Nội',
  issuedAt: 1_000,
  expiresAt: 2_000,
  revokedAt: null,
  ...over,
});

/** Next version of a record, as execute() would produce it. */
const bumped = (r: MeetingRecord, title: string): MeetingRecord => ({
  ...r,
  version: r.version + 1,
  meeting: { ...r.meeting, title },
});

/** Expects a promise to reject with a DomainError of this code. */
async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isDomainError(err), `expected a DomainError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

/**
 * The behaviour every Store must have. Run it for each implementation:
 * `describeStoreContract('MemoryStore', async () => new MemoryStore())`.
 * `makeStore` must return an empty store; `cleanup` runs after each test (flush a Redis db, …).
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<Store>,
  cleanup?: (store: Store) => Promise<void>,
): void {
  describe(`Store contract — ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await cleanup?.(store);
      await store.close();
    });

    describe('meetings', () => {
      it('get() returns null for an unknown meeting and list() is empty at first', async () => {
        expect(await store.meetings.get('nope' as MeetingId)).toBeNull();
        expect(await store.meetings.list()).toEqual([]);
      });

      it('create() then get() round-trips the whole record', async () => {
        const r = sampleRecord('m1');
        await store.meetings.create(r);
        expect(await store.meetings.get(r.meeting.id)).toEqual(r);
      });

      it('create() rejects with CONFLICT when the id is taken', async () => {
        await store.meetings.create(sampleRecord('m1'));
        await rejectsWith(store.meetings.create(sampleRecord('m1')), 'CONFLICT');
      });

      it('list() returns every meeting in creation order', async () => {
        for (const id of ['b', 'a', 'c']) await store.meetings.create(sampleRecord(id));
        expect((await store.meetings.list()).map((r) => r.meeting.id)).toEqual(['b', 'a', 'c']);
      });

      it('save() with the stored version replaces the record', async () => {
        const r = sampleRecord('m1');
        await store.meetings.create(r);
        const next = bumped(r, 'Đổi tên');
        await store.meetings.save(next, r.version);
        expect(await store.meetings.get(r.meeting.id)).toEqual(next);
      });

      it('save() rejects with CONFLICT when the stored version differs, and keeps the stored record', async () => {
        const r = sampleRecord('m1');
        await store.meetings.create(r);
        const first = bumped(r, 'Người thứ nhất');
        await store.meetings.save(first, 0);
        await rejectsWith(store.meetings.save(bumped(r, 'Người thứ hai'), 0), 'CONFLICT');
        await rejectsWith(store.meetings.save(bumped(first, 'Từ tương lai'), 5), 'CONFLICT');
        expect(await store.meetings.get(r.meeting.id)).toEqual(first);
      });

      it('save() rejects with NOT_FOUND for a meeting never created', async () => {
        await rejectsWith(store.meetings.save(sampleRecord('ghost'), 0), 'NOT_FOUND');
      });

      it('of two racing saves from the same version exactly one wins', async () => {
        const r = sampleRecord('m1');
        await store.meetings.create(r);
        const results = await Promise.allSettled([
          store.meetings.save(bumped(r, 'A'), 0),
          store.meetings.save(bumped(r, 'B'), 0),
        ]);
        expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
        expect((await store.meetings.get(r.meeting.id))?.version).toBe(1);
      });

      it('keeps meetings isolated from each other', async () => {
        const a = sampleRecord('a');
        const b = sampleRecord('b');
        await store.meetings.create(a);
        await store.meetings.create(b);
        await store.meetings.save(bumped(a, 'Chỉ A'), 0);
        expect(await store.meetings.get(b.meeting.id)).toEqual(b);
        expect((await store.meetings.get(a.meeting.id))?.meeting.title).toBe('Chỉ A');
      });

      it('deep-copies: mutating what was saved or read does not change the stored record', async () => {
        const r = sampleRecord('m1');
        await store.meetings.create(r);
        r.meeting.title = 'mutated after create';
        r.sites.pop();
        const read = await store.meetings.get('m1' as MeetingId);
        expect(read?.meeting.title).toBe('Giao ban m1');
        expect(read?.sites).toHaveLength(3);
        if (read) {
          read.queue.requests.push({ id: 'x' as never, siteId: 'hue' as SiteId, topic: '', requestedAt: 0 });
          read.version = 99;
        }
        const listed = await store.meetings.list();
        if (listed[0]) listed[0].meeting.status = 'ended';
        const again = await store.meetings.get('m1' as MeetingId);
        expect(again?.queue.requests).toEqual([]);
        expect(again?.version).toBe(0);
        expect(again?.meeting.status).toBe('scheduled');
      });
    });

    describe('directory', () => {
      it('put() then get() and list() round-trip sites in the order first put', async () => {
        const hn = site('ha-noi', 'Thành phố Hà Nội');
        const hue = site('hue', 'Thành phố Huế');
        await store.directory.put(hn);
        await store.directory.put(hue);
        expect(await store.directory.get(hn.id)).toEqual(hn);
        expect(await store.directory.get('nope' as SiteId)).toBeNull();
        expect(await store.directory.list()).toEqual([hn, hue]);
      });

      it('put() of an existing id replaces it in place', async () => {
        await store.directory.put(site('a'));
        await store.directory.put(site('b'));
        await store.directory.put({ ...site('a'), name: 'Đổi tên', mergedFrom: ['Tỉnh cũ'] });
        expect((await store.directory.list()).map((s) => [s.id, s.name])).toEqual([
          ['a', 'Đổi tên'],
          ['b', 'b'],
        ]);
        expect((await store.directory.get('a' as SiteId))?.mergedFrom).toEqual(['Tỉnh cũ']);
      });

      it('deep-copies sites in and out', async () => {
        const s = site('a');
        await store.directory.put(s);
        s.mergedFrom.push('mutated');
        const read = await store.directory.get('a' as SiteId);
        read?.mergedFrom.push('mutated too');
        expect((await store.directory.get('a' as SiteId))?.mergedFrom).toEqual([]);
      });
    });

    describe('links', () => {
      it('put() then get() round-trips a link; unknown ids give null', async () => {
        const l = link('l1', 'm1');
        await store.links.put(l);
        expect(await store.links.get(l.id)).toEqual(l);
        expect(await store.links.get('nope' as JoinLinkId)).toBeNull();
      });

      it('listByMeeting() returns only that meeting links, in the order issued', async () => {
        await store.links.put(link('l1', 'm1'));
        await store.links.put(link('l2', 'm2'));
        await store.links.put(link('l3', 'm1', { role: 'observer', siteId: null }));
        expect((await store.links.listByMeeting('m1' as MeetingId)).map((l) => l.id)).toEqual(['l1', 'l3']);
        expect(await store.links.listByMeeting('m3' as MeetingId)).toEqual([]);
      });

      it('a revocation put over the link is persisted and listed', async () => {
        await store.links.put(link('l1', 'm1'));
        await store.links.put(link('l1', 'm1', { revokedAt: 1_500 }));
        expect((await store.links.get('l1' as JoinLinkId))?.revokedAt).toBe(1_500);
        expect(await store.links.listByMeeting('m1' as MeetingId)).toEqual([
          link('l1', 'm1', { revokedAt: 1_500 }),
        ]);
      });

      it('deep-copies links: a caller cannot un-revoke a stored link by mutating it', async () => {
        const l = link('l1', 'm1', { revokedAt: 1_500 });
        await store.links.put(l);
        l.revokedAt = null;
        const read = await store.links.get('l1' as JoinLinkId);
        if (read) read.revokedAt = null;
        expect((await store.links.get('l1' as JoinLinkId))?.revokedAt).toBe(1_500);
      });
    });

    describe('document updates', () => {
      const m1 = 'm1' as MeetingId;
      const m2 = 'm2' as MeetingId;

      it('readDocUpdates() is empty for a document never written', async () => {
        expect(await store.readDocUpdates(m1, 'minutes')).toEqual([]);
      });

      it('appendDocUpdate() keeps updates in append order, byte for byte', async () => {
        const updates = [
          new Uint8Array([1, 2, 3]),
          new Uint8Array([]),
          new Uint8Array([255, 0, 128]),
          new Uint8Array(4096).fill(7),
        ];
        for (const u of updates) await store.appendDocUpdate(m1, 'minutes', u);
        const read = await store.readDocUpdates(m1, 'minutes');
        expect(read.map((u) => Array.from(u))).toEqual(updates.map((u) => Array.from(u)));
        expect(read.every((u) => u instanceof Uint8Array)).toBe(true);
      });

      it('keeps documents apart by meeting and by name', async () => {
        await store.appendDocUpdate(m1, 'minutes', new Uint8Array([1]));
        await store.appendDocUpdate(m1, 'notice', new Uint8Array([2]));
        await store.appendDocUpdate(m2, 'minutes', new Uint8Array([3]));
        await store.appendDocUpdate(m1, 'minutes:x', new Uint8Array([4]));
        expect((await store.readDocUpdates(m1, 'minutes')).map((u) => Array.from(u))).toEqual([[1]]);
        expect((await store.readDocUpdates(m1, 'notice')).map((u) => Array.from(u))).toEqual([[2]]);
        expect((await store.readDocUpdates(m2, 'minutes')).map((u) => Array.from(u))).toEqual([[3]]);
      });

      it('compactDocUpdates() replaces the first updates by their merge and keeps later appends', async (ctx) => {
        if (!store.compactDocUpdates) return ctx.skip();
        for (const b of [1, 2, 3]) await store.appendDocUpdate(m1, 'minutes', new Uint8Array([b]));
        await store.compactDocUpdates(m1, 'minutes', new Uint8Array([12]), 2);
        await store.appendDocUpdate(m1, 'minutes', new Uint8Array([4]));
        expect((await store.readDocUpdates(m1, 'minutes')).map((u) => Array.from(u))).toEqual([
          [12],
          [3],
          [4],
        ]);
      });

      it('compactDocUpdates() rejects with CONFLICT when the log is shorter than the count', async (ctx) => {
        if (!store.compactDocUpdates) return ctx.skip();
        await store.appendDocUpdate(m1, 'minutes', new Uint8Array([1]));
        await expect(store.compactDocUpdates(m1, 'minutes', new Uint8Array([9]), 2)).rejects.toMatchObject({
          code: 'CONFLICT',
        });
        expect((await store.readDocUpdates(m1, 'minutes')).map((u) => Array.from(u))).toEqual([[1]]);
      });

      it('copies update bytes: mutating the buffer after append or after read changes nothing stored', async () => {
        const u = new Uint8Array([1, 2, 3]);
        await store.appendDocUpdate(m1, 'minutes', u);
        u[0] = 9;
        const [read] = await store.readDocUpdates(m1, 'minutes');
        if (read) read[1] = 9;
        expect((await store.readDocUpdates(m1, 'minutes')).map((x) => Array.from(x))).toEqual([[1, 2, 3]]);
      });

      it('keeps the order of many concurrent appends to one document as issued', async () => {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.appendDocUpdate(m1, 'minutes', new Uint8Array([i]))),
        );
        const read = await store.readDocUpdates(m1, 'minutes');
        expect(read.map((u) => u[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
      });
    });

    describe('journals (chat, audit)', () => {
      const jm = 'journal-meeting' as MeetingId;
      const other = 'journal-other' as MeetingId;

      it('readJournal() is empty for a journal never written', async () => {
        expect(await store.readJournal(jm, 'chat')).toEqual([]);
      });

      it('appendJournal() keeps entries in append order, Vietnamese text intact', async () => {
        const first = { kind: 'message', text: 'Điểm cầu Huế đã sẵn sàng', at: 1 };
        const second = { kind: 'deleted', messageId: 'c1', at: 2, by: 'Kỹ thuật (operator)' };
        await store.appendJournal(jm, 'chat', first);
        await store.appendJournal(jm, 'chat', second);
        expect(await store.readJournal(jm, 'chat')).toEqual([first, second]);
      });

      it('keeps journals apart by meeting and by name', async () => {
        await store.appendJournal(jm, 'audit', { action: 'floor:grant' });
        await store.appendJournal(other, 'audit', { action: 'vote:open' });
        expect(await store.readJournal(jm, 'audit')).toEqual([{ action: 'floor:grant' }]);
        expect(await store.readJournal(other, 'audit')).toEqual([{ action: 'vote:open' }]);
        expect(await store.readJournal(jm, 'chat')).toEqual([]);
      });

      it('copies entries: mutating one after append or after read changes nothing stored', async () => {
        const entry = { action: 'mic:muteAll', detail: 'ha-noi' };
        await store.appendJournal(jm, 'audit', entry);
        entry.detail = 'changed';
        const read = (await store.readJournal(jm, 'audit')) as { detail: string }[];
        if (read[0]) read[0].detail = 'changed again';
        expect(await store.readJournal(jm, 'audit')).toEqual([{ action: 'mic:muteAll', detail: 'ha-noi' }]);
      });

      it('keeps the order of many concurrent appends as issued', async () => {
        await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendJournal(jm, 'chat', { i })));
        expect(await store.readJournal(jm, 'chat')).toEqual(Array.from({ length: 50 }, (_, i) => ({ i })));
      });
    });

    describe('close()', () => {
      it('is idempotent', async () => {
        await store.close();
        await store.close();
      });
    });
  });
}
