import type { SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MediaPolicySnapshot, WorkerPool } from '../../src/media/index.js';
import { mid, policy, site, type TestParticipant, TestRoom, testPool } from './helpers/room.js';

// Dynacast on a real mediasoup worker: each publisher is told how many of its camera encodings
// anyone consumes — every layer while its camera feeds the program, the lowest alone off stage
// (grid tiles use it too) — and only when that changes.
const HOST = site('host');
const A = site('siteA');
const B = site('siteB');

let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(1, { consumerGraceMs: 400 });
});
afterAll(() => pool?.close());

const waitOpts = { timeout: 10_000, interval: 20 };
vi.setConfig({ testTimeout: 40_000 });

function meetingPolicy(programSiteId: SiteId, allowed: SiteId[]): MediaPolicySnapshot {
  return { ...policy(programSiteId, allowed, [], null), warmSiteIds: [HOST] };
}

/** What the publisher was last told about its camera. */
const layersOf = (p: TestParticipant) => p.signal.lastLayers(p.cameraId ?? '');

describe('dynacast: publishers send only the encodings someone consumes', () => {
  it('the program source sends all three layers, a camera off stage only the lowest, and they follow the floor', async () => {
    const meeting = await pool.createMeetingMedia(mid('dynacast'));
    const r = new TestRoom(meeting);
    try {
      const chair = await r.join('chair', 'chair', HOST, { publish: true });
      const a = await r.join('a', 'site', A, { publish: true });
      const b = await r.join('b', 'site', B, { publish: true });
      const operator = await r.join('operator', 'operator', HOST);
      await r.join('observer', 'observer', null);
      await meeting.applyPolicy(meetingPolicy(HOST, [HOST]));
      await meeting.whenIdle();
      await vi.waitFor(() => expect(layersOf(chair)).toBe(3), waitOpts);
      await vi.waitFor(() => expect([layersOf(a), layersOf(b)]).toEqual([1, 1]), waitOpts);

      // A's tile on the operator's grid uses the lowest layer only: nothing more is asked of A.
      await operator.peer.setVisibleTiles([A]);
      await meeting.whenIdle();
      expect(layersOf(a)).toBe(1);

      // The floor goes to A: its camera feeds the program and sends every layer.
      await meeting.applyPolicy(meetingPolicy(A, [A, HOST]));
      await vi.waitFor(() => expect(layersOf(a)).toBe(3), waitOpts);
      expect(layersOf(b)).toBe(1);

      // Back to the host: A drops to the lowest layer again, the host's camera is the program.
      await meeting.applyPolicy(meetingPolicy(HOST, [HOST]));
      await vi.waitFor(() => expect(layersOf(a)).toBe(1), waitOpts);
      expect(layersOf(chair)).toBe(3);
      // Told only on change: no repeated requests of the same value in a row.
      const told = a.signal.layers.filter((l) => l.producerId === a.cameraId).map((l) => l.spatialLayers);
      expect(told).toEqual([1, 3, 1]);
    } finally {
      meeting.close();
      r.close();
    }
  });
});
