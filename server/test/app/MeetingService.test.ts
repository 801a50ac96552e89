import type { MeetingChanged, MeetingId } from '@giaoban/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MeetingService } from '../../src/app/MeetingService.js';
import { SYSTEM } from '../../src/domain/Actor.js';
import { createMeetingRecord, type MeetingRecord } from '../../src/domain/MeetingRecord.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import { A, DIRECTORY, DN, HN, HOST, HP } from '../domain/harness.js';

const MEETING = 'mtg-svc' as MeetingId;

/** A meeting service on the real memory store, with a clock the test moves. */
async function setup(): Promise<{
  service: MeetingService;
  store: MemoryStore;
  batches: MeetingChanged[];
  clock: { now: number };
}> {
  const clock = { now: Date.UTC(2025, 6, 1, 1, 0, 0) };
  const store = new MemoryStore();
  await store.meetings.create(
    createMeetingRecord({
      id: MEETING,
      title: 'Giao ban trực tuyến',
      scheduledAt: clock.now + 3_600_000,
      hostSite: DIRECTORY[HOST]!,
      chairName: 'Đồng chí Chủ trì',
      floorSeconds: 120,
      maxConnections: 100,
      invitedSites: [HN, HP, DN].map((id) => DIRECTORY[id]!),
    }),
  );
  let seq = 0;
  const service = new MeetingService(
    store,
    () => clock.now,
    () => `id-${++seq}`,
  );
  const batches: MeetingChanged[] = [];
  service.onChanged({ changed: (_id, batch) => batches.push(batch) });
  return { service, store, batches, clock };
}

/** Joins a participant for each actor, as the socket edge does. */
async function join(service: MeetingService, ...actors: (typeof A)[keyof typeof A][]): Promise<void> {
  for (const a of actors) {
    await service.run(MEETING, SYSTEM, {
      type: 'participant:joined',
      participant: { id: a.participantId, role: a.role, siteId: a.siteId, displayName: a.displayName },
    });
  }
}

describe('MeetingService', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('run() saves and announces a change as one batch one version up', async () => {
    const { service, store, batches } = await setup();
    await service.run(MEETING, A.chair, { type: 'meeting:openTechCheck' });
    const saved = (await store.meetings.get(MEETING)) as MeetingRecord;
    expect(saved.meeting.status).toBe('techCheck');
    expect(batches.map((b) => b.version)).toEqual([saved.version]);
    expect(batches[0]?.changes.some((c) => c.type === 'meeting')).toBe(true);
  });

  it('run() rejects a refused command with its DomainError and announces nothing', async () => {
    const { service, batches } = await setup();
    await expect(service.run(MEETING, A.hn, { type: 'meeting:goLive' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(batches).toEqual([]);
  });

  it('a repeated identical command (a self-mute flood) changes, saves and announces nothing', async () => {
    const { service, store, batches } = await setup();
    await join(service, A.hn);
    await service.run(MEETING, A.hn, { type: 'mic:selfMute', muted: true });
    const version = (await store.meetings.get(MEETING))?.version;
    const before = batches.length;
    for (let i = 0; i < 20; i++) await service.run(MEETING, A.hn, { type: 'mic:selfMute', muted: true });
    expect(batches.length).toBe(before);
    expect((await store.meetings.get(MEETING))?.version).toBe(version);
  });

  it("an urgent (moderator's) command runs before the site commands already waiting", async () => {
    const { service } = await setup();
    await join(service, A.hn, A.chair);
    const order: string[] = [];
    const site = Array.from({ length: 30 }, (_, i) =>
      service
        .run(MEETING, A.hn, { type: 'mic:selfMute', muted: i % 2 === 0 })
        .then(() => order.push(`site-${i}`)),
    );
    const chair = service
      .run(MEETING, A.chair, { type: 'stage:pin', siteId: HN }, true)
      .catch(() => undefined)
      .then(() => order.push('chair'));
    await Promise.all([...site, chair]);
    // At most the one site command already running finishes first.
    expect(order.indexOf('chair')).toBeLessThanOrEqual(1);
    expect(order).toHaveLength(31);
  });

  it('a floor turn ends by itself when its time limit passes on the injected clock', async () => {
    const { service, store, clock } = await setup();
    await join(service, A.chair, A.hn);
    await service.run(MEETING, A.chair, { type: 'meeting:openTechCheck' });
    await service.run(MEETING, A.chair, { type: 'meeting:goLive' });
    await service.run(MEETING, A.chair, { type: 'floor:grant', siteId: HN, seconds: 60 });
    expect((await store.meetings.get(MEETING))?.queue.floor?.siteId).toBe(HN);
    clock.now += 59_000;
    await vi.advanceTimersByTimeAsync(59_000);
    expect((await store.meetings.get(MEETING))?.queue.floor?.siteId).toBe(HN);
    clock.now += 1_000;
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(async () => expect((await store.meetings.get(MEETING))?.queue.floor).toBeNull());
  });

  it('close() refuses every later command with UNAVAILABLE', async () => {
    const { service } = await setup();
    service.close();
    service.close();
    await expect(service.run(MEETING, A.chair, { type: 'meeting:openTechCheck' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });

  it('get() of an unknown meeting rejects with NOT_FOUND', async () => {
    const { service } = await setup();
    await expect(service.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
