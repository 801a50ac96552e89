import {
  type AuditEntry,
  type ChatMessage,
  type MeetingId,
  type ParticipantId,
  roleOfLink,
} from '@giaoban/shared';
import { AuditTrail } from '../../app/AuditTrail.js';
import { ChatService } from '../../app/ChatService.js';
import type { TokenService } from '../../auth/tokens.js';
import { slugify } from '../../directory/seed.js';
import type { Actor } from '../../domain/Actor.js';
import { DomainError, unwrap } from '../../domain/DomainError.js';
import type { MeetingRecord } from '../../domain/MeetingRecord.js';
import { authorize } from '../../domain/Permissions.js';
import type { Store } from '../../store/Store.js';
import type { WorkspaceService } from '../WorkspaceService.js';
import { renderAttendanceCsv, renderAuditCsv, renderChatCsv } from './csvRender.js';
import { renderAttendanceDocx, renderNoticeDocx } from './docxRender.js';
import { renderMinutesDocx } from './minutesDocx.js';
import { minutesModel } from './minutesModel.js';
import type { PdfConverter } from './PdfConverter.js';
import { attendanceModel, formatDate, noticeModel } from './reportModel.js';

/** The files a meeting exports. */
export const EXPORT_FILES = [
  'minutes.docx',
  'minutes.pdf',
  'notice.docx',
  'notice.pdf',
  'attendance.docx',
  'attendance.pdf',
  'attendance.csv',
  'chat.csv',
  'audit.csv',
] as const;
/** One of {@link EXPORT_FILES}. */
export type ExportFile = (typeof EXPORT_FILES)[number];

/** A produced file, ready to send. */
export interface ExportedFile {
  bytes: Buffer;
  contentType: string;
  /** Vietnamese file name (for `filename*`). */
  filename: string;
  /** ASCII fallback (for `filename`). */
  asciiFilename: string;
  draft: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
};

/** The Vietnamese name of each kind of export (the start of its file name). */
const KIND_NAMES = {
  minutes: 'Biên bản hội nghị',
  notice: 'Thông báo kết luận',
  attendance: 'Báo cáo điểm danh',
  chat: 'Trò chuyện',
  audit: 'Nhật ký điều hành',
} as const;

/**
 * Produces the minutes, the conclusion notice and the attendance report of a meeting, for an organizer
 * session or a chair's or secretary's join link (whoever may read the minutes).
 */
export class ExportService {
  constructor(
    private readonly deps: {
      store: Store;
      tokens: TokenService;
      meetings: { get(meetingId: string): Promise<MeetingRecord> };
      /** The chat and the audit log, exported with the record (default: read from the store). */
      chat?: { all(meetingId: string): Promise<ChatMessage[]> };
      audit?: { list(meetingId: string): Promise<AuditEntry[]> };
      workspace: WorkspaceService;
      pdf: PdfConverter;
      /** Throws UNAUTHENTICATED unless the token is a valid organizer session. */
      authenticateOrganizer(token: string): string;
      clock?: () => number;
    },
  ) {}

  /** Checks a bearer token for this meeting; throws UNAUTHENTICATED or FORBIDDEN. */
  async authorize(token: string, meetingId: string): Promise<void> {
    if (this.deps.tokens.verifyOrganizer(token)) {
      this.deps.authenticateOrganizer(token);
      return;
    }
    const claims = this.deps.tokens.verifyJoin(token);
    if (!claims) throw new DomainError('UNAUTHENTICATED', 'Sign in, or use a chair or secretary join link');
    const link = await this.deps.store.links.get(claims.sub);
    if (!link || link.meetingId !== claims.mid || link.revokedAt !== null) {
      throw new DomainError('UNAUTHENTICATED', 'This join link is not valid any more');
    }
    if (link.meetingId !== meetingId)
      throw new DomainError('FORBIDDEN', 'This join link is for another meeting');
    const actor: Actor = {
      participantId: `export:${link.id}` as ParticipantId,
      role: roleOfLink(link.role),
      siteId: link.siteId,
      displayName: link.displayName,
    };
    unwrap(authorize(actor, 'readMinutes'));
  }

  /** The audit log of a meeting, oldest first (for the organizer's page). */
  async auditLog(meetingId: string): Promise<AuditEntry[]> {
    await this.deps.meetings.get(meetingId);
    return (this.deps.audit ?? new AuditTrail(this.deps.store)).list(meetingId);
  }

  /** Reads the chat journal when no chat service was given. */
  get #chat(): ChatService {
    return new ChatService(this.deps.store, this.deps.meetings, new AuditTrail(this.deps.store));
  }

  /** The record bundle's names ("Hồ sơ hội nghị - <title> - <date>.zip" and an ASCII fallback). */
  async bundleName(meetingId: string): Promise<{ filename: string; asciiFilename: string }> {
    const record = await this.deps.meetings.get(meetingId);
    const base = `Hồ sơ hội nghị - ${record.meeting.title} - ${formatDate(
      record.meeting.liveAt ?? record.meeting.scheduledAt,
    ).replace(/\//g, '-')}`;
    return {
      filename: `${base.replace(/[\\/:*?"<>|\r\n]+/g, ' ').slice(0, 180)}.zip`,
      asciiFilename: `${slugify(base).slice(0, 120) || 'record'}.zip`,
    };
  }

  /** Builds one file; NOT_FOUND for an unknown meeting or file name. */
  async render(meetingId: string, file: string): Promise<ExportedFile> {
    if (!(EXPORT_FILES as readonly string[]).includes(file)) {
      throw new DomainError('NOT_FOUND', `No export named ${file}; try ${EXPORT_FILES.join(', ')}`);
    }
    const record = await this.deps.meetings.get(meetingId);
    const now = (this.deps.clock ?? Date.now)();
    const [kind, ext] = file.split('.') as [keyof typeof KIND_NAMES, 'docx' | 'pdf' | 'csv'];
    let bytes: Buffer;
    let draft: boolean;
    if (kind === 'minutes') {
      const content = await this.deps.workspace.content(meetingId as MeetingId);
      const links = await this.deps.store.links.listByMeeting(meetingId as MeetingId);
      // A link issued without a name carries the role's label ("Thư ký"): that names nobody.
      const secretaries = links.filter(
        (l) =>
          l.role === 'secretary' && l.revokedAt === null && l.displayName.trim().toLowerCase() !== 'thư ký',
      );
      const model = minutesModel(
        record,
        content,
        secretaries.map((l) => l.displayName),
        now,
      );
      draft = model.draft;
      bytes = await renderMinutesDocx(model);
    } else if (kind === 'notice') {
      const content = await this.deps.workspace.content(meetingId as MeetingId);
      const model = noticeModel(record, content, now);
      draft = model.draft;
      bytes = await renderNoticeDocx(model);
    } else if (kind === 'chat' || kind === 'audit') {
      // The record's journals: final once the meeting has ended.
      draft = record.meeting.status !== 'ended';
      bytes = Buffer.from(
        kind === 'chat'
          ? renderChatCsv(record, await (this.deps.chat ?? this.#chat).all(meetingId))
          : renderAuditCsv(await (this.deps.audit ?? new AuditTrail(this.deps.store)).list(meetingId)),
        'utf8',
      );
    } else {
      const model = attendanceModel(record, now);
      draft = model.draft;
      bytes =
        ext === 'csv' ? Buffer.from(renderAttendanceCsv(model), 'utf8') : await renderAttendanceDocx(model);
    }
    if (ext === 'pdf') bytes = await this.deps.pdf.fromDocx(bytes);
    const base = `${KIND_NAMES[kind]} - ${record.meeting.title} - ${formatDate(
      record.meeting.liveAt ?? record.meeting.scheduledAt,
    ).replace(/\//g, '-')}${draft ? ' - DỰ THẢO' : ''}`;
    const filename = `${base.replace(/[\\/:*?"<>|\r\n]+/g, ' ').slice(0, 180)}.${ext}`;
    return {
      bytes,
      contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
      filename,
      asciiFilename: `${slugify(base).slice(0, 120) || kind}.${ext}`,
      draft,
    };
  }
}
