import {
  addConclusion,
  addPetition,
  conclusionsArray,
  confirmationsMap,
  DOC_CONCLUSION_LOCKED,
  DOC_FIELD_MAX_BYTES,
  DOC_MISSING_UPDATES,
  DOC_UPDATE_MAX_BYTES,
  type MeetingId,
  minutesText,
  noticeMap,
  readConclusionHistory,
  readConclusions,
  removeEntry,
  WORKSPACE_DOC,
} from '@giaoban/shared';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../../src/domain/Actor.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import type { Store } from '../../src/store/Store.js';
import { WorkspaceService } from '../../src/workspace/WorkspaceService.js';
import { A, liveMeeting } from '../domain/harness.js';

const MID = 'mtg-1' as MeetingId;
const secretary2: Actor = {
  ...A.secretary,
  participantId: 'sec-2' as Actor['participantId'],
  displayName: 'Thư ký 2',
};

/** A secretary's local document that records each local change as one update, like the editor does. */
function writer(actor: Actor) {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'remote') updates.push(u);
  });
  return { actor, doc, updates, take: () => updates.splice(0) };
}

let services: WorkspaceService[] = [];
afterEach(() => {
  for (const s of services) s.close();
  services = [];
});

function setup(store: Store = new MemoryStore(), options = {}) {
  const { m, items } = liveMeeting();
  const meetings = { get: async () => m.record };
  const service = new WorkspaceService(store, meetings, { conclusionsDelayMs: 0, ...options });
  services.push(service);
  return { m, items, store, service, meetings };
}

async function push(service: WorkspaceService, w: ReturnType<typeof writer>): Promise<void> {
  for (const u of w.take()) await service.update(MID, w.actor, u, null);
}

describe('WorkspaceService', () => {
  it('update() stores the update before it resolves, and sync() gives it to a new reader', async () => {
    const { service, store, items } = setup();
    const w = writer(A.secretary);
    minutesText(w.doc, items[0] as string).insert(0, 'Đồng chí Chủ trì phát biểu khai mạc.');
    const [u] = w.take();
    await service.update(MID, A.secretary, u as Uint8Array, null);
    expect(await store.readDocUpdates(MID, WORKSPACE_DOC)).toHaveLength(1);

    const reader = new Y.Doc();
    const { update } = await service.sync(MID, A.chair, Y.encodeStateVector(reader));
    Y.applyUpdate(reader, update);
    expect(minutesText(reader, items[0] as string).toString()).toBe('Đồng chí Chủ trì phát biểu khai mạc.');
  });

  it('sync() returns the state vector so the reader can send what the hub lacks', async () => {
    const { service, items } = setup();
    const w = writer(A.secretary);
    minutesText(w.doc, items[0] as string).insert(0, 'offline');
    const { stateVector } = await service.sync(MID, A.secretary, Y.encodeStateVector(w.doc));
    const missing = Y.encodeStateAsUpdate(w.doc, stateVector);
    await service.update(MID, A.secretary, missing, null);
    expect((await service.content(MID)).minutes[items[0] as string]).toBe('offline');
  });

  it('update() rejects with LIMIT an update over DOC_UPDATE_MAX_BYTES and stores nothing', async () => {
    const { service, store, items } = setup();
    const w = writer(A.secretary);
    minutesText(w.doc, items[0] as string).insert(0, 'x'.repeat(DOC_UPDATE_MAX_BYTES + 10));
    const [u] = w.take();
    await expect(service.update(MID, A.secretary, u as Uint8Array, null)).rejects.toMatchObject({
      code: 'LIMIT',
    });
    expect(await store.readDocUpdates(MID, WORKSPACE_DOC)).toEqual([]);
  });

  it.each([
    ['site', A.hn],
    ['observer', A.observer],
    ['operator', A.operator],
  ])('a %s may neither sync nor update the minutes (FORBIDDEN)', async (_role, actor) => {
    const { service } = setup();
    await expect(service.sync(MID, actor, Y.encodeStateVector(new Y.Doc()))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(service.update(MID, actor, Y.encodeStateAsUpdate(new Y.Doc()), null)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('the chair reads but cannot write the minutes', async () => {
    const { service } = setup();
    await expect(
      service.update(MID, A.chair, Y.encodeStateAsUpdate(new Y.Doc()), null),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('a secretary cannot confirm a conclusion, not even by writing the confirmations into the document', async () => {
    const { service, store, items } = setup();
    const w = writer(A.secretary);
    addConclusion(w.doc, items[0] as string, {
      id: 'c1',
      text: 'Hoàn thành trước 30/6',
      author: A.secretary.displayName,
      at: 1,
    });
    await push(service, w);
    await expect(service.confirm(MID, A.secretary, 'c1', true)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    confirmationsMap(w.doc).set('c1', { by: 'forged', at: 1 });
    const [forged] = w.take();
    await expect(service.update(MID, A.secretary, forged as Uint8Array, null)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    // The conclusion and its history line; nothing of the forged confirmation.
    expect(await store.readDocUpdates(MID, WORKSPACE_DOC)).toHaveLength(2);
    expect((await service.conclusions(MID, A.chair))[0]).toMatchObject({ id: 'c1', confirmed: false });
  });

  it('a conclusion signed with another name is refused; its author cannot be changed later', async () => {
    const { service, items } = setup();
    const w = writer(A.secretary);
    addConclusion(w.doc, items[0] as string, { id: 'c1', text: 'x', author: 'Người khác', at: 1 });
    const [u] = w.take();
    await expect(service.update(MID, A.secretary, u as Uint8Array, null)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    const ok = writer(A.secretary);
    addConclusion(ok.doc, items[0] as string, {
      id: 'c2',
      text: 'y',
      author: A.secretary.displayName,
      at: 1,
    });
    await push(service, ok);
    const entry = ok.doc.getArray<Y.Map<unknown>>(`conclusions:${items[0]}`).get(0);
    entry.set('author', 'Người khác');
    const [change] = ok.take();
    await expect(service.update(MID, A.secretary, change as Uint8Array, null)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await service.conclusions(MID, A.operator)).map((c) => c.author)).toEqual([
      A.secretary.displayName,
    ]);
  });

  it('names outside the layout are refused with VALIDATION', async () => {
    const { service } = setup();
    const w = writer(A.secretary);
    w.doc.getText('minutes:no-such-item').insert(0, 'x');
    const [u] = w.take();
    await expect(service.update(MID, A.secretary, u as Uint8Array, null)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('the chair confirms a conclusion: stored as the hub’s update and sent to readers and watchers', async () => {
    const { service, store, items } = setup();
    const heard: { update: number; conclusions: unknown[] } = { update: 0, conclusions: [] };
    service.onChanged({
      updated: () => (heard.update += 1),
      conclusions: (_m, list) => heard.conclusions.push(list),
    });
    const w = writer(A.secretary);
    addConclusion(w.doc, items[1] as string, {
      id: 'c1',
      text: 'Giao Sở Nội vụ chủ trì',
      author: A.secretary.displayName,
      at: 5,
    });
    await push(service, w);
    const view = await service.confirm(MID, A.chair, 'c1', true);
    expect(view).toMatchObject({
      id: 'c1',
      confirmed: true,
      confirmedBy: A.chair.displayName,
      agendaItemId: items[1],
    });
    // The conclusion, its "created" history line, the confirmation (with its history line).
    expect(await store.readDocUpdates(MID, WORKSPACE_DOC)).toHaveLength(3);
    expect(heard.update).toBe(3);
    await new Promise((r) => setTimeout(r, 20));
    expect(heard.conclusions.at(-1)).toEqual([view]);
    await expect(service.confirm(MID, A.chair, 'nope', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Confirming twice changes nothing; taking it back does.
    await service.confirm(MID, A.chair, 'c1', true);
    expect(await store.readDocUpdates(MID, WORKSPACE_DOC)).toHaveLength(3);
    expect((await service.confirm(MID, A.chair, 'c1', false)).confirmed).toBe(false);
  });

  it('an update the store cannot keep is refused with UNAVAILABLE and never served', async () => {
    const store = new MemoryStore();
    const { service, items } = setup(store);
    const w = writer(A.secretary);
    minutesText(w.doc, items[0] as string).insert(0, 'kept');
    await push(service, w);
    const append = store.appendDocUpdate.bind(store);
    store.appendDocUpdate = async () => {
      throw Object.assign(new Error('redis is away'), { code: 'UNAVAILABLE' });
    };
    minutesText(w.doc, items[0] as string).insert(4, ' lost');
    const [u] = w.take();
    await expect(service.update(MID, A.secretary, u as Uint8Array, null)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    store.appendDocUpdate = append;
    expect((await service.content(MID)).minutes[items[0] as string]).toBe('kept');
    // The editor sends it again once the store is back.
    await service.update(MID, A.secretary, u as Uint8Array, null);
    expect((await service.content(MID)).minutes[items[0] as string]).toBe('kept lost');
  });

  it('a new service on the same store (a hub restart) has every stored edit', async () => {
    const store = new MemoryStore();
    const { service, items, meetings } = setup(store);
    const a = writer(A.secretary);
    const b = writer(secretary2);
    for (let i = 0; i < 50; i++) {
      minutesText(a.doc, items[0] as string).insert(minutesText(a.doc, items[0] as string).length, 'a');
      await push(service, a);
    }
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc), 'remote');
    addPetition(b.doc, {
      id: 'p1',
      itemId: items[1] as string,
      site: 'Hải Phòng',
      petition: 'Đề nghị bổ sung biên chế',
      author: secretary2.displayName,
      at: 1,
    });
    await push(service, b);
    service.close();
    const restarted = new WorkspaceService(store, meetings);
    services.push(restarted);
    const content = await restarted.content(MID);
    expect(content.minutes[items[0] as string]).toBe('a'.repeat(50));
    expect(content.petitions).toMatchObject([{ site: 'Hải Phòng', petition: 'Đề nghị bổ sung biên chế' }]);
  });

  it('compacts the stored log every compactEvery updates, keeping the content and later updates', async () => {
    const store = new MemoryStore();
    const { service, items } = setup(store, { compactEvery: 20 });
    const w = writer(A.secretary);
    const text = minutesText(w.doc, items[0] as string);
    for (let i = 0; i < 45; i++) {
      text.insert(text.length, `${i % 10}`);
      if (i % 7 === 0) text.delete(0, 1);
      await push(service, w);
    }
    await service.compact(MID); // waits for any compaction queued by the appends
    const log = await store.readDocUpdates(MID, WORKSPACE_DOC);
    expect(log.length).toBe(1);
    const replay = new Y.Doc();
    for (const u of log) Y.applyUpdate(replay, u);
    expect(minutesText(replay, items[0] as string).toString()).toBe(text.toString());
  });

  it('conclusions() lists conclusions in agenda order for chair and operator', async () => {
    const { service, items } = setup();
    const w = writer(A.secretary);
    addConclusion(w.doc, items[1] as string, {
      id: 'c2',
      text: 'Hai',
      author: A.secretary.displayName,
      at: 2,
    });
    addConclusion(w.doc, items[0] as string, {
      id: 'c1',
      text: 'Một',
      author: A.secretary.displayName,
      at: 1,
    });
    await push(service, w);
    expect((await service.conclusions(MID, A.operator)).map((c) => c.text)).toEqual(['Một', 'Hai']);
    expect(readConclusions(w.doc, items as string[]).map((c) => c.id)).toEqual(['c1', 'c2']);
    await expect(service.conclusions(MID, A.hn)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('update() refuses with CONFLICT an update that depends on one the hub never got, and stores nothing of it', async () => {
    const { service, store, items } = setup();
    const w = writer(A.secretary);
    const t = minutesText(w.doc, items[0] as string);
    t.insert(0, 'Một. ');
    t.insert(t.length, 'Hai.');
    const [first, second] = w.take();
    await expect(service.update(MID, A.secretary, second as Uint8Array, null)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(DOC_MISSING_UPDATES),
    });
    expect(await store.readDocUpdates(MID, WORKSPACE_DOC)).toHaveLength(0);
    // The parked half is not kept in memory either: once the first arrives, the second is still needed.
    const { stateVector } = await service.update(MID, A.secretary, first as Uint8Array, null);
    expect((await service.content(MID)).minutes[items[0] as string]).toBe('Một. ');
    expect(Y.decodeStateVector(stateVector).get(w.doc.clientID)).toBe('Một. '.length);
    await service.update(MID, A.secretary, second as Uint8Array, null);
    expect((await service.content(MID)).minutes[items[0] as string]).toBe('Một. Hai.');
  });

  it('a log stored before the check (holding a parked update) still takes good updates and refuses unplaceable ones', async () => {
    const { service, store, items } = setup();
    const w = writer(A.secretary);
    const t = minutesText(w.doc, items[0] as string);
    t.insert(0, 'Một. ');
    t.insert(t.length, 'Hai.');
    const [first, second] = w.take();
    await store.appendDocUpdate(MID, WORKSPACE_DOC, second as Uint8Array); // acknowledged by an older hub
    const other = writer(secretary2);
    minutesText(other.doc, items[1] as string).insert(0, 'Mục hai.');
    await push(service, other);
    const later = writer(secretary2);
    Y.applyUpdate(later.doc, Y.encodeStateAsUpdate(w.doc), 'remote');
    minutesText(later.doc, items[0] as string).insert(0, '[thêm] ');
    await expect(push(service, later)).rejects.toMatchObject({ code: 'CONFLICT' });
    // The missing first update arrives (the page resends what the hub lacks): the parked one is placed too.
    await service.update(MID, A.secretary, first as Uint8Array, null);
    expect((await service.content(MID)).minutes[items[0] as string]).toBe('Một. Hai.');
  });

  it('a one-line field over DOC_FIELD_MAX_BYTES (the notice, a petition entry) is refused with LIMIT', async () => {
    const { service, store, items } = setup();
    const w = writer(A.secretary);
    noticeMap(w.doc).set('recipients', '- Ủy ban nhân dân xã;\n'.repeat(400));
    await expect(push(service, w)).rejects.toMatchObject({ code: 'LIMIT' });
    const fresh = writer(A.secretary);
    addPetition(fresh.doc, {
      id: 'p1',
      itemId: items[0] as string,
      site: 'x'.repeat(DOC_FIELD_MAX_BYTES + 1),
      petition: 'Bổ sung biên chế',
      author: A.secretary.displayName,
      at: 1,
    });
    await expect(push(service, fresh)).rejects.toMatchObject({ code: 'LIMIT' });
    expect(await store.readDocUpdates(MID, WORKSPACE_DOC)).toHaveLength(0);
  });

  it('a deletion of text the hub never got is refused as missing, not acknowledged', async () => {
    const { service, store, items } = setup();
    const w = writer(A.secretary);
    const t = minutesText(w.doc, items[0] as string);
    t.insert(0, 'xoá tôi');
    w.take();
    t.delete(0, 3);
    const [deletion] = w.take();
    await expect(service.update(MID, A.secretary, deletion as Uint8Array, null)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await store.readDocUpdates(MID, WORKSPACE_DOC)).toHaveLength(0);
  });

  it('a confirmed conclusion cannot be edited or deleted (INVALID_STATE) until the chair withdraws the confirmation', async () => {
    const { service, items } = setup(undefined, { historyQuietMs: 0 });
    const w = writer(A.secretary);
    addConclusion(w.doc, items[0] as string, {
      id: 'c1',
      text: 'Giữ nguyên',
      author: A.secretary.displayName,
      at: 1,
    });
    await push(service, w);
    await service.confirm(MID, A.chair, 'c1', true);
    const other = writer(secretary2);
    Y.applyUpdate(other.doc, (await service.sync(MID, secretary2, new Uint8Array([0]))).update, 'remote');
    const entry = conclusionsArray(other.doc, items[0] as string).get(0);
    (entry.get('text') as Y.Text).insert(0, 'Sửa ');
    await expect(push(service, other)).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining(DOC_CONCLUSION_LOCKED),
    });
    const again = writer(secretary2);
    Y.applyUpdate(again.doc, (await service.sync(MID, secretary2, new Uint8Array([0]))).update, 'remote');
    removeEntry(conclusionsArray(again.doc, items[0] as string), 'c1');
    await expect(push(service, again)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect((await service.conclusions(MID, A.chair))[0]).toMatchObject({
      text: 'Giữ nguyên',
      confirmed: true,
    });

    await service.confirm(MID, A.chair, 'c1', false);
    const third = writer(secretary2);
    Y.applyUpdate(third.doc, (await service.sync(MID, secretary2, new Uint8Array([0]))).update, 'remote');
    removeEntry(conclusionsArray(third.doc, items[0] as string), 'c1');
    await push(service, third);
    expect(await service.conclusions(MID, A.chair)).toEqual([]);
    const history = await service.history(MID, A.chair, 'c1');
    expect(history.map((c) => [c.action, c.by, c.text])).toEqual([
      ['created', A.secretary.displayName, 'Giữ nguyên'],
      ['confirmed', A.chair.displayName, 'Giữ nguyên'],
      ['unconfirmed', A.chair.displayName, 'Giữ nguyên'],
      ['deleted', secretary2.displayName, 'Giữ nguyên'],
    ]);
    const reader = new Y.Doc();
    Y.applyUpdate(reader, (await service.sync(MID, A.chair, new Uint8Array([0]))).update);
    expect(readConclusionHistory(reader, 'c1')).toHaveLength(4);
  });
});
