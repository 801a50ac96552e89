/**
 * A killed mediasoup worker's share is rebuilt (issue 12 step 4): kill -9 the worker process of a
 * meeting → the pool respawns the worker, the registry gives the meeting a new router (program
 * switcher included) at once and says so (the transport then tells clients to rebuild), and a
 * client that rejoins gets a flowing program consumer. Times are logged for docs/FAULTS.md.
 */
import type { MeetingId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MediaRegistry } from '../../src/app/MediaRegistry.js';
import { MeetingService } from '../../src/app/MeetingService.js';
import { createMeetingRecord } from '../../src/domain/MeetingRecord.js';
import type { MeetingMedia, WorkerPool } from '../../src/media/index.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import { DIRECTORY, HN, HOST } from '../domain/harness.js';
import { expectFlowing, TestRoom, testPool } from './helpers/room.js';

const MEETING = 'mtg-worker-death' as MeetingId;

function directorySite(id: string) {
  const site = DIRECTORY[id];
  if (!site) throw new Error(`no directory site ${id}`);
  return site;
}

let pool: WorkerPool;
let registry: MediaRegistry;
const rebuilt: MeetingId[] = [];
beforeAll(async () => {
  pool = await testPool(1);
  const store = new MemoryStore();
  await store.meetings.create(
    createMeetingRecord({
      id: MEETING,
      title: 'Giao ban',
      scheduledAt: Date.now() + 3_600_000,
      hostSite: directorySite(HOST),
      chairName: 'Chủ trì',
      floorSeconds: 120,
      maxConnections: 100,
      invitedSites: [directorySite(HN)],
    }),
  );
  registry = new MediaRegistry(pool, new MeetingService(store), () => {});
  registry.onRebuilt = (id) => rebuilt.push(id);
});
afterAll(() => pool?.close());
vi.setConfig({ testTimeout: 60_000 });

/** The chair publishes, a site watches: the site's program consumer flows. */
async function watchProgram(media: MeetingMedia): Promise<TestRoom> {
  const r = new TestRoom(media);
  await r.join('chair', 'chair', HOST, { publish: true });
  const site = await r.join('hn', 'site', HN);
  await media.whenIdle();
  const program = site.peer.consumersForTesting().get(media.program.producer.id);
  if (!program) throw new Error('no program consumer');
  await expectFlowing(program);
  return r;
}

describe('a killed worker', () => {
  it("moves its meetings onto a respawned worker; a rejoined client's program flows again", async () => {
    const before = await registry.get(MEETING);
    const r1 = await watchProgram(before);
    const dead = pool.workerForTesting(pool.workerIndexOf(before) ?? -1);
    if (!dead) throw new Error('no worker');
    const deadPid = dead.pid;

    const killedAt = Date.now();
    process.kill(deadPid, 'SIGKILL');
    await vi.waitFor(() => expect(rebuilt).toContain(MEETING), { timeout: 20_000, interval: 10 });
    const rebuiltMs = Date.now() - killedAt;
    r1.close();

    // The old media closed for the worker's death; a new one lives on a live (respawned) worker.
    expect(before.closed).toBe(true);
    expect(before.closeReason).toBe('workerdied');
    const after = await registry.get(MEETING);
    expect(after).not.toBe(before);
    expect(after.closed).toBe(false);
    const worker = pool.workerForTesting(pool.workerIndexOf(after) ?? -1);
    expect(worker?.pid).not.toBe(deadPid);
    expect(worker?.died).toBe(false);
    expect(pool.liveWorkers).toBe(1);

    // The clients rejoin: the program stream flows again from the new router's switcher.
    const r2 = await watchProgram(after);
    const flowingMs = Date.now() - killedAt;
    r2.close();
    console.info(
      `[FAULTS] worker kill -9 → meeting media rebuilt ${rebuiltMs} ms, rejoined program flowing ${flowingMs} ms`,
    );
  });
});
