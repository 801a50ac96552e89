import type { SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MediaPolicySnapshot, WorkerPool } from '../../src/media/index.js';
import { mid, policy, site, sleep, type TestParticipant, TestRoom, testPool } from './helpers/room.js';

// What every viewer consumes, on a real mediasoup worker fed by Node UDP senders: the program as
// one stream, the corner, open microphones, the moderators' tiles on screen — never every camera.
const HOST = site('host');
const A = site('siteA');
const B = site('siteB');
const C = site('siteC');

/** Short grace period so the tests can watch releases happen. */
const GRACE_MS = 400;

let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(1, { consumerGraceMs: GRACE_MS });
});
afterAll(() => pool?.close());

const waitOpts = { timeout: 10_000, interval: 20 };
vi.setConfig({ testTimeout: 40_000 });

/** The policy the app layer builds: the host's camera is warm (the corner of every floor turn). */
function meetingPolicy(
  programSiteId: SiteId,
  allowed: SiteId[],
  cornerSiteId: SiteId | null = null,
): MediaPolicySnapshot {
  return { ...policy(programSiteId, allowed, [], cornerSiteId), warmSiteIds: [HOST] };
}

/** A viewer's consumer of the program stream. */
function programOf(r: TestRoom, p: TestParticipant | undefined): ms.Consumer {
  const c = p?.peer.consumersForTesting().get(r.meeting.program.producer.id);
  if (!c) throw new Error('no program consumer');
  return c;
}

/** Every consumer in the worker, per producer, from the router's own dump. */
async function workerConsumerCount(r: TestRoom): Promise<number> {
  const dump = (await r.meeting.routerForTesting.dump()) as unknown as {
    mapProducerIdConsumerIds: Record<string, string[]>;
  };
  return Object.values(dump.mapProducerIdConsumerIds).reduce((n, ids) => n + ids.length, 0);
}

describe('consumers that grow with sites, not sites²', () => {
  it('a floor change switches the program under every viewer without touching their consumers', async () => {
    const meeting = await pool.createMeetingMedia(mid('floor-program'));
    const r = new TestRoom(meeting);
    try {
      await r.join('chair', 'chair', HOST, { publish: true });
      const a = await r.join('a', 'site', A, { publish: true });
      await r.join('b', 'site', B, { publish: true });
      const c = await r.join('c', 'site', C);
      const observer = await r.join('observer', 'observer', null);
      const operator = await r.join('operator', 'operator', HOST);
      await meeting.applyPolicy(meetingPolicy(HOST, [HOST]));
      await meeting.whenIdle();

      // Everyone holds the program; it flows at the top layer except into the host's own room.
      for (const viewer of [c, observer]) {
        const program = programOf(r, viewer);
        expect(program.paused).toBe(false);
        expect(program.preferredLayers?.spatialLayer).toBe(2);
      }
      expect(programOf(r, operator).paused).toBe(true);
      await vi.waitFor(
        () => expect(meeting.program.sourceProducerId).toBe(r.producer('chair', 'camera').id),
        waitOpts,
      );
      // No viewer holds another site's camera: the program carries the host.
      expect(c.peer.consumersForTesting().has(a.cameraId ?? '')).toBe(false);
      const hostCamera = r.consumer('c', 'chair', 'camera'); // warm: held, paused
      expect(hostCamera.paused).toBe(true);

      const before = new Map(
        [c, observer].map((p) => [p, { program: programOf(r, p), states: p.signal.states.length }]),
      );
      const keyFramesBefore = a.sender?.keyFrameRequests ?? 0;
      // Floor to site A, the chair in the corner.
      await meeting.applyPolicy(meetingPolicy(A, [HOST, A], HOST));
      await vi.waitFor(
        () => expect(meeting.program.sourceProducerId).toBe(r.producer('a', 'camera').id),
        waitOpts,
      );
      expect(a.sender?.keyFrameRequests ?? 0).toBeGreaterThan(keyFramesBefore);
      for (const [p, was] of before) {
        // The same program consumer, still flowing, and the client was told nothing about it.
        expect(programOf(r, p)).toBe(was.program);
        expect(was.program.paused).toBe(false);
        expect(p.signal.states.slice(was.states).filter((s) => s.id === was.program.id)).toEqual([]);
      }
      // The corner was a resume of the warm host camera (same consumer), at the middle layer.
      expect(r.consumer('c', 'chair', 'camera')).toBe(hostCamera);
      expect(hostCamera.paused).toBe(false);
      expect(hostCamera.preferredLayers?.spatialLayer).toBe(1);
      // Site A does not see itself: its own program consumer is paused, and it was told.
      const aProgram = programOf(r, a);
      expect(aProgram.paused).toBe(true);
      expect(a.signal.lastState(aProgram.id)?.paused).toBe(true);
      // Site A's microphone is open and every other room now consumes it.
      expect(r.producer('a', 'mic').paused).toBe(false);
      expect(r.consumer('c', 'a', 'mic').paused).toBe(false);
    } finally {
      meeting.close();
      r.close();
    }
  });

  it('every viewer holds a handful of consumers, so the total grows linearly with sites', async () => {
    const meeting = await pool.createMeetingMedia(mid('linear'));
    const r = new TestRoom(meeting);
    const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `s${from + i}`);
    const addSites = async (list: string[]) => {
      for (const n of list) await r.join(n, 'site', site(n), { publish: true, rtp: false });
    };
    try {
      await r.join('chair', 'chair', HOST, { publish: true, rtp: false });
      const operator = await r.join('operator', 'operator', HOST);
      await addSites(names(0, 8));
      // The operator's grid shows one page of four tiles.
      await operator.peer.setVisibleTiles(['s2', 's3', 's4', 's5'].map(site));
      // Site s1 has the floor, the chair in the corner.
      const floor = meetingPolicy(site('s1'), [HOST, site('s1')], HOST);
      await meeting.applyPolicy(floor);
      await meeting.whenIdle();

      const perViewer = () =>
        new Map([...r.participants].map(([name, p]) => [name, p.peer.consumersForTesting().size]));
      // A site: program, host camera (corner), host mic, floor holder's mic. The floor holder: its
      // own mic is not sent back. The operator (host room): program, 4 tiles, floor mic. The chair:
      // program and the floor mic. The switcher: one consumer per layer of s1's camera.
      const expected = (sites: number) => 4 * (sites - 1) + 3 + 6 + 2 + 3;
      const m8 = perViewer();
      expect(m8.get('s0')).toBe(4);
      expect(m8.get('s1')).toBe(3);
      expect(m8.get('operator')).toBe(6);
      expect(m8.get('chair')).toBe(2);
      expect(await workerConsumerCount(r)).toBe(expected(8));

      // Three times the sites: each viewer holds exactly as many as before; the total is linear.
      await addSites(names(8, 24));
      await meeting.applyPolicy(floor);
      await meeting.whenIdle();
      const m24 = perViewer();
      expect(Math.max(...m24.values())).toBe(6);
      expect(m24.get('s20')).toBe(4);
      expect(await workerConsumerCount(r)).toBe(expected(24));
      // Pre-creating every camera and mic for every site would have been 24 × 2 × 24 at the sites alone.
      expect(await workerConsumerCount(r)).toBeLessThan(24 * 2 * 24);

      // A floor change keeps it flat once the old floor holder's mic is released.
      await meeting.applyPolicy(meetingPolicy(site('s20'), [HOST, site('s20')], HOST));
      await meeting.whenIdle();
      await sleep(GRACE_MS * 1.5);
      expect(await workerConsumerCount(r)).toBe(expected(24));
    } finally {
      meeting.close();
      r.close();
    }
  });

  it('a joining viewer gets the program consumer created and resumed before any other', async () => {
    const meeting = await pool.createMeetingMedia(mid('join-order'));
    const r = new TestRoom(meeting);
    const order: string[] = [];
    try {
      await r.join('chair', 'chair', HOST, { publish: true });
      await r.join('a', 'site', A, { publish: true });
      await meeting.applyPolicy(meetingPolicy(A, [HOST, A], HOST));
      await meeting.whenIdle();
      const programId = meeting.program.producer.id;
      meeting.routerForTesting.observer.on('newtransport', (t) => {
        if ((t.appData as { participantId?: string }).participantId !== 'late') return;
        t.observer.on('newconsumer', (consumer) => {
          const what = consumer.producerId === programId ? 'program' : 'other';
          order.push(`new:${what}`);
          consumer.observer.on('resume', () => order.push(`resume:${what}`));
        });
      });
      const late = await r.join('late', 'site', C);
      await meeting.whenIdle();
      // Program, then host camera (corner), host mic and A's mic.
      expect(late.peer.consumersForTesting().size).toBe(4);
      expect(order.slice(0, 3)).toEqual(['new:program', 'resume:program', 'new:other']);
      expect(order.filter((o) => o === 'new:other')).toHaveLength(3);
      // The client heard of the program first.
      expect(late.signal.log[0]).toContain(programOf(r, late).id);
    } finally {
      meeting.close();
      r.close();
    }
  });

  it("a moderator's tile is consumed while it shows, at the lowest layer, and released after a grace period", async () => {
    const meeting = await pool.createMeetingMedia(mid('tiles'));
    const r = new TestRoom(meeting);
    try {
      await r.join('chair', 'chair', HOST, { publish: true });
      const a = await r.join('a', 'site', A, { publish: true });
      const b = await r.join('b', 'site', B, { publish: true });
      const operator = await r.join('operator', 'operator', HOST);
      await meeting.applyPolicy(meetingPolicy(HOST, [HOST]));
      await meeting.whenIdle();
      expect(operator.peer.consumersForTesting().has(a.cameraId ?? '')).toBe(false);

      await operator.peer.setVisibleTiles([A, B]);
      const tileA = r.consumer('operator', 'a', 'camera');
      const tileB = r.consumer('operator', 'b', 'camera');
      expect(tileA.paused).toBe(false);
      expect(tileA.preferredLayers?.spatialLayer).toBe(0);
      await vi.waitFor(() => expect(tileA.currentLayers?.spatialLayer).toBe(0), waitOpts);

      // Paged away from A: paused at the server at once, closed (and the client told) after the grace.
      await operator.peer.setVisibleTiles([B]);
      expect(tileA.paused).toBe(true);
      await vi.waitFor(() => expect(tileA.closed).toBe(true), waitOpts);
      expect(operator.signal.closed).toContain(tileA.id);
      expect(tileB.closed).toBe(false);
      expect(tileB.paused).toBe(false);

      // Back and forth within the grace period reuses the consumer.
      await operator.peer.setVisibleTiles([]);
      await operator.peer.setVisibleTiles([B]);
      await sleep(GRACE_MS * 1.5);
      expect(r.consumer('operator', 'b', 'camera')).toBe(tileB);
      expect(tileB.paused).toBe(false);
      expect(b.cameraId).toBeTruthy();
    } finally {
      meeting.close();
      r.close();
    }
  });
  it('a producer closing under a lingering consumer, and the viewer leaving, leave no timer behind', async () => {
    const meeting = await pool.createMeetingMedia(mid('linger'));
    const r = new TestRoom(meeting);
    try {
      await r.join('chair', 'chair', HOST, { publish: true });
      const a = await r.join('a', 'site', A, { publish: true });
      await r.join('b', 'site', B, { publish: true });
      const operator = await r.join('operator', 'operator', HOST);
      await meeting.applyPolicy(meetingPolicy(HOST, [HOST]));
      await operator.peer.setVisibleTiles([A, B]);
      const tileA = r.consumer('operator', 'a', 'camera');
      const tileB = r.consumer('operator', 'b', 'camera');
      // A's tile lingers, paused; A stops its camera: closed once, told once.
      await operator.peer.setVisibleTiles([B]);
      a.peer.closeProducer(a.cameraId ?? '');
      await vi.waitFor(() => expect(tileA.closed).toBe(true), waitOpts);
      await sleep(GRACE_MS * 1.5);
      expect(operator.signal.closed.filter((id) => id === tileA.id)).toEqual([tileA.id]);
      // B's tile lingers in turn; the operator leaves during its grace period: nothing fires later.
      await operator.peer.setVisibleTiles([]);
      operator.peer.close();
      await sleep(GRACE_MS * 1.5);
      expect(tileB.closed).toBe(true);
      expect(operator.signal.closed).not.toContain(tileB.id);
    } finally {
      meeting.close();
      r.close();
    }
  });
  it('the program pauses while the site on stage has no camera, and resumes when it publishes one', async () => {
    const meeting = await pool.createMeetingMedia(mid('no-camera'));
    const r = new TestRoom(meeting);
    try {
      await r.join('chair', 'chair', HOST);
      const observer = await r.join('observer', 'observer', null);
      await meeting.applyPolicy(meetingPolicy(HOST, [HOST]));
      await meeting.whenIdle();
      const program = programOf(r, observer);
      expect(program.paused).toBe(true);
      await r.publish('chair');
      await meeting.whenIdle();
      expect(program.paused).toBe(false);
      expect(observer.signal.lastState(program.id)?.paused).toBe(false);
      await vi.waitFor(
        () => expect(meeting.program.sourceProducerId).toBe(r.producer('chair', 'camera').id),
        waitOpts,
      );
      const chair = r.participants.get('chair');
      chair?.peer.closeProducer(chair.cameraId ?? '');
      await vi.waitFor(() => expect(program.paused).toBe(true), waitOpts);
      expect(observer.signal.lastState(program.id)?.paused).toBe(true);
    } finally {
      meeting.close();
      r.close();
    }
  });
});
