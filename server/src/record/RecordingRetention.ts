import { type MeetingId, RecordingRetention } from '@giaoban/shared';
import type { AuditTrail } from '../app/AuditTrail.js';
import { auditEntry } from '../domain/AuditLog.js';
import { DomainError } from '../domain/DomainError.js';
import type { Store } from '../store/Store.js';

const DAY_MS = 86_400_000;
/** Vietnam is UTC+7 all year (no daylight saving): a kept day ends at 17:00 UTC. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** The day `YYYY-MM-DD` in Vietnam that holds the instant `at`. */
export function vietnamDay(at: number): string {
  return new Date(at + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * When a recording is deleted, in ms since the epoch, or null when it is kept until deleted by hand:
 * the meeting's own setting wins (the end of its last kept day in Vietnam, or never); otherwise the
 * hub's default, `defaultDays` after the recording started (0: never).
 */
export function expiresAt(
  startedAtMs: number,
  defaultDays: number,
  meeting: RecordingRetention = { mode: 'default' },
): number | null {
  switch (meeting.mode) {
    case 'forever':
      return null;
    case 'until': {
      const [y, m, d] = meeting.keepUntil.split('-').map(Number) as [number, number, number];
      return Date.UTC(y, m - 1, d + 1) - VIETNAM_OFFSET_MS;
    }
    case 'default':
      return defaultDays > 0 ? startedAtMs + defaultDays * DAY_MS : null;
  }
}

/** Whether a recording that started at `startedAtMs` is past its retention at `now`. */
export function isExpired(
  startedAtMs: number,
  now: number,
  defaultDays: number,
  meeting?: RecordingRetention,
): boolean {
  const at = expiresAt(startedAtMs, defaultDays, meeting);
  return at !== null && now >= at;
}

/** The journal entry of a retention change (the last one is the meeting's setting). */
interface RetentionEntry {
  readonly retention: RecordingRetention;
  readonly by: string;
  readonly at: number;
}

/**
 * The meetings' own retention settings, kept in the store beside the meeting (its append-only
 * `recordingRetention` journal: the last entry is the setting, so every instance and a restart read
 * the same), and audited as the organizer's action.
 */
export class RecordingRetentions {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditTrail,
    /** The hub's default in days (RECORDING_RETENTION_DAYS); 0 keeps recordings until deleted by hand. */
    readonly defaultDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The meeting's setting (`default` when none was set). */
  async of(meetingId: string): Promise<RecordingRetention> {
    const rows = await this.store.readJournal(meetingId as MeetingId, 'recordingRetention');
    for (let i = rows.length - 1; i >= 0; i--) {
      const parsed = RecordingRetention.safeParse((rows[i] as Partial<RetentionEntry> | null)?.retention);
      if (parsed.success) return parsed.data;
    }
    return { mode: 'default' };
  }

  /**
   * Sets the meeting's retention (the organizer). A last day before today is refused with
   * VALIDATION: deleting now is the delete button's job, not a date's.
   */
  async set(meetingId: string, organizer: string, body: unknown): Promise<RecordingRetention> {
    const parsed = RecordingRetention.safeParse(body);
    if (!parsed.success)
      throw new DomainError(
        'VALIDATION',
        `retention is { mode: "default" | "forever" } or { mode: "until", keepUntil: "YYYY-MM-DD" }: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const retention = parsed.data;
    const now = this.now();
    if (retention.mode === 'until' && retention.keepUntil < vietnamDay(now))
      throw new DomainError(
        'VALIDATION',
        `keepUntil ${retention.keepUntil} is in the past; delete the recording instead`,
      );
    const entry: RetentionEntry = { retention, by: organizer, at: now };
    await this.store.appendJournal(meetingId as MeetingId, 'recordingRetention', entry);
    await this.audit.append(
      meetingId,
      auditEntry(
        { role: 'organizer', displayName: organizer },
        now,
        'recording:retention',
        null,
        retention.mode === 'until'
          ? `lưu trữ đến hết ngày ${retention.keepUntil}`
          : retention.mode === 'forever'
            ? 'lưu trữ cho đến khi xóa'
            : `theo mặc định (${this.defaultDays > 0 ? `${this.defaultDays} ngày` : 'không tự xóa'})`,
      ),
    );
    return retention;
  }
}
