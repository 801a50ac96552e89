import type { AgendaItemId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { A, HN, HP, liveMeeting, TestMeeting, techCheckMeeting } from './harness.js';

describe('Meeting lifecycle: scheduled → techCheck → live → ended', () => {
  it('starts scheduled with no timestamps', () => {
    const m = new TestMeeting();
    expect(m.record.meeting).toMatchObject({
      status: 'scheduled',
      techCheckAt: null,
      liveAt: null,
      endedAt: null,
    });
    expect(m.record.version).toBe(0);
  });

  it('meeting:openTechCheck() stamps techCheckAt', () => {
    const m = new TestMeeting();
    m.ok(A.operator, { type: 'meeting:openTechCheck' });
    expect(m.record.meeting).toMatchObject({ status: 'techCheck', techCheckAt: m.now });
  });

  it('meeting:goLive() stamps liveAt after the tech check', () => {
    const { m } = techCheckMeeting();
    m.tick(45 * 60_000).ok(A.chair, { type: 'meeting:goLive' });
    expect(m.record.meeting).toMatchObject({ status: 'live', liveAt: m.now });
  });

  it('meeting:goLive() rejects with INVALID_STATE before the tech check', () => {
    const m = new TestMeeting();
    expect(m.refused(A.chair, { type: 'meeting:goLive' }).code).toBe('INVALID_STATE');
  });

  it('meeting:openTechCheck() rejects with INVALID_STATE once live', () => {
    const { m } = liveMeeting();
    expect(m.refused(A.chair, { type: 'meeting:openTechCheck' }).code).toBe('INVALID_STATE');
  });

  it('meeting:end() rejects with INVALID_STATE while only scheduled', () => {
    const m = new TestMeeting();
    expect(m.refused(A.chair, { type: 'meeting:end' }).code).toBe('INVALID_STATE');
  });

  it('meeting:end() from the tech check calls the meeting off', () => {
    const { m } = techCheckMeeting();
    m.ok(A.chair, { type: 'meeting:end' });
    expect(m.record.meeting).toMatchObject({ status: 'ended', liveAt: null, endedAt: m.now });
  });

  it('meeting:end() stamps endedAt and closes the floor and the current item', () => {
    const { m, items } = liveMeeting();
    m.ok(A.chair, { type: 'agenda:advance' });
    m.ok(A.hn, { type: 'queue:request', topic: 'Kiến nghị về vốn' });
    m.ok(A.chair, { type: 'floor:grant', siteId: HP });
    m.tick(90_000).ok(A.chair, { type: 'meeting:end' });
    const { meeting, agenda, queue } = m.record;
    expect(meeting).toMatchObject({ status: 'ended', endedAt: m.now });
    expect(agenda.currentItemId).toBeNull();
    expect(agenda.items.find((i) => i.id === items[0])?.endedAt).toBe(m.now);
    expect(queue.floor).toBeNull();
    expect(queue.history.at(-1)).toMatchObject({ siteId: HP, endedAt: m.now, endReason: 'meetingEnded' });
    expect(queue.requests).toEqual([]);
  });

  it('an ended meeting refuses every live action with INVALID_STATE', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'meeting:end' });
    expect(m.refused(A.chair, { type: 'meeting:end' }).code).toBe('INVALID_STATE');
    expect(m.refused(A.chair, { type: 'meeting:goLive' }).code).toBe('INVALID_STATE');
    expect(m.refused(A.chair, { type: 'agenda:advance' }).code).toBe('INVALID_STATE');
    expect(m.refused(A.hn, { type: 'queue:request', topic: '' }).code).toBe('INVALID_STATE');
    expect(m.refused(A.chair, { type: 'floor:grant', siteId: HN }).code).toBe('INVALID_STATE');
    expect(m.refused(A.chair, { type: 'stage:pin', siteId: HN }).code).toBe('INVALID_STATE');
    expect(m.refused(A.hn, { type: 'site:declare', delegates: 3 }).code).toBe('INVALID_STATE');
    expect(m.refused(A.organizer, { type: 'meeting:update', title: 'x' }).code).toBe('INVALID_STATE');
  });

  it('meeting:update() sets the video codec while scheduled only (the media is set up at the first join)', () => {
    const m = new TestMeeting();
    expect(m.record.meeting.videoCodec).toBeUndefined();
    m.ok(A.organizer, { type: 'meeting:update', videoCodec: 'h264' });
    expect(m.record.meeting.videoCodec).toBe('h264');
    m.ok(A.organizer, { type: 'meeting:update', videoCodec: 'vp8' });
    expect(m.record.meeting.videoCodec).toBeUndefined();
    m.ok(A.organizer, { type: 'meeting:update', videoCodec: 'h264' });
    const { m: checking } = techCheckMeeting();
    expect(checking.refused(A.organizer, { type: 'meeting:update', videoCodec: 'h264' }).code).toBe(
      'INVALID_STATE',
    );
    // Naming the codec it already has is no change.
    checking.ok(A.organizer, { type: 'meeting:update', videoCodec: 'vp8', title: 'Giao ban quý III' });
  });

  it('meeting:update() changes the default floor time for later grants only', () => {
    const { m } = liveMeeting({ floorSeconds: 120 });
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    const expiresAt = m.record.queue.floor?.expiresAt;
    m.ok(A.organizer, { type: 'meeting:update', floorSeconds: 300, title: 'Giao ban quý III' });
    expect(m.record.meeting).toMatchObject({ floorSeconds: 300, title: 'Giao ban quý III' });
    expect(m.record.queue.floor?.expiresAt).toBe(expiresAt);
    m.ok(A.chair, { type: 'floor:grant', siteId: HP });
    expect(m.record.queue.floor?.expiresAt).toBe(m.now + 300_000);
  });
});
