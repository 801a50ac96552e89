import type { AuditEntry, ChatMessage } from '@giaoban/shared';
import type { MeetingRecord } from '../../domain/MeetingRecord.js';
import { type AttendanceModel, END_REASON_VI, formatDateTime, formatMinutes } from './reportModel.js';

/** One RFC 4180 field: quoted when it holds a separator, a quote or a line break; formulas defused. */
function field(value: string | number): string {
  let text = String(value);
  // A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection).
  if (/^[=+\-@]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (cells: (string | number)[]): string => cells.map(field).join(',');

/**
 * The attendance report as CSV (UTF-8 with BOM so spreadsheet programs read Vietnamese right):
 * three tables one after the other — sites, speaking turns, agenda timing — then the totals.
 * Durations are in seconds and minutes as plain numbers, for sums in a spreadsheet.
 */
export function renderAttendanceCsv(m: AttendanceModel): string {
  const rows: string[] = [];
  rows.push(line(['Báo cáo điểm danh', m.meetingTitle, m.draft ? 'DỰ THẢO' : '']));
  rows.push('');
  rows.push(
    line([
      'STT',
      'Điểm cầu',
      'Chủ trì',
      'Tham dự',
      'Đại biểu',
      'Vào lúc',
      'Rời lúc',
      'Số lần vào',
      'Kết nối (phút)',
      'Lượt phát biểu',
      'Thời lượng phát biểu (giây)',
    ]),
  );
  for (const [i, s] of m.sites.entries()) {
    rows.push(
      line([
        i + 1,
        s.name,
        s.isHost ? 'Có' : '',
        s.joined ? 'Có' : 'Không',
        s.declaredDelegates,
        s.firstJoinedAt ? formatDateTime(s.firstJoinedAt) : '',
        s.lastLeftAt ? formatDateTime(s.lastLeftAt) : '',
        s.presence.length,
        s.joined ? (Math.round(s.connectedMs / 6000) / 10).toFixed(1) : '',
        s.turns.length,
        Math.round(s.turnsMs / 1000),
      ]),
    );
  }
  rows.push('');
  rows.push(line(['STT', 'Điểm cầu phát biểu', 'Nội dung', 'Bắt đầu', 'Thời lượng (giây)', 'Kết thúc']));
  for (const [i, t] of m.turns.entries()) {
    rows.push(
      line([
        i + 1,
        t.site,
        t.topic,
        formatDateTime(t.grantedAt),
        Math.round(t.durationMs / 1000),
        t.endReason ? (END_REASON_VI[t.endReason] ?? t.endReason) : 'Đang phát biểu',
      ]),
    );
  }
  rows.push('');
  rows.push(line(['STT', 'Nội dung chương trình', 'Dự kiến (phút)', 'Thực tế (phút)', 'Chênh lệch (phút)']));
  for (const [i, a] of m.agenda.entries()) {
    rows.push(
      line([
        i + 1,
        a.title,
        a.plannedMinutes,
        a.actualMinutes === null ? '' : a.actualMinutes.toFixed(1),
        a.overrunMinutes === null ? '' : a.overrunMinutes.toFixed(1),
      ]),
    );
  }
  rows.push('');
  const t = m.totals;
  rows.push(line(['Tổng cộng', 'Điểm cầu được mời', t.invitedSites]));
  rows.push(line(['Tổng cộng', 'Điểm cầu tham dự', t.joinedSites]));
  rows.push(line(['Tổng cộng', 'Đại biểu', t.delegates]));
  rows.push(line(['Tổng cộng', 'Lượt phát biểu', t.turns]));
  rows.push(line(['Tổng cộng', 'Thời lượng phát biểu (giây)', Math.round(t.turnsMs / 1000)]));
  rows.push(line(['Tổng cộng', 'Dự kiến (phút)', t.plannedMinutes]));
  rows.push(line(['Tổng cộng', 'Thực tế (phút)', formatMinutes(t.actualMinutes).replace(',', '.')]));
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}

/** The chat of a meeting as CSV (UTF-8 with BOM): meeting-wide and private threads, deletions shown. */
export function renderChatCsv(record: MeetingRecord, messages: readonly ChatMessage[]): string {
  const siteName = (id: string | null) =>
    id === null ? '' : (record.sites.find((s) => s.id === id)?.name ?? id);
  const rows = [line(['Thời gian', 'Kênh', 'Người gửi', 'Vai trò', 'Điểm cầu', 'Nội dung', 'Đã xóa bởi'])];
  for (const m of messages) {
    rows.push(
      line([
        formatDateTime(m.at),
        m.thread === null ? 'Toàn hội nghị' : `Riêng: ${siteName(m.thread)}`,
        m.authorName,
        m.authorRole,
        siteName(m.authorSiteId),
        m.deletedAt === null ? m.text : '(đã xóa)',
        m.deletedBy ?? '',
      ]),
    );
  }
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}

/** The audit log as CSV (UTF-8 with BOM): who, when, what, oldest first. */
export function renderAuditCsv(entries: readonly AuditEntry[]): string {
  const rows = [line(['Thời gian', 'Người thực hiện', 'Vai trò', 'Thao tác', 'Đối tượng', 'Chi tiết'])];
  for (const e of entries) {
    rows.push(line([formatDateTime(e.at), e.actorName, e.actorRole, e.action, e.target ?? '', e.detail]));
  }
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}
