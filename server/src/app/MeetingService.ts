import { randomUUID } from 'node:crypto';
import type { MeetingChanged, MeetingId, MinuteEntry } from '@giaoban/shared';
import {
  DomainError,
  execute,
  type MeetingCommand,
  type MeetingRecord,
  nextExpiry,
  type Principal,
  type ReplyOf,
  SYSTEM,
} from '../domain/index.js';
import { KeyedMutex } from '../store/KeyedMutex.js';
import type { Store } from '../store/Store.js';
import { log } from './log.js';

/** What the transport and media layers hear after each committed change. */
export interface MeetingListener {
  /** A batch every client of the meeting must apply (may carry no changes: then only the version moved). */
  changed(meetingId: MeetingId, batch: MeetingChanged, record: MeetingRecord, previous: MeetingRecord): void;
}

/** Longest single timer Node allows; longer floor limits are re-armed when it fires. */
const MAX_TIMER_MS = 2_147_000_000;

/**
 * Runs meeting commands: one at a time per meeting (a per-meeting queue), each one loaded,
 * executed by the domain, saved with an optimistic version check, then announced. Floor turn
 * time limits are timers here, re-armed from the stored state after a restart.
 */
export class MeetingService {
  readonly #mutex = new KeyedMutex<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #listeners: MeetingListener[] = [];
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
    private readonly newId: () => string = () => randomUUID(),
  ) {}

  /** Subscribes to committed changes. */
  onChanged(listener: MeetingListener): void {
    this.#listeners.push(listener);
  }

  /** Loads a meeting or throws NOT_FOUND. */
  async get(meetingId: string): Promise<MeetingRecord> {
    const record = await this.store.meetings.get(meetingId as MeetingId);
    if (!record) throw new DomainError('NOT_FOUND', `no meeting ${meetingId}`);
    return record;
  }

  /**
   * Runs one command for a principal and returns its reply. Refusals throw DomainError; the
   * change is announced only after the store has acknowledged it, so nothing is shown that is not kept.
   */
  run<C extends MeetingCommand>(
    meetingId: string,
    principal: Principal,
    command: C,
  ): Promise<ReplyOf<C['type']>> {
    return this.#mutex.run(meetingId, async () => {
      if (this.#closed) throw new DomainError('UNAVAILABLE', 'the hub is shutting down');
      const record = await this.get(meetingId);
      const outcome = execute(record, principal, command, { now: this.clock(), newId: this.newId });
      if (!outcome.ok) throw outcome.error;
      const { record: next, changes, reply } = outcome.value;
      if (next.version !== record.version) {
        await this.store.meetings.save(next, record.version);
        const batch: MeetingChanged = { version: next.version, changes };
        for (const l of this.#listeners) {
          try {
            l.changed(meetingId as MeetingId, batch, next, record);
          } catch (err) {
            log.error('MeetingService.run()', 'listener failed', err, { meetingId });
          }
        }
        this.#armFloorTimer(next);
      }
      return reply;
    });
  }

  /** Runs a command as the hub itself (joins, leaves, media facts, timers); logs refusals instead of throwing. */
  async system(meetingId: string, command: MeetingCommand): Promise<void> {
    try {
      await this.run(meetingId, SYSTEM, command);
    } catch (err) {
      log.warn('MeetingService.system()', 'system command refused', {
        meetingId,
        type: command.type,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * After a restart of a single hub: connections of the old process are gone, so stored
   * participants are cleared (their sites show as absent until they reconnect), and floor
   * timers are re-armed from the stored state.
   */
  async recoverAfterRestart(): Promise<void> {
    for (const record of await this.store.meetings.list()) {
      if (record.participants.length > 0) await this.system(record.meeting.id, { type: 'participants:reset' });
      this.#armFloorTimer(record);
    }
  }

  /** The minutes of a meeting (for the secretary's list and the reports). */
  async minutes(meetingId: string): Promise<MinuteEntry[]> {
    return (await this.get(meetingId)).minutes;
  }

  /** Stops timers and refuses further commands; idempotent. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #armFloorTimer(record: MeetingRecord): void {
    const id = record.meeting.id;
    const existing = this.#timers.get(id);
    if (existing) clearTimeout(existing);
    this.#timers.delete(id);
    const at = nextExpiry(record.queue);
    if (at === null || this.#closed) return;
    const delay = Math.min(Math.max(0, at - this.clock()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      // An expiry that fires early (a capped timer) changes nothing, so re-arm from the stored state.
      void this.system(id, { type: 'floor:expire' })
        .then(() => this.store.meetings.get(id))
        .then((fresh) => fresh && !this.#timers.has(id) && this.#armFloorTimer(fresh))
        .catch((err) => log.error('MeetingService.#armFloorTimer()', 'cannot re-arm floor timer', err));
    }, delay);
    timer.unref();
    this.#timers.set(id, timer);
  }
}
