import type { AgendaItemId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { agendaTiming } from '../../src/domain/Agenda.js';
import { A, addAgenda, liveMeeting, TestMeeting, techCheckMeeting } from './harness.js';

const id = (items: AgendaItemId[], i: number) => items[i] as AgendaItemId;

describe('Agenda', () => {
  it('agenda:addItem() appends items in order with no timing, and replies with the new item', () => {
    const m = new TestMeeting();
    const items = addAgenda(m);
    expect(m.record.agenda.items.map((i) => i.id)).toEqual(items);
    expect(m.record.agenda.items.every((i) => i.startedAt === null && i.endedAt === null)).toBe(true);
    expect(m.record.agenda.currentItemId).toBeNull();
  });

  it('agenda:addItem() inserts at a given index', () => {
    const m = new TestMeeting();
    const items = addAgenda(m);
    const added = m.ok<{ id: AgendaItemId }>(A.organizer, {
      type: 'agenda:addItem',
      item: { title: 'Phát biểu chào mừng', kind: 'other', presenter: '', plannedMinutes: 3 },
      index: 1,
    });
    expect(m.record.agenda.items.map((i) => i.id)).toEqual([items[0], added.id, items[1], items[2]]);
  });

  it('agenda:advance() rejects with INVALID_STATE before the meeting is live', () => {
    const { m } = techCheckMeeting();
    expect(m.refused(A.chair, { type: 'agenda:advance' }).code).toBe('INVALID_STATE');
  });

  it('agenda:advance() opens the first item, then closes each and opens the next', () => {
    const { m, items } = liveMeeting();
    const t0 = m.now;
    m.ok(A.chair, { type: 'agenda:advance' });
    expect(m.record.agenda.currentItemId).toBe(items[0]);
    m.tick(7 * 60_000).ok(A.chair, { type: 'agenda:advance' });
    const [first, second] = m.record.agenda.items;
    expect(first).toMatchObject({ startedAt: t0, endedAt: t0 + 7 * 60_000 });
    expect(second).toMatchObject({ startedAt: t0 + 7 * 60_000, endedAt: null });
    expect(m.record.agenda.currentItemId).toBe(items[1]);
  });

  it('agenda:advance() past the last item closes it and leaves no current item', () => {
    const { m } = liveMeeting();
    for (let i = 0; i < 3; i += 1) m.tick(60_000).ok(A.chair, { type: 'agenda:advance' });
    m.tick(60_000).ok(A.chair, { type: 'agenda:advance' });
    expect(m.record.agenda.currentItemId).toBeNull();
    expect(m.record.agenda.items.every((i) => i.endedAt !== null)).toBe(true);
    expect(m.refused(A.chair, { type: 'agenda:advance' }).code).toBe('INVALID_STATE');
  });

  it('agenda:advance() rejects with INVALID_STATE on an empty agenda', () => {
    const m = new TestMeeting();
    m.ok(A.operator, { type: 'meeting:openTechCheck' });
    m.ok(A.chair, { type: 'meeting:goLive' });
    expect(m.refused(A.chair, { type: 'agenda:advance' }).code).toBe('INVALID_STATE');
  });

  it('agenda:open() jumps to any item, closing the current one', () => {
    const { m, items } = liveMeeting();
    m.ok(A.chair, { type: 'agenda:advance' });
    m.tick(60_000).ok(A.chair, { type: 'agenda:open', itemId: id(items, 2) });
    expect(m.record.agenda.currentItemId).toBe(items[2]);
    expect(m.record.agenda.items[0]?.endedAt).toBe(m.now);
    expect(m.record.agenda.items[1]?.startedAt).toBeNull();
  });

  it('agenda:open() of a finished item keeps its first start and clears its end', () => {
    const { m, items } = liveMeeting();
    const t0 = m.now;
    m.ok(A.chair, { type: 'agenda:advance' });
    m.tick(60_000).ok(A.chair, { type: 'agenda:advance' });
    m.tick(60_000).ok(A.chair, { type: 'agenda:open', itemId: id(items, 0) });
    expect(m.record.agenda.items[0]).toMatchObject({ startedAt: t0, endedAt: null });
  });

  it('agenda:open() of the current item changes nothing (no version bump)', () => {
    const { m, items } = liveMeeting();
    m.ok(A.chair, { type: 'agenda:advance' });
    const v = m.record.version;
    const result = m.run(A.chair, { type: 'agenda:open', itemId: id(items, 0) });
    expect(result.ok && result.value.changes).toEqual([]);
    expect(m.record.version).toBe(v);
  });

  it('agenda:open() rejects with NOT_FOUND for an unknown item', () => {
    const { m } = liveMeeting();
    expect(m.refused(A.chair, { type: 'agenda:open', itemId: 'nope' as AgendaItemId }).code).toBe(
      'NOT_FOUND',
    );
  });

  it('agendaTiming() reports planned against actual minutes, with the overrun', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'agenda:advance' });
    m.tick(8 * 60_000).ok(A.chair, { type: 'agenda:advance' });
    m.tick(12 * 60_000);
    const [opening, report, discussion] = agendaTiming(m.record.agenda, m.now);
    expect(opening).toMatchObject({ plannedMinutes: 5, actualMinutes: 8, overrunMinutes: 3 });
    expect(report).toMatchObject({ plannedMinutes: 20, actualMinutes: 12, overrunMinutes: -8 });
    expect(discussion).toMatchObject({ plannedMinutes: 30, actualMinutes: null, overrunMinutes: null });
  });

  it('agenda:updateItem() edits text and planned time during the meeting', () => {
    const { m, items } = liveMeeting();
    m.ok(A.organizer, {
      type: 'agenda:updateItem',
      itemId: id(items, 1),
      patch: { plannedMinutes: 25, presenter: 'Sở Nội vụ' },
    });
    expect(m.record.agenda.items[1]).toMatchObject({
      plannedMinutes: 25,
      presenter: 'Sở Nội vụ',
      title: 'Báo cáo kết quả 6 tháng',
    });
  });

  it('agenda:removeItem() removes an item not yet started', () => {
    const { m, items } = liveMeeting();
    m.ok(A.organizer, { type: 'agenda:removeItem', itemId: id(items, 2), workspaceContent: false });
    expect(m.record.agenda.items.map((i) => i.id)).toEqual(items.slice(0, 2));
  });

  it('agenda:removeItem() rejects with INVALID_STATE for an item that has started', () => {
    const { m, items } = liveMeeting();
    m.ok(A.chair, { type: 'agenda:advance' });
    expect(
      m.refused(A.organizer, { type: 'agenda:removeItem', itemId: id(items, 0), workspaceContent: false })
        .code,
    ).toBe('INVALID_STATE');
  });

  it("agenda:removeItem() rejects with INVALID_STATE for an item the secretaries' workspace has content for", () => {
    const { m, items } = liveMeeting();
    const refused = m.refused(A.organizer, {
      type: 'agenda:removeItem',
      itemId: id(items, 2),
      workspaceContent: true,
    });
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.message).toMatch(/workspace/);
    expect(m.record.agenda.items.map((i) => i.id)).toEqual(items);
  });

  it('agenda:reorder() puts items in the given order', () => {
    const { m, items } = liveMeeting();
    const order = [items[2], items[0], items[1]] as string[];
    m.ok(A.organizer, { type: 'agenda:reorder', itemIds: order });
    expect(m.record.agenda.items.map((i) => i.id)).toEqual(order);
  });

  it('agenda:reorder() rejects with VALIDATION unless given a permutation of all items', () => {
    const { m, items } = liveMeeting();
    const [a = '', b = '', c = ''] = items as string[];
    for (const itemIds of [
      [a, b],
      [a, b, b],
      [a, b, c, 'x'],
      [a, b, 'x'],
    ]) {
      expect(m.refused(A.organizer, { type: 'agenda:reorder', itemIds }).code).toBe('VALIDATION');
    }
  });
});
