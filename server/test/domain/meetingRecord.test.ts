import type { DirectorySite, MeetingId } from '@giaoban/shared';
import { MeetingSnapshot } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import {
  createMeetingRecord,
  MeetingRecord,
  parseMeetingRecord,
  toSnapshot,
} from '../../src/domain/MeetingRecord.js';
import { A, DIRECTORY, HN, HOST, HP, liveMeeting } from './harness.js';

describe('MeetingRecord', () => {
  it('createMeetingRecord() puts the host first and each invited site once', () => {
    const r = createMeetingRecord({
      id: 'm' as MeetingId,
      title: 'Giao ban',
      scheduledAt: 1,
      hostSite: DIRECTORY[HOST] as DirectorySite,
      chairName: '',
      floorSeconds: 180,
      maxConnections: 100,
      invitedSites: [HN, HOST, HP, HN].map((id) => DIRECTORY[id] as DirectorySite),
    });
    expect(r.sites.map((s) => [s.id, s.isHost])).toEqual([
      [HOST, true],
      [HN, false],
      [HP, false],
    ]);
    expect(r.version).toBe(0);
    expect(r.meeting.status).toBe('scheduled');
  });

  it('toSnapshot() is a valid wire snapshot with the derived program and totals', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    const snap = toSnapshot(m.record);
    expect(MeetingSnapshot.parse(snap)).toEqual(snap);
    expect(snap.stage.programSiteId).toBe(HN);
    expect(snap.totals.connectedSites).toBe(4);
    expect(snap).not.toHaveProperty('minutes');
    expect(snap).not.toHaveProperty('attendance');
  });

  it('parseMeetingRecord() accepts a record after a JSON round trip', () => {
    const { m } = liveMeeting();
    const raw: unknown = JSON.parse(JSON.stringify(m.record));
    const parsed = parseMeetingRecord(raw);
    expect(parsed).toEqual({ ok: true, value: m.record });
  });

  it('parseMeetingRecord() refuses a corrupt record with INTERNAL', () => {
    const { m } = liveMeeting();
    const broken = { ...m.record, queue: { requests: 'nope' } };
    const parsed = parseMeetingRecord(broken);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe('INTERNAL');
    expect(MeetingRecord.safeParse({}).success).toBe(false);
  });
});
