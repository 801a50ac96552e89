import type { SiteId, SiteMeetingPoint, SiteStatisticsResponse, SiteStatisticsRow } from '@giaoban/shared';
import { presenceSpans } from '../domain/Attendance.js';
import type { MeetingRecord } from '../domain/MeetingRecord.js';
import { turnDurationMs } from '../domain/SpeakingQueue.js';

/** Vietnam has no daylight saving: a day of the range is [00:00, 24:00) at UTC+7. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/** The instant a `YYYY-MM-DD` day starts in Vietnam time, or null for an impossible date. */
export function dayStart(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return utc - VIETNAM_OFFSET_MS;
}

/** The half-open range of instants covering the days `from`..`to` inclusive. */
export function dayRange(from: string, to: string): { start: number; end: number } | null {
  const start = dayStart(from);
  const last = dayStart(to);
  if (start === null || last === null) return null;
  return { start, end: last + DAY_MS };
}

/** A meeting counts once it took place: opened for the technical check, went live or ended. */
export function tookPlace(rec: MeetingRecord): boolean {
  return rec.meeting.status !== 'scheduled';
}

/** One site in one meeting (the meeting's open spans end at its end, or `now` while it runs). */
export function siteInMeeting(rec: MeetingRecord, siteId: SiteId, now: number): SiteMeetingPoint {
  const until = rec.meeting.endedAt ?? now;
  const spans = presenceSpans(rec.attendance, siteId);
  const firstJoin = spans[0]?.joinedAt ?? null;
  const liveAt = rec.meeting.liveAt;
  const lateMinutes =
    firstJoin !== null && liveAt !== null && firstJoin > liveAt ? (firstJoin - liveAt) / 60_000 : null;
  const connectedMs = spans.reduce((sum, s) => sum + Math.max(0, (s.leftAt ?? until) - s.joinedAt), 0);
  const turns = [...rec.queue.history, ...(rec.queue.floor ? [rec.queue.floor] : [])].filter(
    (t) => t.siteId === siteId,
  );
  const speakingMs = turns.reduce((sum, t) => sum + Math.max(0, turnDurationMs(t, until)), 0);
  const poor = poorEpisodes(rec, siteId, until);
  return {
    meetingId: rec.meeting.id,
    title: rec.meeting.title,
    scheduledAt: rec.meeting.scheduledAt,
    attended: firstJoin !== null,
    lateMinutes: lateMinutes === null ? null : Math.round(lateMinutes * 10) / 10,
    connectedSeconds: Math.round(connectedMs / 1000),
    turns: turns.length,
    speakingSeconds: Math.round(speakingMs / 1000),
    poorEpisodes: poor.length,
    poorSeconds: Math.round(poor.reduce((sum, p) => sum + (p.end - p.start), 0) / 1000),
  };
}

/**
 * Stretches a site's link was poor: from a `poor` change to the next recovery, the site leaving,
 * or the meeting's end (whichever comes first).
 */
export function poorEpisodes(
  rec: MeetingRecord,
  siteId: SiteId,
  until: number,
): { start: number; end: number }[] {
  const leaves = rec.attendance.filter((e) => e.siteId === siteId && e.kind === 'leave').map((e) => e.at);
  const episodes: { start: number; end: number }[] = [];
  let open: number | null = null;
  const close = (at: number) => {
    if (open === null) return;
    const leave = leaves.find((l) => l >= (open as number) && l < at);
    const end = Math.min(at, leave ?? at, until);
    episodes.push({ start: open, end: Math.max(open, end) });
    open = null;
  };
  for (const e of rec.quality) {
    if (e.siteId !== siteId) continue;
    if (e.poor && open === null) open = e.at;
    else if (!e.poor) close(e.at);
    else {
      // A second `poor` while one is open: open again if the site left in between.
      const leave = leaves.find((l) => l >= (open as number) && l < e.at);
      if (leave !== undefined) {
        close(e.at);
        open = e.at;
      }
    }
  }
  close(until);
  return episodes;
}

/**
 * Per-site statistics across the meetings that took place with `scheduledAt` in [start, end):
 * invited and attended meetings, lateness against going live, speaking turns and time, and poor
 * link episodes. Sites are those invited to any of these meetings, by name.
 */
export function siteStatistics(
  records: readonly MeetingRecord[],
  range: { from: string; to: string; start: number; end: number },
  now: number,
): SiteStatisticsResponse {
  const meetings = records
    .filter((r) => tookPlace(r) && r.meeting.scheduledAt >= range.start && r.meeting.scheduledAt < range.end)
    .sort((a, b) => a.meeting.scheduledAt - b.meeting.scheduledAt);
  const rows = new Map<SiteId, SiteStatisticsRow>();
  for (const rec of meetings) {
    for (const site of rec.sites) {
      let row = rows.get(site.id);
      if (!row) {
        row = {
          siteId: site.id,
          name: site.name,
          invited: 0,
          attended: 0,
          attendanceRate: 0,
          lateCount: 0,
          averageLateMinutes: null,
          turns: 0,
          speakingSeconds: 0,
          connectedSeconds: 0,
          poorEpisodes: 0,
          poorShare: 0,
          timeline: [],
        };
        rows.set(site.id, row);
      }
      const point = siteInMeeting(rec, site.id, now);
      row.timeline.push(point);
    }
  }
  for (const row of rows.values()) {
    const t = row.timeline;
    const late = t.filter((p) => p.lateMinutes !== null).map((p) => p.lateMinutes as number);
    const poorSeconds = t.reduce((s, p) => s + p.poorSeconds, 0);
    row.invited = t.length;
    row.attended = t.filter((p) => p.attended).length;
    row.attendanceRate = row.invited === 0 ? 0 : row.attended / row.invited;
    row.lateCount = late.length;
    row.averageLateMinutes =
      late.length === 0 ? null : Math.round((late.reduce((s, m) => s + m, 0) / late.length) * 10) / 10;
    row.turns = t.reduce((s, p) => s + p.turns, 0);
    row.speakingSeconds = t.reduce((s, p) => s + p.speakingSeconds, 0);
    row.connectedSeconds = t.reduce((s, p) => s + p.connectedSeconds, 0);
    row.poorEpisodes = t.reduce((s, p) => s + p.poorEpisodes, 0);
    row.poorShare = row.connectedSeconds === 0 ? 0 : Math.min(1, poorSeconds / row.connectedSeconds);
  }
  return {
    from: range.from,
    to: range.to,
    meetings: meetings.map((r) => ({
      id: r.meeting.id,
      title: r.meeting.title,
      scheduledAt: r.meeting.scheduledAt,
      status: r.meeting.status,
    })),
    sites: [...rows.values()].sort((a, b) => a.name.localeCompare(b.name, 'vi')),
  };
}

const CSV_HEADERS = [
  'Mã điểm cầu',
  'Điểm cầu',
  'Số cuộc họp được mời',
  'Số cuộc họp tham dự',
  'Tỷ lệ tham dự (%)',
  'Số lần đến muộn',
  'Thời gian muộn trung bình (phút)',
  'Số lượt phát biểu',
  'Thời gian phát biểu (giây)',
  'Thời gian kết nối (giây)',
  'Số lần kết nối kém',
  'Tỷ lệ thời gian kết nối kém (%)',
];

function cell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  // Formula injection: a cell starting with = + - @ is text to a spreadsheet, not a formula.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof value === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The statistics as CSV for Excel: UTF-8 with a BOM, Vietnamese headers, CRLF lines. */
export function statisticsCsv(stats: SiteStatisticsResponse): string {
  const pct = (x: number) => Math.round(x * 1000) / 10;
  const lines = [CSV_HEADERS.map(cell).join(',')];
  for (const r of stats.sites) {
    lines.push(
      [
        r.siteId,
        r.name,
        r.invited,
        r.attended,
        pct(r.attendanceRate),
        r.lateCount,
        r.averageLateMinutes,
        r.turns,
        r.speakingSeconds,
        r.connectedSeconds,
        r.poorEpisodes,
        pct(r.poorShare),
      ]
        .map(cell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
