/**
 * What the minutes (biên bản) of a meeting say, as plain data: time and place, chair, secretaries,
 * attendees (sites and declared delegates), the sequence of the meeting per agenda item with the
 * speaking turns and the secretaries' minutes, vote results, the conclusions and the signatures.
 * Built from the meeting record (agenda, floor log, attendance) and the workspace document; pure,
 * so the DOCX renderer only lays it out. Vietnamese, as the document is issued in Vietnamese.
 */
import type { ConclusionView, PetitionView } from '@giaoban/shared';
import { attendanceReport } from '../../domain/index.js';
import type { MeetingRecord } from '../../domain/MeetingRecord.js';
import type { WorkspaceContent } from '../WorkspaceService.js';
import {
  END_REASON_VI,
  formatClock,
  formatCount,
  formatDate,
  formatDuration,
  placeAndDate,
} from './reportModel.js';
import { type VoteResult, voteResults } from './voteResults.js';

const DEFAULT_ISSUER = 'BAN TỔ CHỨC HỘI NGHỊ';
const NOT_CONFIRMED = '(chưa được chủ trì xác nhận)';
/** Turns granted before the first agenda item was opened (or with no item). */
const OUTSIDE_AGENDA = 'Ngoài chương trình';

export type { VoteResult } from './voteResults.js';

/** One speaking turn as the minutes list it. */
export interface MinutesTurn {
  /** "14:05". */
  at: string;
  site: string;
  topic: string;
  duration: string;
  /** Why it ended, in Vietnamese; null while the site still speaks. */
  ended: string | null;
}

/** One agenda item's part of the sequence of the meeting. */
export interface MinutesItem {
  number: number;
  title: string;
  presenter: string;
  /** "14:05 – 14:32", "14:05 – (đang diễn ra)", or null when the item was never opened. */
  time: string | null;
  /** The secretaries' minutes typed for this item, one entry per paragraph. */
  paragraphs: string[];
  turns: MinutesTurn[];
  petitions: { site: string; petition: string; answer: string; answeredBy: string }[];
}

/** One line of the attendees table. */
export interface MinutesSite {
  name: string;
  isHost: boolean;
  delegates: number;
  /** "14:01". */
  joinedAt: string;
  /** "15:40", or "đến cuối" when still connected at the end. */
  leftAt: string;
}

/** The minutes (biên bản hội nghị). */
export interface MinutesModel {
  draft: boolean;
  issuer: string;
  number: string;
  placeAndDate: string;
  title: string;
  meetingTitle: string;
  /** Section I: time and place. */
  time: string;
  place: string;
  /** Section II: who took part. */
  chair: string;
  secretaries: string[];
  attendanceSummary: string;
  sites: MinutesSite[];
  absentSites: string[];
  /** Section III: the sequence of the meeting. */
  items: MinutesItem[];
  /** Section IV: votes (empty: the meeting held none). */
  votes: VoteResult[];
  /** Section V: the conclusions, per agenda item. */
  conclusions: {
    number: number;
    title: string;
    lines: { number: string; text: string; note: string | null }[];
  }[];
  /** The closing sentence: when the meeting ended (or that it has not). */
  closing: string;
  signatures: { title: string; name: string }[];
}

/** "14 giờ 05 phút, ngày 13/01/2022" — how minutes state a time. */
export function longTime(at: number): string {
  const [hour, minute] = formatClock(at).split(':');
  return `${hour} giờ ${minute} phút, ngày ${formatDate(at)}`;
}

/** Splits typed minutes into paragraphs (blank lines and single line breaks both separate them). */
export function paragraphsOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * Builds the minutes. Before the meeting ends it is a draft (DỰ THẢO) listing every conclusion and
 * marking those not yet confirmed; after, it is final and lists the confirmed conclusions only,
 * as the conclusion notice does. `secretaries` are the names on the meeting's secretary links.
 */
export function minutesModel(
  record: MeetingRecord,
  content: WorkspaceContent,
  secretaries: readonly string[],
  now: number,
): MinutesModel {
  const { meeting } = record;
  const draft = meeting.status !== 'ended';
  const end = meeting.endedAt ?? now;
  const host = record.sites.find((s) => s.id === meeting.hostSiteId);
  const place = content.notice.place.trim() || host?.region || 'Hà Nội';
  const names = new Map(record.sites.map((s) => [s.id as string, s.name]));

  // Attendees: every site that joined at least once, with its delegates and its first/last times.
  const report = attendanceReport(record.sites, record.attendance, record.queue, end);
  const joined = report.filter((r) => r.presence.length > 0);
  const sites: MinutesSite[] = joined.map((r) => {
    const last = r.presence[r.presence.length - 1];
    return {
      name: r.name,
      isHost: r.isHost,
      delegates: r.declaredDelegates,
      joinedAt: formatClock(r.presence[0]?.joinedAt ?? end),
      leftAt: last?.leftAt ? formatClock(last.leftAt) : 'đến cuối',
    };
  });
  const delegates = sites.reduce((sum, s) => sum + s.delegates, 0);

  // The floor log, per agenda item, in the order granted.
  const allTurns = [...record.queue.history, ...(record.queue.floor ? [record.queue.floor] : [])].sort(
    (a, b) => a.grantedAt - b.grantedAt,
  );
  const turnsOf = (itemId: string | null): MinutesTurn[] =>
    allTurns
      .filter((t) =>
        itemId === null
          ? t.agendaItemId === null || !record.agenda.items.some((i) => i.id === t.agendaItemId)
          : t.agendaItemId === itemId,
      )
      .map((t) => ({
        at: formatClock(t.grantedAt),
        site: names.get(t.siteId) ?? t.siteId,
        topic: t.topic.trim(),
        duration: formatDuration((t.endedAt ?? end) - t.grantedAt),
        ended: t.endReason ? (END_REASON_VI[t.endReason] ?? t.endReason) : null,
      }));
  const petitionsOf = (itemId: string | null) =>
    content.petitions
      .filter((p: PetitionView) => p.agendaItemId === itemId && (p.petition.trim() || p.answer.trim()))
      .map((p) => ({
        site: p.site.trim(),
        petition: p.petition.trim(),
        answer: p.answer.trim(),
        answeredBy: p.answeredBy.trim(),
      }));

  const items: MinutesItem[] = record.agenda.items.map((item, index) => ({
    number: index + 1,
    title: item.title,
    presenter: item.presenter.trim(),
    time:
      item.startedAt === null
        ? null
        : `${formatClock(item.startedAt)} – ${item.endedAt !== null ? formatClock(item.endedAt) : draft ? '(đang diễn ra)' : formatClock(end)}`,
    paragraphs: paragraphsOf(content.minutes[item.id] ?? ''),
    turns: turnsOf(item.id),
    petitions: petitionsOf(item.id),
  }));
  const outside = turnsOf(null);
  const outsidePetitions = content.petitions.some((p) => p.agendaItemId === null) ? petitionsOf(null) : [];
  if (outside.length > 0 || outsidePetitions.length > 0) {
    items.push({
      number: items.length + 1,
      title: OUTSIDE_AGENDA,
      presenter: '',
      time: null,
      paragraphs: [],
      turns: outside,
      petitions: outsidePetitions,
    });
  }

  const byItem = new Map<string, ConclusionView[]>();
  for (const c of content.conclusions) {
    if ((!draft && !c.confirmed) || !c.text.trim()) continue;
    byItem.set(c.agendaItemId, [...(byItem.get(c.agendaItemId) ?? []), c]);
  }
  const conclusions: MinutesModel['conclusions'] = [];
  record.agenda.items.forEach((item, index) => {
    const list = byItem.get(item.id);
    if (!list?.length) return;
    conclusions.push({
      number: index + 1,
      title: item.title,
      lines: list.map((c, k) => ({
        number: `${index + 1}.${k + 1}`,
        text: c.text.trim(),
        note: c.confirmed ? null : NOT_CONFIRMED,
      })),
    });
  });

  const start = meeting.liveAt ?? meeting.techCheckAt ?? meeting.scheduledAt;
  const chair = meeting.chairName.trim();
  const secretaryNames = [...new Set(secretaries.map((s) => s.trim()).filter(Boolean))];
  return {
    draft,
    issuer: (content.notice.issuer.trim() || DEFAULT_ISSUER).toUpperCase(),
    number: 'Số:        /BB',
    placeAndDate: placeAndDate(place, end),
    title: 'BIÊN BẢN',
    meetingTitle: meeting.title,
    time:
      meeting.liveAt === null
        ? `Dự kiến bắt đầu lúc ${longTime(meeting.scheduledAt)}; hội nghị chưa khai mạc.`
        : `Bắt đầu lúc ${longTime(start)}` +
          (meeting.endedAt !== null
            ? `; kết thúc lúc ${longTime(meeting.endedAt)}.`
            : '; hội nghị đang diễn ra.'),
    place:
      `Hội nghị trực tuyến; điểm cầu chính${host ? ` tại ${host.name}` : ''}, ` +
      `kết nối tới ${formatCount(record.sites.length - (host ? 1 : 0))} điểm cầu được mời.`,
    chair: chair || '(chưa ghi tên chủ trì)',
    secretaries: secretaryNames,
    attendanceSummary:
      `Có ${formatCount(sites.length)}/${formatCount(record.sites.length)} điểm cầu tham dự ` +
      `với tổng số ${formatCount(delegates)} đại biểu (theo số đại biểu các điểm cầu khai báo).`,
    sites,
    absentSites: report.filter((r) => r.presence.length === 0).map((r) => r.name),
    items,
    votes: voteResults(record),
    conclusions,
    closing: draft
      ? 'Hội nghị chưa kết thúc; biên bản này là dự thảo, được hoàn thiện sau khi hội nghị kết thúc.'
      : `Hội nghị kết thúc lúc ${longTime(end)}. Biên bản được lập xong cùng ngày.`,
    signatures: [
      { title: 'THƯ KÝ', name: secretaryNames.join(', ') },
      { title: 'CHỦ TRÌ', name: chair },
    ],
  };
}
