import type { AuditTrail } from '../app/AuditTrail.js';
import { auditEntry } from '../domain/AuditLog.js';
import { errorText, type MediaLogger } from '../media/logger.js';
import type { RecordingLibrary } from './RecordingLibrary.js';
import { isExpired, type RecordingRetentions } from './RecordingRetention.js';

/** How often the library is checked for expired recordings. */
export const SWEEP_INTERVAL_MS = 15 * 60_000;

/** Who the audit log names for a deletion by retention. */
const SWEEPER = { role: 'organizer', displayName: 'Hệ thống (hết thời hạn lưu trữ)' } as const;

/** What the sweeper needs. */
export interface RecordingSweeperOptions {
  readonly library: RecordingLibrary;
  readonly retentions: RecordingRetentions;
  readonly audit: AuditTrail;
  /** Whether a recording's folder is being written now (never deleted under the recorder). */
  readonly writing: (meetingId: string, recordingId: string) => boolean;
  readonly logger: MediaLogger;
  readonly now?: () => number;
}

/**
 * Deletes recordings past their retention (RecordingRetention's rule) and says so in the meeting's
 * audit log. Each hub instance sweeps its own RECORDINGS_DIR, where only it writes; when instances
 * share that folder, RecordingLibrary.remove() lets exactly one of them delete (and audit) each
 * recording, so the work is never done twice.
 */
export class RecordingSweeper {
  readonly #o: RecordingSweeperOptions;
  #timer: NodeJS.Timeout | null = null;
  #sweeping: Promise<string[]> | null = null;

  constructor(options: RecordingSweeperOptions) {
    this.#o = options;
  }

  /** Sweeps now and then every SWEEP_INTERVAL_MS; idempotent. Does nothing when nothing can expire. */
  start(): void {
    if (this.#timer) return;
    const tick = () =>
      void this.sweep().catch((e: unknown) =>
        this.#o.logger.error(`RecordingSweeper | sweep failed: ${errorText(e)}`),
      );
    this.#timer = setInterval(tick, SWEEP_INTERVAL_MS);
    this.#timer.unref();
    tick();
  }

  /** Stops the clock; idempotent. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /**
   * Deletes every expired recording (at `now`, default the clock) and audits each deletion.
   * Resolves with the deleted `<meetingId>/<recordingId>`s. One sweep at a time.
   */
  sweep(now?: number): Promise<string[]> {
    this.#sweeping ??= this.#sweep(now ?? (this.#o.now ?? Date.now)()).finally(() => {
      this.#sweeping = null;
    });
    return this.#sweeping;
  }

  async #sweep(now: number): Promise<string[]> {
    const { library, retentions, audit, logger } = this.#o;
    const deleted: string[] = [];
    for (const meetingId of await library.meetings()) {
      const recordings = await library.list(meetingId);
      if (recordings.length === 0) continue;
      const setting = await retentions.of(meetingId);
      for (const r of recordings) {
        const started = r.startedAt ? Date.parse(r.startedAt) : Number.NaN;
        if (!Number.isFinite(started)) continue;
        if (!isExpired(started, now, retentions.defaultDays, setting)) continue;
        if (this.#o.writing(meetingId, r.recordingId)) continue;
        if (!(await library.remove(meetingId, r.recordingId))) continue;
        deleted.push(`${meetingId}/${r.recordingId}`);
        await audit.append(
          meetingId,
          auditEntry(
            SWEEPER,
            now,
            'recording:expired',
            r.recordingId,
            `bắt đầu ${r.startedAt}; ${r.segments.length} đoạn, ${r.bytes} byte; ${
              setting.mode === 'until'
                ? `lưu trữ đến hết ngày ${setting.keepUntil}`
                : `mặc định ${retentions.defaultDays} ngày`
            }`,
          ),
        );
        logger.info(
          `RecordingSweeper | expired recording deleted [meetingId:${meetingId}] [recording:${r.recordingId}]`,
        );
      }
    }
    return deleted;
  }
}
