/**
 * What the exported documents say, as plain data built from the meeting record and the workspace
 * (pure: the renderers only lay it out). Vietnamese, as the documents are issued in Vietnamese.
 */
import type { ConclusionView } from '@giaoban/shared';
import { agendaTiming, attendanceReport, type SiteAttendance } from '../../domain/index.js';
import type { MeetingRecord } from '../../domain/MeetingRecord.js';
import type { WorkspaceContent } from '../WorkspaceService.js';
import { type VoteResult, voteResults } from './voteResults.js';

/** Dates in the documents are Vietnam's local time, whatever the server's zone. */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const DEFAULT_ISSUER = 'BAN TỔ CHỨC HỘI NGHỊ';
const DEFAULT_RECIPIENTS = ['Các điểm cầu tham dự hội nghị', 'Lưu VT'];
const NOT_CONFIRMED = '(chưa được chủ trì xác nhận)';

function parts(at: number): { day: string; month: string; year: string; hour: string; minute: string } {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return {
    day: p.day ?? '',
    month: p.month ?? '',
    year: p.year ?? '',
    hour: p.hour ?? '',
    minute: p.minute ?? '',
  };
}

/** "13/01/2022". */
export function formatDate(at: number): string {
  const p = parts(at);
  return `${p.day}/${p.month}/${p.year}`;
}

/** "14:05 13/01/2022". */
export function formatDateTime(at: number): string {
  const p = parts(at);
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}

/** "14:05". */
export function formatClock(at: number): string {
  const p = parts(at);
  return `${p.hour}:${p.minute}`;
}

/** "Hà Nội, ngày 13 tháng 01 năm 2022" — the place-and-date line of an administrative document. */
export function placeAndDate(place: string, at: number): string {
  const p = parts(at);
  return `${place}, ngày ${p.day} tháng ${p.month} năm ${p.year}`;
}

/** "12:34" (minutes:seconds) of a duration; hours shown when over one. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** A vote's result: "Tán thành 2/3 điểm cầu; Không tán thành 1/3 điểm cầu; …" */
export function voteSummary(v: VoteResult): string {
  return v.options
    .map((o) => `${o.label} ${formatCount(o.count)}/${formatCount(v.eligible)} ${v.unit}`)
    .join('; ');
}

/** One sentence per vote for the conclusion notice. */
export function voteSentence(v: VoteResult, index: number): string {
  return (
    `${index + 1}. Biểu quyết${v.secret ? ' kín' : ''} về "${v.question}": ${voteSummary(v)} ` +
    `(${formatCount(v.voted)}/${formatCount(v.eligibleSites)} điểm cầu biểu quyết).`
  );
}

/** Vietnamese number format: 1.214 */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** Minutes with one decimal, Vietnamese decimal comma: 15,5 */
export function formatMinutes(n: number | null): string {
  if (n === null) return '—';
  return (Math.round(n * 10) / 10).toString().replace('.', ',');
}

/** One agenda item's section of the notice. */
export interface NoticeSection {
  number: number;
  title: string;
  conclusions: { number: string; text: string; note: string | null }[];
}

/** The conclusion notice (thông báo kết luận). */
export interface NoticeModel {
  draft: boolean;
  issuer: string;
  number: string;
  placeAndDate: string;
  title: string;
  subtitle: string;
  meetingTitle: string;
  /** The opening paragraph: when, who chaired, how many joined. */
  opening: string;
  participants: string;
  lead: string;
  sections: NoticeSection[];
  /** One sentence per closed vote (biểu quyết), in the order held; empty when none. */
  votes: string[];
  closing: string;
  recipients: string[];
  signatureTitle: string;
  signatureName: string;
}

/** The meeting's time: when it went live (else when scheduled). */
const meetingTime = (record: MeetingRecord): number => record.meeting.liveAt ?? record.meeting.scheduledAt;

/** Sites that joined at least once, with the delegates they declared. */
function joinedSites(record: MeetingRecord): { name: string; delegates: number }[] {
  const joined = new Set(record.attendance.filter((e) => e.kind === 'join').map((e) => e.siteId as string));
  return record.sites
    .filter((s) => joined.has(s.id) || s.firstJoinedAt !== null)
    .map((s) => ({ name: s.name, delegates: s.declaredDelegates }));
}

/**
 * Builds the notice. A final notice (the meeting has ended) lists the conclusions the chair
 * confirmed; a draft (DỰ THẢO) lists every conclusion and marks those not yet confirmed.
 */
export function noticeModel(record: MeetingRecord, content: WorkspaceContent, now: number): NoticeModel {
  const draft = record.meeting.status !== 'ended';
  const host = record.sites.find((s) => s.id === record.meeting.hostSiteId);
  const issuer = content.notice.issuer.trim() || DEFAULT_ISSUER;
  const place = content.notice.place.trim() || host?.region || 'Hà Nội';
  const joined = joinedSites(record);
  const delegates = joined.reduce((sum, s) => sum + s.delegates, 0);
  const chair = record.meeting.chairName.trim() || 'đồng chí chủ trì';
  const byItem = new Map<string, ConclusionView[]>();
  for (const c of content.conclusions) {
    if (!draft && !c.confirmed) continue;
    if (!c.text.trim()) continue;
    byItem.set(c.agendaItemId, [...(byItem.get(c.agendaItemId) ?? []), c]);
  }
  const sections: NoticeSection[] = [];
  record.agenda.items.forEach((item, index) => {
    const list = byItem.get(item.id);
    if (!list?.length) return;
    sections.push({
      number: index + 1,
      title: item.title,
      conclusions: list.map((c, k) => ({
        number: `${index + 1}.${k + 1}`,
        text: c.text.trim(),
        note: c.confirmed ? null : NOT_CONFIRMED,
      })),
    });
  });
  const recipients = content.notice.recipients
    .split('\n')
    .map((r) => r.replace(/^[-–\s]+/, '').replace(/[;.,\s]+$/, ''))
    .filter(Boolean);
  return {
    draft,
    issuer: issuer.toUpperCase(),
    number: `Số: ${content.notice.number.trim() || '        -TB'}`,
    placeAndDate: placeAndDate(place, record.meeting.endedAt ?? now),
    title: 'THÔNG BÁO',
    subtitle: `Kết luận của ${chair} tại ${record.meeting.title}`,
    meetingTitle: record.meeting.title,
    opening:
      `Ngày ${formatDate(meetingTime(record))}, ${record.meeting.title} được tổ chức theo hình thức trực tuyến` +
      `${host ? ` tại ${host.name}` : ''}, do ${chair} chủ trì. Dự hội nghị có ${formatCount(joined.length)}/` +
      `${formatCount(record.sites.length)} điểm cầu với ${formatCount(delegates)} đại biểu.`,
    participants: `Các điểm cầu tham dự: ${
      joined.length
        ? joined.map((s) => `${s.name} (${formatCount(s.delegates)} đại biểu)`).join('; ')
        : 'chưa có'
    }.`,
    lead: `Sau khi nghe báo cáo và ý kiến phát biểu của các đại biểu, ${chair} kết luận như sau:`,
    sections,
    votes: voteResults(record).map(voteSentence),
    closing: `${content.notice.issuer.trim() || 'Ban Tổ chức hội nghị'} thông báo để các cơ quan, đơn vị, địa phương biết, thực hiện./.`,
    recipients: recipients.length ? recipients : DEFAULT_RECIPIENTS,
    signatureTitle: 'CHỦ TRÌ HỘI NGHỊ',
    signatureName: record.meeting.chairName,
  };
}

/** One site line of the attendance report. */
export interface AttendanceRow extends SiteAttendance {
  joined: boolean;
  firstJoinedAt: number | null;
  lastLeftAt: number | null;
  turnsMs: number;
}

/** The attendance report (báo cáo điểm danh). */
export interface AttendanceModel {
  draft: boolean;
  meetingTitle: string;
  chairName: string;
  time: string;
  sites: AttendanceRow[];
  turns: { site: string; topic: string; grantedAt: number; durationMs: number; endReason: string | null }[];
  agenda: {
    title: string;
    plannedMinutes: number;
    actualMinutes: number | null;
    overrunMinutes: number | null;
  }[];
  totals: {
    invitedSites: number;
    joinedSites: number;
    delegates: number;
    turns: number;
    turnsMs: number;
    plannedMinutes: number;
    actualMinutes: number;
  };
}

/** Why a turn ended, in Vietnamese. */
export const END_REASON_VI: Record<string, string> = {
  revoked: 'Điều hành thu hồi',
  expired: 'Hết thời gian',
  yielded: 'Tự kết thúc',
  left: 'Rời hội nghị',
  meetingEnded: 'Hội nghị kết thúc',
  replaced: 'Chuyển lượt',
};

/** Builds the attendance report from the domain's attendanceReport and agendaTiming. */
export function attendanceModel(record: MeetingRecord, now: number): AttendanceModel {
  const at = record.meeting.endedAt ?? now;
  const report = attendanceReport(record.sites, record.attendance, record.queue, at);
  const sites: AttendanceRow[] = report.map((r) => {
    const state = record.sites.find((s) => s.id === r.siteId);
    const lastSpan = r.presence[r.presence.length - 1];
    return {
      ...r,
      joined: r.presence.length > 0,
      firstJoinedAt: r.presence[0]?.joinedAt ?? state?.firstJoinedAt ?? null,
      lastLeftAt: lastSpan ? lastSpan.leftAt : (state?.lastLeftAt ?? null),
      turnsMs: r.turns.reduce((sum, t) => sum + t.durationMs, 0),
    };
  });
  const names = new Map(record.sites.map((s) => [s.id as string, s.name]));
  const allTurns = record.queue.floor ? [...record.queue.history, record.queue.floor] : record.queue.history;
  const turns = [...allTurns]
    .sort((a, b) => a.grantedAt - b.grantedAt)
    .map((t) => ({
      site: names.get(t.siteId) ?? t.siteId,
      topic: t.topic,
      grantedAt: t.grantedAt,
      durationMs: (t.endedAt ?? at) - t.grantedAt,
      endReason: t.endReason,
    }));
  const agenda = agendaTiming(record.agenda, at).map((t) => ({
    title: t.title,
    plannedMinutes: t.plannedMinutes,
    actualMinutes: t.actualMinutes,
    overrunMinutes: t.overrunMinutes,
  }));
  const joinedRows = sites.filter((s) => s.joined);
  return {
    draft: record.meeting.status !== 'ended',
    meetingTitle: record.meeting.title,
    chairName: record.meeting.chairName,
    time: formatDateTime(meetingTime(record)),
    sites,
    turns,
    agenda,
    totals: {
      invitedSites: sites.length,
      joinedSites: joinedRows.length,
      delegates: joinedRows.reduce((sum, s) => sum + s.declaredDelegates, 0),
      turns: turns.length,
      turnsMs: turns.reduce((sum, t) => sum + t.durationMs, 0),
      plannedMinutes: agenda.reduce((sum, a) => sum + a.plannedMinutes, 0),
      actualMinutes: agenda.reduce((sum, a) => sum + (a.actualMinutes ?? 0), 0),
    },
  };
}
