import type { AgendaItemId, MinuteEntry, MinuteEntryId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { confirmedConclusions, minutesOfItem } from '../../src/domain/Minutes.js';
import { A, liveMeeting } from './harness.js';

describe('Minutes and conclusions', () => {
  it('minutes:add() stamps author and time from the actor, not from the payload, and replies with the entry', () => {
    const { m, items } = liveMeeting();
    const entry = m.ok<MinuteEntry>(A.secretary, {
      type: 'minutes:add',
      agendaItemId: items[1] as AgendaItemId,
      kind: 'petition',
      text: 'Đề nghị bổ sung vốn',
    });
    expect(entry).toMatchObject({
      agendaItemId: items[1],
      kind: 'petition',
      authorName: A.secretary.displayName,
      authorRole: 'secretary',
      at: m.now,
      confirmed: false,
    });
    expect(m.record.minutes).toEqual([entry]);
  });

  it('minutes:add() bumps the version with no snapshot changes (minutes are not in the snapshot)', () => {
    const { m, items } = liveMeeting();
    const v = m.record.version;
    const r = m.run(A.secretary, {
      type: 'minutes:add',
      agendaItemId: items[0] as AgendaItemId,
      kind: 'minute',
      text: 'x',
    });
    expect(r.ok && r.value.changes).toEqual([]);
    expect(m.record.version).toBe(v + 1);
  });

  it('minutes:add() rejects with NOT_FOUND for an unknown agenda item', () => {
    const { m } = liveMeeting();
    const c = { type: 'minutes:add', agendaItemId: 'x' as AgendaItemId, kind: 'minute', text: 'x' } as const;
    expect(m.refused(A.secretary, c).code).toBe('NOT_FOUND');
  });

  it('minutes:confirm() marks a conclusion confirmed; confirming again changes nothing', () => {
    const { m, items } = liveMeeting();
    const c = m.ok<MinuteEntry>(A.secretary, {
      type: 'minutes:add',
      agendaItemId: items[2] as AgendaItemId,
      kind: 'conclusion',
      text: 'Giao Sở Tài chính tổng hợp',
    });
    expect(m.ok<MinuteEntry>(A.chair, { type: 'minutes:confirm', entryId: c.id }).confirmed).toBe(true);
    const v = m.record.version;
    expect(m.ok<MinuteEntry>(A.chair, { type: 'minutes:confirm', entryId: c.id }).confirmed).toBe(true);
    expect(m.record.version).toBe(v);
  });

  it('minutes:confirm() rejects with INVALID_STATE for an entry that is not a conclusion', () => {
    const { m, items } = liveMeeting();
    const e = m.ok<MinuteEntry>(A.secretary, {
      type: 'minutes:add',
      agendaItemId: items[0] as AgendaItemId,
      kind: 'minute',
      text: 'Ghi chép',
    });
    expect(m.refused(A.chair, { type: 'minutes:confirm', entryId: e.id }).code).toBe('INVALID_STATE');
    expect(m.refused(A.chair, { type: 'minutes:confirm', entryId: 'x' as MinuteEntryId }).code).toBe(
      'NOT_FOUND',
    );
  });

  it('minutes:list() replies with every entry and changes nothing', () => {
    const { m, items } = liveMeeting();
    m.ok(A.secretary, {
      type: 'minutes:add',
      agendaItemId: items[0] as AgendaItemId,
      kind: 'minute',
      text: 'a',
    });
    const v = m.record.version;
    expect(m.ok<MinuteEntry[]>(A.organizer, { type: 'minutes:list' })).toHaveLength(1);
    expect(m.record.version).toBe(v);
  });

  it('confirmedConclusions() orders the notice by agenda item, then by writing order', () => {
    const { m, items } = liveMeeting();
    const [i0, i1] = items as [AgendaItemId, AgendaItemId];
    const add = (agendaItemId: AgendaItemId, text: string) =>
      m.ok<MinuteEntry>(A.secretary, { type: 'minutes:add', agendaItemId, kind: 'conclusion', text }).id;
    const ids = [add(i1, 'B1'), add(i0, 'A1'), add(i1, 'B2'), add(i0, 'A-unconfirmed')];
    for (const entryId of ids.slice(0, 3)) m.ok(A.chair, { type: 'minutes:confirm', entryId });
    expect(confirmedConclusions(m.record.minutes, items).map((e) => e.text)).toEqual(['A1', 'B1', 'B2']);
    expect(minutesOfItem(m.record.minutes, i0).map((e) => e.text)).toEqual(['A1', 'A-unconfirmed']);
  });
});
