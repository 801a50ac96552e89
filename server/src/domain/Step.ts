import type { MeetingChange } from '@giaoban/shared';
import type { MeetingRecord } from './MeetingRecord.js';

/** The world a command runs in: the clock and an id source, injected so tests are deterministic. */
export interface ExecuteContext {
  now: number;
  newId: () => string;
}

/** A command's effect: the next record, the changes every client must apply, and the reply. */
export interface Executed<R = unknown> {
  /** The next record; the same object (same version) when the command changed nothing. */
  record: MeetingRecord;
  /** Exactly what turns the old snapshot into `toSnapshot(record)` under shared `applyChanges`. */
  changes: MeetingChange[];
  reply: R;
}

/** What a handler produces before the version and the changes are worked out. */
export interface Step {
  record: MeetingRecord;
  reply: unknown;
}
