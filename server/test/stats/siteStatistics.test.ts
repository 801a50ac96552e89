import type { DirectorySite, MeetingId, SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/Actor.js';
import { createMeetingRecord, type MeetingRecord } from '../../src/domain/MeetingRecord.js';
import { dayRange, siteStatistics, statisticsCsv } from '../../src/stats/SiteStatistics.js';
import { A, DIRECTORY, DN, HN, HOST, HP, TestMeeting } from '../domain/harness.js';

const MIN = 60_000;
/** 2025-07-01 08:00 in Vietnam (UTC+7). */
const T0 = Date.UTC(2025, 6, 1, 1, 0, 0);

/** A meeting that went live at `liveAt` and ended an hour later, with the given sites invited. */
function meeting(id: string, liveAt: number, invited: SiteId[]): MeetingRecord {
  const rec = createMeetingRecord({
    id: id as MeetingId,
    title: `Giao ban ${id}`,
    scheduledAt: liveAt,
    hostSite: DIRECTORY[HOST] as DirectorySite,
    chairName: 'Đồng chí Chủ trì',
    floorSeconds: 180,
    maxConnections: 100,
    invitedSites: invited.map((s) => DIRECTORY[s] as DirectorySite),
  });
  return {
    ...rec,
    meeting: {
      ...rec.meeting,
      status: 'ended',
      techCheckAt: liveAt - 10 * MIN,
      liveAt,
      endedAt: liveAt + 60 * MIN,
    },
  };
}

const join = (siteId: SiteId, at: number) => ({ siteId, kind: 'join' as const, at, delegates: null });
const leave = (siteId: SiteId, at: number) => ({ siteId, kind: 'leave' as const, at, delegates: null });
const turn = (siteId: SiteId, grantedAt: number, minutes: number) => ({
  siteId,
  topic: 'Báo cáo',
  agendaItemId: null,
  grantedAt,
  expiresAt: null,
  endedAt: grantedAt + minutes * MIN,
  endReason: 'yielded' as const,
  grantedBy: null,
});

describe('Quality log in the domain', () => {
  it('site:quality appends a change only when the site enters or leaves the poor state', () => {
    const m = new TestMeeting();
    m.join(A.hn);
    m.ok(SYSTEM, { type: 'site:quality', siteId: HN, poor: true }); // no media yet: nothing
    expect(m.record.quality).toEqual([]);
    m.ok(SYSTEM, { type: 'site:mediaFlowing', siteId: HN, flowing: true });
    const start = m.now;
    m.ok(SYSTEM, { type: 'site:quality', siteId: HN, poor: true });
    m.tick(MIN).ok(SYSTEM, { type: 'site:quality', siteId: HN, poor: true }); // already poor
    m.tick(MIN).ok(SYSTEM, { type: 'site:quality', siteId: HN, poor: false });
    m.tick(MIN).ok(SYSTEM, { type: 'site:quality', siteId: HN, poor: true });
    m.tick(MIN).ok(SYSTEM, { type: 'site:mediaFlowing', siteId: HN, flowing: false }); // poor ends with media
    expect(m.record.quality).toEqual([
      { siteId: HN, poor: true, at: start },
      { siteId: HN, poor: false, at: start + 2 * MIN },
      { siteId: HN, poor: true, at: start + 3 * MIN },
      { siteId: HN, poor: false, at: start + 4 * MIN },
    ]);
  });
});

describe('Statistics across meetings', () => {
  const live1 = T0;
  const live2 = T0 + 7 * 86_400_000;

  function twoMeetings(): MeetingRecord[] {
    const a = meeting('m1', live1, [HN, HP]);
    a.attendance = [
      join(HOST, live1 - 5 * MIN),
      join(HN, live1 - MIN),
      join(HP, live1 + 4 * MIN),
      leave(HP, live1 + 34 * MIN),
    ];
    a.queue = {
      ...a.queue,
      history: [turn(HN, live1 + 10 * MIN, 3), turn(HN, live1 + 20 * MIN, 2), turn(HP, live1 + 30 * MIN, 1)],
    };
    a.quality = [
      { siteId: HP, poor: true, at: live1 + 10 * MIN },
      { siteId: HP, poor: false, at: live1 + 13 * MIN },
      // Poor until the site left (no recovery recorded).
      { siteId: HP, poor: true, at: live1 + 31 * MIN },
    ];
    const b = meeting('m2', live2, [HN, HP, DN]);
    b.attendance = [join(HOST, live2 - 5 * MIN), join(HN, live2 + 6 * MIN), join(DN, live2)];
    b.queue = { ...b.queue, history: [turn(DN, live2 + 5 * MIN, 4)] };
    return [b, a];
  }

  it('counts invitations, attendance, lateness, turns, speaking time and poor episodes per site', () => {
    const range = dayRange('2025-07-01', '2025-07-31');
    if (!range) throw new Error('range');
    const stats = siteStatistics(
      twoMeetings(),
      { from: '2025-07-01', to: '2025-07-31', ...range },
      live2 + 86_400_000,
    );
    expect(stats.meetings.map((m) => m.id)).toEqual(['m1', 'm2']);
    const byId = Object.fromEntries(stats.sites.map((s) => [s.siteId, s]));
    expect(byId[HN]).toMatchObject({
      invited: 2,
      attended: 2,
      attendanceRate: 1,
      lateCount: 1,
      averageLateMinutes: 6,
      turns: 2,
      speakingSeconds: 300,
      poorEpisodes: 0,
      poorShare: 0,
    });
    expect(
      byId[HN]?.timeline.map((p) => [p.meetingId, p.attended, p.lateMinutes, p.connectedSeconds]),
    ).toEqual([
      ['m1', true, null, 61 * 60],
      ['m2', true, 6, 54 * 60],
    ]);
    expect(byId[HP]).toMatchObject({
      invited: 2,
      attended: 1,
      attendanceRate: 0.5,
      lateCount: 1,
      averageLateMinutes: 4,
      turns: 1,
      speakingSeconds: 60,
      connectedSeconds: 30 * 60,
      poorEpisodes: 2,
    });
    // 3 min + 3 min (31 → left at 34) of 30 connected minutes.
    expect(byId[HP]?.timeline[0]?.poorSeconds).toBe(6 * 60);
    expect(byId[HP]?.poorShare).toBeCloseTo(0.2, 5);
    expect(byId[DN]).toMatchObject({
      invited: 1,
      attended: 1,
      lateCount: 0,
      averageLateMinutes: null,
      turns: 1,
    });
    expect(byId[HOST]).toMatchObject({ invited: 2, attended: 2 });
  });

  it('leaves out meetings outside the range (Vietnam days) and meetings that never took place', () => {
    const [b, a] = twoMeetings();
    if (!a || !b) throw new Error('fixture');
    const planned = meeting('m3', live1 + 60 * MIN, [HN]);
    planned.meeting = {
      ...planned.meeting,
      status: 'scheduled',
      techCheckAt: null,
      liveAt: null,
      endedAt: null,
    };
    // 2025-07-01 08:00 in Vietnam is still 2025-07-01 01:00 UTC; the range of 2025-07-02 excludes it.
    const r = dayRange('2025-07-01', '2025-07-01');
    if (!r) throw new Error('range');
    const only1 = siteStatistics([a, b, planned], { from: '2025-07-01', to: '2025-07-01', ...r }, live2);
    expect(only1.meetings.map((m) => m.id)).toEqual(['m1']);
    expect(only1.sites.find((s) => s.siteId === HN)?.invited).toBe(1);
    const r2 = dayRange('2025-07-02', '2025-07-07');
    if (!r2) throw new Error('range');
    expect(siteStatistics([a, b], { from: '2025-07-02', to: '2025-07-07', ...r2 }, live2).meetings).toEqual(
      [],
    );
  });

  it('refuses impossible dates', () => {
    expect(dayRange('2025-02-30', '2025-03-01')).toBeNull();
    expect(dayRange('2025-7-1', '2025-07-02')).toBeNull();
  });

  it('writes CSV with a BOM, Vietnamese headers and site names, quoting where needed', () => {
    const range = dayRange('2025-07-01', '2025-07-31');
    if (!range) throw new Error('range');
    const stats = siteStatistics(twoMeetings(), { from: '2025-07-01', to: '2025-07-31', ...range }, live2);
    const csv = statisticsCsv(stats);
    expect(csv.startsWith('\uFEFFMã điểm cầu,Điểm cầu,Số cuộc họp được mời,')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + stats.sites.length);
    expect(lines).toContain('hai-phong,Thành phố Hải Phòng,2,1,50,1,4,1,60,1800,2,20');
    const tricky = siteStatistics(twoMeetings(), { from: '2025-07-01', to: '2025-07-31', ...range }, live2);
    const first = tricky.sites[0];
    if (!first) throw new Error('row');
    first.name = '=Tỉnh "A", B';
    expect(statisticsCsv(tricky)).toContain(`,"'=Tỉnh ""A"", B",`);
  });
});
