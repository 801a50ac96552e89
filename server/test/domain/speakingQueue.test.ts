import type { FloorRequestId, QueueState, SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/Actor.js';
import { expireFloor, nextExpiry, turnDurationMs } from '../../src/domain/SpeakingQueue.js';
import {
  A,
  actor,
  DN,
  HN,
  HOST,
  HP,
  liveMeeting,
  NOT_INVITED,
  TestMeeting,
  techCheckMeeting,
} from './harness.js';

type Req = { requestId: FloorRequestId };
const sitesOf = (q: QueueState): SiteId[] => q.requests.map((r) => r.siteId);

/** A live meeting where Hà Nội, Hải Phòng and Đà Nẵng asked for the floor in that order. */
function queued() {
  const { m, items } = liveMeeting({ floorSeconds: 180 });
  m.ok(A.chair, { type: 'agenda:advance' });
  const hn = m.ok<Req>(A.hn, { type: 'queue:request', topic: 'Giải ngân đầu tư công' }).requestId;
  m.tick(1000);
  const hp = m.ok<Req>(A.hp, { type: 'queue:request', topic: 'Sáp nhập đơn vị hành chính' }).requestId;
  m.tick(1000);
  const dn = m.ok<Req>(A.dn, { type: 'queue:request', topic: 'Chuyển đổi số' }).requestId;
  return { m, items, hn, hp, dn };
}

describe('SpeakingQueue — requests', () => {
  it('queue:request() queues sites in the order they asked, with topic and time', () => {
    const { m } = queued();
    expect(sitesOf(m.record.queue)).toEqual([HN, HP, DN]);
    expect(m.record.queue.requests[0]).toMatchObject({ topic: 'Giải ngân đầu tư công', siteId: HN });
  });

  it('queue:request() is open during the tech check (sites register to speak early)', () => {
    const { m } = techCheckMeeting();
    m.ok(A.hn, { type: 'queue:request', topic: 'Đăng ký trước' });
    expect(sitesOf(m.record.queue)).toEqual([HN]);
  });

  it('queue:request() rejects with INVALID_STATE while the meeting is only scheduled, or ended', () => {
    const scheduled = new TestMeeting().join(A.hn);
    expect(scheduled.refused(A.hn, { type: 'queue:request', topic: '' }).code).toBe('INVALID_STATE');
    const { m } = techCheckMeeting();
    m.ok(A.chair, { type: 'meeting:end' });
    expect(m.refused(A.hn, { type: 'queue:request', topic: '' }).code).toBe('INVALID_STATE');
  });

  it('queue:request() rejects with CONFLICT for a second pending request of the same site', () => {
    const { m } = queued();
    expect(m.refused(A.hn, { type: 'queue:request', topic: 'Lần nữa' }).code).toBe('CONFLICT');
    expect(m.refused(actor('site', HN, 'second-device'), { type: 'queue:request', topic: 'x' }).code).toBe(
      'CONFLICT',
    );
  });

  it('queue:request() rejects with CONFLICT from the site holding the floor', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn });
    expect(m.refused(A.hn, { type: 'queue:request', topic: 'Thêm ý' }).code).toBe('CONFLICT');
  });

  it('queue:request() rejects with NOT_FOUND for a site that is not invited', () => {
    const { m } = queued();
    expect(m.refused(actor('site', NOT_INVITED), { type: 'queue:request', topic: 'x' }).code).toBe(
      'NOT_FOUND',
    );
  });

  it('queue:withdraw() removes the own request and keeps the others in order', () => {
    const { m, hp } = queued();
    m.ok(A.hp, { type: 'queue:withdraw', requestId: hp });
    expect(sitesOf(m.record.queue)).toEqual([HN, DN]);
  });

  it('queue:withdraw() lets the site ask again afterwards, at the end of the queue', () => {
    const { m, hn } = queued();
    m.ok(A.hn, { type: 'queue:withdraw', requestId: hn });
    m.ok(A.hn, { type: 'queue:request', topic: 'Lại' });
    expect(sitesOf(m.record.queue)).toEqual([HP, DN, HN]);
  });

  it('queue:withdraw() by an operator drops any request', () => {
    const { m, dn } = queued();
    m.ok(A.operator, { type: 'queue:withdraw', requestId: dn });
    expect(sitesOf(m.record.queue)).toEqual([HN, HP]);
  });

  it('queue:withdraw() rejects with NOT_FOUND for an unknown request', () => {
    const { m } = queued();
    expect(m.refused(A.operator, { type: 'queue:withdraw', requestId: 'x' as FloorRequestId }).code).toBe(
      'NOT_FOUND',
    );
  });

  it('queue:reorder() puts pending requests in the moderator order', () => {
    const { m, hn, hp, dn } = queued();
    m.ok(A.operator, { type: 'queue:reorder', requestIds: [dn, hn, hp] });
    expect(sitesOf(m.record.queue)).toEqual([DN, HN, HP]);
  });

  it('queue:reorder() rejects with VALIDATION unless given a permutation of the pending ids', () => {
    const { m, hn, hp, dn } = queued();
    const bad = [
      [hn, hp],
      [hn, hp, dn, 'x' as FloorRequestId],
      [hn, hp, hp],
      [hn, hp, 'x' as FloorRequestId],
    ];
    for (const requestIds of bad) {
      expect(m.refused(A.operator, { type: 'queue:reorder', requestIds }).code).toBe('VALIDATION');
    }
    expect(sitesOf(m.record.queue)).toEqual([HN, HP, DN]);
  });
});

describe('SpeakingQueue — the floor', () => {
  it('floor:grant() by request makes that site the single holder and takes it off the queue', () => {
    const { m, items, hp } = queued();
    m.ok(A.operator, { type: 'floor:grant', requestId: hp });
    const { floor, requests } = m.record.queue;
    expect(floor).toMatchObject({
      siteId: HP,
      topic: 'Sáp nhập đơn vị hành chính',
      agendaItemId: items[0],
      grantedAt: m.now,
      expiresAt: m.now + 180_000,
      endedAt: null,
      endReason: null,
    });
    expect(requests.map((r) => r.siteId)).toEqual([HN, DN]);
  });

  it('floor:grant() by site uses up that site pending request and its topic', () => {
    const { m } = queued();
    m.ok(A.chair, { type: 'floor:grant', siteId: DN, seconds: 60 });
    expect(m.record.queue.floor).toMatchObject({
      siteId: DN,
      topic: 'Chuyển đổi số',
      expiresAt: m.now + 60_000,
    });
    expect(sitesOf(m.record.queue)).toEqual([HN, HP]);
  });

  it('floor:grant() to a site that did not ask gives an untitled turn', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    expect(m.record.queue.floor).toMatchObject({ siteId: HN, topic: '', agendaItemId: null });
  });

  it('floor:grant() with seconds 0 gives an open-ended turn', () => {
    const { m } = queued();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN, seconds: 0 });
    expect(m.record.queue.floor?.expiresAt).toBeNull();
  });

  it('floor:grant() while someone speaks ends that turn as replaced: one holder at a time', () => {
    const { m, hn, hp } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn });
    const t = m.now;
    m.tick(30_000).ok(A.chair, { type: 'floor:grant', requestId: hp });
    expect(m.record.queue.floor?.siteId).toBe(HP);
    expect(m.record.queue.history).toEqual([
      expect.objectContaining({ siteId: HN, grantedAt: t, endedAt: t + 30_000, endReason: 'replaced' }),
    ]);
  });

  it('floor:grant() clears a pin so the new speaker is on the main stage', () => {
    const { m, hn } = queued();
    m.ok(A.operator, { type: 'stage:pin', siteId: DN });
    expect(m.snapshot.stage.programSiteId).toBe(DN);
    m.ok(A.chair, { type: 'floor:grant', requestId: hn });
    expect(m.snapshot.stage).toEqual({ pinnedSiteId: null, programSiteId: HN });
  });

  it('floor:grant() rejects with INVALID_STATE before the meeting is live', () => {
    const { m } = techCheckMeeting();
    expect(m.refused(A.chair, { type: 'floor:grant', siteId: HN }).code).toBe('INVALID_STATE');
  });

  it('floor:grant() rejects with INVALID_STATE for a site that is not connected', () => {
    const { m } = queued();
    m.leave(A.dn);
    expect(m.refused(A.chair, { type: 'floor:grant', siteId: DN }).code).toBe('INVALID_STATE');
  });

  it('floor:grant() rejects with NOT_FOUND for an unknown request or an uninvited site', () => {
    const { m } = queued();
    expect(m.refused(A.chair, { type: 'floor:grant', requestId: 'x' as FloorRequestId }).code).toBe(
      'NOT_FOUND',
    );
    expect(m.refused(A.chair, { type: 'floor:grant', siteId: NOT_INVITED }).code).toBe('NOT_FOUND');
  });

  it('floor:grant() rejects with VALIDATION unless exactly one of requestId or siteId is given', () => {
    const { m, hn } = queued();
    expect(m.refused(A.chair, { type: 'floor:grant' }).code).toBe('VALIDATION');
    expect(m.refused(A.chair, { type: 'floor:grant', requestId: hn, siteId: HN }).code).toBe('VALIDATION');
  });

  it('floor:revoke() ends the turn as revoked and moves it to the history', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn });
    m.tick(45_000).ok(A.operator, { type: 'floor:revoke' });
    expect(m.record.queue.floor).toBeNull();
    expect(m.record.queue.history.at(-1)).toMatchObject({ siteId: HN, endReason: 'revoked', endedAt: m.now });
    expect(m.snapshot.stage.programSiteId).toBe(HOST);
  });

  it('floor:revoke() rejects with INVALID_STATE when nobody holds the floor', () => {
    const { m } = queued();
    expect(m.refused(A.chair, { type: 'floor:revoke' }).code).toBe('INVALID_STATE');
  });

  it('floor:yield() lets the holder end its own turn early', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn });
    m.tick(20_000).ok(A.hn, { type: 'floor:yield' });
    expect(m.record.queue.history.at(-1)).toMatchObject({ siteId: HN, endReason: 'yielded' });
  });

  it('floor:yield() rejects with INVALID_STATE when nobody holds the floor', () => {
    const { m } = queued();
    expect(m.refused(A.hn, { type: 'floor:yield' }).code).toBe('INVALID_STATE');
  });

  it('floor:extend() adds time to the running turn', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn });
    const expiresAt = m.record.queue.floor?.expiresAt ?? 0;
    m.tick(60_000).ok(A.operator, { type: 'floor:extend', seconds: 120 });
    expect(m.record.queue.floor?.expiresAt).toBe(expiresAt + 120_000);
  });

  it('floor:extend() of a turn already past its time counts from now', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn, seconds: 60 });
    m.tick(65_000).ok(A.operator, { type: 'floor:extend', seconds: 30 });
    expect(m.record.queue.floor?.expiresAt).toBe(m.now + 30_000);
  });

  it('floor:extend() rejects with INVALID_STATE for an open-ended turn or no turn', () => {
    const { m, hn } = queued();
    expect(m.refused(A.chair, { type: 'floor:extend', seconds: 30 }).code).toBe('INVALID_STATE');
    m.ok(A.chair, { type: 'floor:grant', requestId: hn, seconds: 0 });
    expect(m.refused(A.chair, { type: 'floor:extend', seconds: 30 }).code).toBe('INVALID_STATE');
  });

  it('floor:expire before expiresAt is a no-op: same record, same version, no changes', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn, seconds: 60 });
    const before = m.record;
    m.tick(59_999);
    const result = m.run(SYSTEM, { type: 'floor:expire' });
    expect(result.ok && result.value).toMatchObject({ record: before, changes: [] });
    expect(m.record.queue.floor?.siteId).toBe(HN);
  });

  it('floor:expire at expiresAt ends the turn as expired', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn, seconds: 60 });
    m.tick(60_000).ok(SYSTEM, { type: 'floor:expire' });
    expect(m.record.queue.floor).toBeNull();
    expect(m.record.queue.history.at(-1)).toMatchObject({ siteId: HN, endReason: 'expired', endedAt: m.now });
  });

  it('floor:expire after an extension waits for the new time', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn, seconds: 60 });
    m.tick(50_000).ok(A.chair, { type: 'floor:extend', seconds: 60 });
    m.tick(10_000).ok(SYSTEM, { type: 'floor:expire' });
    expect(m.record.queue.floor?.siteId).toBe(HN);
    m.tick(60_000).ok(SYSTEM, { type: 'floor:expire' });
    expect(m.record.queue.floor).toBeNull();
  });

  it('expireFloor() never ends an open-ended turn', () => {
    const { m, hn } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn, seconds: 0 });
    expect(expireFloor(m.record.queue, m.now + 10 * 3_600_000)).toBe(m.record.queue);
    expect(nextExpiry(m.record.queue)).toBeNull();
  });

  it('keeps a history of turns with their durations', () => {
    const { m, hn, hp } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hn });
    m.tick(90_000).ok(A.hn, { type: 'floor:yield' });
    m.ok(A.chair, { type: 'floor:grant', requestId: hp });
    m.tick(180_000).ok(SYSTEM, { type: 'floor:expire' });
    const h = m.record.queue.history;
    expect(h.map((t) => [t.siteId, turnDurationMs(t, m.now), t.endReason])).toEqual([
      [HN, 90_000, 'yielded'],
      [HP, 180_000, 'expired'],
    ]);
  });
});

describe('SpeakingQueue — a site leaving', () => {
  it('keeps the pending request of a site that left', () => {
    const { m } = queued();
    m.leave(A.hp);
    expect(sitesOf(m.record.queue)).toEqual([HN, HP, DN]);
  });

  it('ends a floor held by a site that left as left, and puts it back at the head of the queue', () => {
    const { m, hp } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hp });
    m.tick(10_000).leave(A.hp);
    const { floor, history, requests } = m.record.queue;
    expect(floor).toBeNull();
    expect(history.at(-1)).toMatchObject({ siteId: HP, endReason: 'left', endedAt: m.now });
    expect(requests[0]).toMatchObject({
      siteId: HP,
      topic: 'Sáp nhập đơn vị hành chính',
      requestedAt: m.now,
    });
    expect(sitesOf(m.record.queue)).toEqual([HP, HN, DN]);
    expect(m.snapshot.stage.programSiteId).toBe(HOST);
  });

  it('keeps the floor while another device of the same site is still connected', () => {
    const { m, hp } = queued();
    const second = actor('site', HP, 'hp-second-device');
    m.join(second);
    m.ok(A.chair, { type: 'floor:grant', requestId: hp });
    m.leave(A.hp);
    expect(m.record.queue.floor?.siteId).toBe(HP);
  });

  it('lets the returning site be given its turn back with one grant', () => {
    const { m, hp } = queued();
    m.ok(A.chair, { type: 'floor:grant', requestId: hp });
    m.leave(A.hp).join(A.hp);
    const back = m.record.queue.requests[0]?.id as FloorRequestId;
    m.ok(A.chair, { type: 'floor:grant', requestId: back });
    expect(m.record.queue.floor?.siteId).toBe(HP);
  });

  it('uninviting a site drops its pending request and its pin', () => {
    const { m } = queued();
    m.leave(A.dn);
    m.ok(A.operator, { type: 'stage:pin', siteId: DN });
    m.ok(A.organizer, { type: 'sites:uninvite', siteIds: [DN] });
    expect(sitesOf(m.record.queue)).toEqual([HN, HP]);
    expect(m.record.stage.pinnedSiteId).toBeNull();
  });
});
