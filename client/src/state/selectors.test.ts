import { describe, expect, it } from 'vitest';
import { floor, site, snapshot } from './fixtures';
import {
  activeFloor,
  agendaElapsedMs,
  floorRemainingMs,
  moveItem,
  pageCount,
  pageOf,
  pendingRequestOf,
  programSiteId,
  queuePositionOf,
  tileOrder,
} from './selectors';

describe('programSiteId()', () => {
  it('is the stage program, else the host', () => {
    expect(programSiteId(snapshot())).toBe('host');
    expect(programSiteId(snapshot({ stage: { pinnedSiteId: null, programSiteId: null } }))).toBe('host');
    expect(programSiteId(null)).toBeNull();
  });
});

describe('floor', () => {
  it('counts down against the server clock', () => {
    const f = floor('s1', 10_000, 180);
    expect(floorRemainingMs(f, 10_000, 0)).toBe(180_000);
    expect(floorRemainingMs(f, 10_000, 19_000)).toBe(161_000);
    expect(floorRemainingMs(f, 999_999, 0)).toBe(0);
    expect(floorRemainingMs(floor('s1', 0, null), 5, 0)).toBeNull();
  });

  it('only reports a running turn as active', () => {
    const running = floor('s1', 0, 60);
    expect(activeFloor(snapshot({ queue: { requests: [], floor: running, history: [] } }))).toBe(running);
    const ended = { ...running, endedAt: 5 };
    expect(activeFloor(snapshot({ queue: { requests: [], floor: ended, history: [] } }))).toBeNull();
  });
});

describe('queue', () => {
  const requests = [
    { id: 'r1' as never, siteId: 's2' as never, topic: 'a', requestedAt: 1 },
    { id: 'r2' as never, siteId: 's1' as never, topic: 'b', requestedAt: 2 },
  ];
  const snap = snapshot({ queue: { requests, floor: null, history: [] } });
  it('finds a site request and its 1-based position', () => {
    expect(pendingRequestOf(snap, 's1')?.id).toBe('r2');
    expect(queuePositionOf(snap, 's1')).toBe(2);
    expect(queuePositionOf(snap, 'host')).toBeNull();
  });
  it('moves an item one step and leaves the ends alone', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    const list = ['a', 'b'];
    expect(moveItem(list, 0, -1)).toBe(list);
    expect(moveItem(list, 1, 1)).toBe(list);
  });
});

describe('multiview paging', () => {
  it('puts the host first', () => {
    expect(tileOrder([site('a'), site('h', { isHost: true }), site('b')]).map((s) => s.id)).toEqual([
      'h',
      'a',
      'b',
    ]);
  });
  it('clamps the page into range', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(pageCount(10, 4)).toBe(3);
    expect(pageCount(0, 4)).toBe(1);
    expect(pageOf(items, 4, 2)).toEqual({ items: [8, 9], page: 2 });
    expect(pageOf(items, 4, 7).page).toBe(2);
    expect(pageOf(items, 4, -1)).toEqual({ items: [0, 1, 2, 3], page: 0 });
  });
});

describe('agendaElapsedMs()', () => {
  const item = {
    id: 'i' as never,
    title: 't',
    kind: 'report' as const,
    presenter: '',
    presenterSiteId: null,
    plannedMinutes: 10,
    startedAt: 1000,
    endedAt: null,
  };
  it('runs for a current item and stops at its end', () => {
    expect(agendaElapsedMs(item, 61_000, 0)).toBe(60_000);
    expect(agendaElapsedMs({ ...item, endedAt: 31_000 }, 999_999, 0)).toBe(30_000);
    expect(agendaElapsedMs({ ...item, startedAt: null }, 5, 0)).toBeNull();
  });
});
