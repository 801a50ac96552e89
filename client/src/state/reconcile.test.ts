import { describe, expect, it } from 'vitest';
import { consumerInfo, floor, joined, snapshot } from './fixtures';
import {
  addConsumer,
  findConsumer,
  findProgramVideo,
  reconcileBatch,
  reconcileSnapshot,
  removeConsumer,
  skewSample,
  updateConsumer,
} from './reconcile';

describe('reconcileBatch()', () => {
  it('applies the next batch and moves the version on', () => {
    const state = joined();
    const stage = { pinnedSiteId: null, programSiteId: 's1' as never };
    const out = reconcileBatch(state, { version: 6, changes: [{ type: 'stage', stage }] }, 0);
    expect(out.needsSync).toBe(false);
    expect(out.state.snapshot?.version).toBe(6);
    expect(out.state.snapshot?.stage.programSiteId).toBe('s1');
  });

  it('ignores a stale batch without asking to sync', () => {
    const state = joined();
    const out = reconcileBatch(state, { version: 5, changes: [] }, 0);
    expect(out).toEqual({ state, needsSync: false });
  });

  it('keeps the state and asks for meeting:sync on a version gap', () => {
    const state = joined();
    const out = reconcileBatch(state, { version: 8, changes: [] }, 0);
    expect(out.state).toBe(state);
    expect(out.needsSync).toBe(true);
  });

  it('estimates clock skew from a floor granted just now', () => {
    const state = joined();
    const queue = { requests: [], floor: floor('s1', 50_000, 180), history: [] };
    const out = reconcileBatch(state, { version: 6, changes: [{ type: 'queue', queue }] }, 40_000);
    expect(out.state.clockSkewMs).toBe(10_000);
  });
});

describe('skewSample()', () => {
  it('returns null when the floor did not change', () => {
    const f = floor('s1', 1000, 60);
    expect(skewSample(f, f, 99_000)).toBeNull();
  });
  it('treats differences under a second as network noise', () => {
    expect(skewSample(null, floor('s1', 10_400, 60), 10_000)).toBe(0);
  });
  it('returns null when the floor ended', () => {
    expect(skewSample(null, { ...floor('s1', 1000, 60), endedAt: 2000 }, 0)).toBeNull();
  });
});

describe('reconcileSnapshot()', () => {
  it('does not go back to an older snapshot of the same meeting', () => {
    const state = joined(snapshot({ version: 9 }));
    expect(reconcileSnapshot(state, snapshot({ version: 7 }))).toBe(state);
    expect(reconcileSnapshot(state, snapshot({ version: 10 })).snapshot?.version).toBe(10);
  });
});

describe('consumers', () => {
  it('adds a consumer as paused and applies server state pushes', () => {
    let c = addConsumer({}, consumerInfo('c1', 's1', 'camera'), 1);
    expect(c.c1?.paused).toBe(true);
    c = updateConsumer(c, { id: 'c1', paused: false, producerPaused: false });
    expect(c.c1?.paused).toBe(false);
  });

  it('returns the same map for unknown ids and unchanged states', () => {
    const c = addConsumer({}, consumerInfo('c1', 's1', 'camera'), 1);
    expect(updateConsumer(c, { id: 'zz', paused: false, producerPaused: false })).toBe(c);
    expect(updateConsumer(c, { id: 'c1', paused: true, producerPaused: false })).toBe(c);
    expect(removeConsumer(c, 'zz')).toBe(c);
  });

  it('finds the newest camera of a site', () => {
    let c = addConsumer({}, consumerInfo('old', 's1', 'camera'), 1);
    c = addConsumer(c, consumerInfo('new', 's1', 'camera'), 2);
    c = addConsumer(c, consumerInfo('mic', 's1', 'mic'), 3);
    expect(findConsumer(c, 's1', 'camera')?.id).toBe('new');
    expect(findConsumer(c, 's1', 'mic')?.id).toBe('mic');
    expect(findConsumer(c, 's2', 'camera')).toBeNull();
    expect(findConsumer(removeConsumer(c, 'new'), 's1', 'camera')?.id).toBe('old');
  });

  it("shows the hub's program stream on the main stage, else the program site's camera", () => {
    let c = addConsumer({}, consumerInfo('cam', 's1', 'camera'), 1);
    expect(findProgramVideo(c, 's1')?.id).toBe('cam');
    c = addConsumer(c, consumerInfo('program', null, 'program'), 2);
    expect(findProgramVideo(c, 's1')?.id).toBe('program');
    expect(findProgramVideo(c, 's2')?.id).toBe('program'); // whatever site is on stage
    expect(findProgramVideo({}, 's1')).toBeNull();
  });
});
