import { AuditEntry, type MeetingId } from '@giaoban/shared';
import { log } from '../log/log.js';
import type { Store } from '../store/Store.js';

/**
 * The meeting's append-only audit log (who, when, what of every moderator and organizer action),
 * kept in the store's `audit` journal.
 */
export class AuditTrail {
  constructor(private readonly store: Store) {}

  /**
   * Appends an entry. The action it records has already happened and been stored, so a failure
   * here is logged in full (with the entry) rather than reported to the person as if the action failed.
   */
  async append(meetingId: string, entry: AuditEntry): Promise<void> {
    try {
      await this.store.appendJournal(meetingId as MeetingId, 'audit', entry);
    } catch (err) {
      log.error('AuditTrail.append()', 'audit entry not stored', err, { meetingId, ...entry });
    }
  }

  /** Every entry, oldest first; entries that do not parse are skipped and logged. */
  async list(meetingId: string): Promise<AuditEntry[]> {
    const raw = await this.store.readJournal(meetingId as MeetingId, 'audit');
    const entries: AuditEntry[] = [];
    for (const row of raw) {
      const parsed = AuditEntry.safeParse(row);
      if (parsed.success) entries.push(parsed.data);
      else log.warn('AuditTrail.list()', 'stored audit entry is invalid', { meetingId });
    }
    return entries;
  }
}
