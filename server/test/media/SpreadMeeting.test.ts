import type { SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MediaPolicySnapshot, MeetingMedia, WorkerPool } from '../../src/media/index.js';
import {
  expectFlowing,
  mid,
  policy,
  site,
  type TestParticipant,
  TestRoom,
  testPool,
} from './helpers/room.js';

// One meeting over two workers (issue 12 step 4), on real mediasoup workers: with two peers per
// router, the third peer's transports go to a router on the other worker, joined to the first by
// pipeToRouter. The floor holder's picture reaches viewers on both workers, whichever worker it
// publishes on; a killed worker takes only its share of the meeting, and a rejoin lands on a live one.
const HOST = site('host');
const A = site('siteA');
const B = site('siteB');
const C = site('siteC');

let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(2, { peersPerRouter: 2 });
});
afterAll(() => pool?.close());
vi.setConfig({ testTimeout: 60_000 });

const stage = (programSiteId: SiteId): MediaPolicySnapshot => policy(programSiteId, [programSiteId, HOST]);

function programConsumer(meeting: MeetingMedia, p: TestParticipant): ms.Consumer {
  const c = p.peer.consumersForTesting().get(meeting.program.producer.id);
  if (!c) throw new Error('no program consumer');
  return c;
}

describe('a meeting spread over two workers', () => {
  it('forwards the floor holder to viewers on both workers, and a dead worker takes only its share', async () => {
    const meeting = await pool.createMeetingMedia(mid('spread'));
    const r = new TestRoom(meeting);
    const lost: { workerIndex: number; peers: number }[] = [];
    meeting.on('sharelost', (e) => lost.push(e));
    try {
      // Only A and C send RTP: a flowing program consumer carries one of theirs.
      const chair = await r.join('chair', 'chair', HOST, { publish: true, rtp: false });
      const a = await r.join('a', 'site', A, { publish: true });
      await meeting.whenIdle();
      const [home, other] = meeting.workerIndexes;
      expect(meeting.workerIndexes).toHaveLength(2);
      expect(other).not.toBe(home);

      const b = await r.join('b', 'site', B);
      const c = await r.join('c', 'site', C, { publish: true });
      expect([chair, a].map((p) => meeting.workerIndexOfPeer(p.peer))).toEqual([home, home]);
      expect([b, c].map((p) => meeting.workerIndexOfPeer(p.peer))).toEqual([other, other]);

      // A (home) has the floor: B, on the other worker, sees it through the pipe.
      await meeting.applyPolicy(stage(A));
      await meeting.whenIdle();
      await expectFlowing(programConsumer(meeting, b));

      // C (other worker) has the floor: its camera is piped home into the program switcher, and
      // the program reaches the chair at home and B beside C.
      await meeting.applyPolicy(stage(C));
      await meeting.whenIdle();
      expect(meeting.program.sourceIds).toContain(c.cameraId);
      await expectFlowing(programConsumer(meeting, chair));
      await expectFlowing(programConsumer(meeting, b));
      // C's microphone is open: the chair at home hears it through the pipe.
      await expectFlowing(r.consumer('chair', 'c', 'mic'), 200);

      // The other worker dies: its two peers close for it, the meeting and its home go on.
      const victim = pool.workerForTesting(other ?? -1);
      if (!victim) throw new Error('no worker');
      process.kill(victim.pid, 'SIGKILL');
      await vi.waitFor(() => expect(lost).toEqual([{ workerIndex: other, peers: 2 }]), {
        timeout: 20_000,
        interval: 20,
      });
      expect(b.peer.closed).toBe(true);
      expect(c.peer.closed).toBe(true);
      expect(meeting.closed).toBe(false);
      expect(meeting.workerIndexes).toEqual([home]);
      expect(chair.peer.closed).toBe(false);

      // B rejoins and the floor goes back to A: B's program flows again.
      const b2 = await r.join('b2', 'site', B);
      await meeting.applyPolicy(stage(A));
      await meeting.whenIdle();
      await expectFlowing(programConsumer(meeting, b2));
      await expectFlowing(programConsumer(meeting, chair));
    } finally {
      meeting.close();
      r.close();
    }
  });
});
