import { randomUUID } from 'node:crypto';
import type { MeetingChanged, MeetingId } from '@giaoban/shared';
import {
  auditEntryOf,
  DomainError,
  execute,
  isConverterCommand,
  isDomainError,
  isSystem,
  isSystemCommand,
  type MeetingCommand,
  type MeetingRecord,
  nextExpiry,
  type Principal,
  type ReplyOf,
  SYSTEM,
} from '../domain/index.js';
import { log } from '../log/log.js';
import type { Store } from '../store/Store.js';
import { AuditTrail } from './AuditTrail.js';
import { CommandQueue } from './CommandQueue.js';

/** What the transport and media layers hear after each committed change. */
export interface MeetingListener {
  /**
   * A batch every client of the meeting must apply (may carry no changes: then only the version moved).
   * `origin` is 'elsewhere' when another hub instance committed it (its batch is empty and `previous`
   * is `record`): that instance has already fanned it out to clients; only local state such as media follows.
   */
  changed(
    meetingId: MeetingId,
    batch: MeetingChanged,
    record: MeetingRecord,
    previous: MeetingRecord,
    origin?: 'here' | 'elsewhere',
  ): void;
}

/**
 * How meeting services on several hub instances stay in step (implemented over Redis by
 * cluster/HubCluster). Absent on a single hub.
 */
export interface MeetingCoordination {
  /** Tells the other instances that this one committed `version` (and when its floor turn ends). */
  committed(meetingId: string, version: number, floorExpiresAt: number | null): void;
  /** True for exactly one instance per floor expiry: the one that runs it. */
  claimExpiry(meetingId: string, at: number): Promise<boolean>;
  /** Records, before it is saved, that a connection of this instance joins (so a dead instance's can be cleared). */
  joining(meetingId: string, participantId: string): Promise<void>;
  /** Forgets a connection of this instance that has left. */
  left(meetingId: string, participantId: string): void;
}

/** Saves lost to another instance's concurrent write are re-run on the fresh state this many times. */
const MAX_CONFLICT_RETRIES = 8;
/** After another instance claimed a floor expiry, check again this much later in case it died meanwhile. */
const EXPIRY_RECHECK_MS = 30_000;

/** Longest single timer Node allows; longer floor limits are re-armed when it fires. */
const MAX_TIMER_MS = 2_147_000_000;

/**
 * Runs meeting commands: one at a time per meeting (a per-meeting queue), each one loaded,
 * executed by the domain, saved with an optimistic version check, then announced. Floor turn
 * time limits are timers here, re-armed from the stored state after a restart.
 */
export class MeetingService {
  readonly #queue = new CommandQueue<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #listeners: MeetingListener[] = [];
  /** Highest version announced per meeting, so a late reload never rolls media back. */
  readonly #announced = new Map<string, number>();
  #coordination: MeetingCoordination | null = null;
  #closed = false;
  /** Moderator and organizer actions, appended after each is stored and before it is acknowledged. */
  readonly audit: AuditTrail;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
    private readonly newId: () => string = () => randomUUID(),
  ) {
    this.audit = new AuditTrail(store);
  }

  /** Joins this service to the other hub instances (set once at start-up, before any command). */
  coordinate(coordination: MeetingCoordination): void {
    this.#coordination = coordination;
  }

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
   * `urgent` (a moderator's command) runs next, ahead of the other commands waiting for the meeting.
   */
  run<C extends MeetingCommand>(
    meetingId: string,
    principal: Principal,
    command: C,
    urgent = false,
  ): Promise<ReplyOf<C['type']>> {
    return this.#queue.run(
      meetingId,
      async () => {
        for (let attempt = 0; ; attempt++) {
          if (this.#closed) throw new DomainError('UNAVAILABLE', 'the hub is shutting down');
          const record = await this.get(meetingId);
          const now = this.clock();
          const outcome = execute(record, principal, command, { now, newId: this.newId });
          if (!outcome.ok) throw outcome.error;
          const { record: next, changes, reply } = outcome.value;
          if (next.version === record.version) return reply;
          if (command.type === 'participant:joined') {
            await this.#coordination?.joining(meetingId, command.participant.id);
          }
          try {
            await this.store.meetings.save(next, record.version);
          } catch (err) {
            // Another hub instance saved first: run the command again on its state (the mutex only
            // serialises this instance). One instance alone never gets here.
            if (isDomainError(err) && err.code === 'CONFLICT' && attempt < MAX_CONFLICT_RETRIES) continue;
            throw err;
          }
          this.#announce(meetingId, { version: next.version, changes }, next, record, 'here');
          if (command.type === 'participant:left') this.#coordination?.left(meetingId, command.participantId);
          this.#coordination?.committed(meetingId, next.version, nextExpiry(next.queue));
          this.#armFloorTimer(next);
          if (!isSystem(principal) && !isSystemCommand(command) && !isConverterCommand(command)) {
            const entry = auditEntryOf(record, next, principal, command, now);
            if (entry) await this.audit.append(meetingId, entry);
          }
          return reply;
        }
      },
      urgent,
    );
  }

  /**
   * Another hub instance committed `version`: re-arms the floor timer from its notice (when it
   * says) and, when `reload` (this instance holds the meeting's media), tells the listeners the
   * stored state.
   */
  async changedElsewhere(
    meetingId: string,
    notice: { version: number; floorExpiresAt?: number | null },
    reload: boolean,
  ): Promise<void> {
    if (this.#closed) return;
    if (notice.floorExpiresAt !== undefined) this.#armFloorTimerAt(meetingId, notice.floorExpiresAt);
    if (!reload || (this.#announced.get(meetingId) ?? -1) >= notice.version) return;
    const record = await this.store.meetings.get(meetingId as MeetingId);
    if (!record || (this.#announced.get(meetingId) ?? -1) >= record.version) return;
    this.#announce(meetingId, { version: record.version, changes: [] }, record, record, 'elsewhere');
  }

  #announce(
    meetingId: string,
    batch: MeetingChanged,
    record: MeetingRecord,
    previous: MeetingRecord,
    origin: 'here' | 'elsewhere',
  ): void {
    if ((this.#announced.get(meetingId) ?? -1) < record.version)
      this.#announced.set(meetingId, record.version);
    for (const l of this.#listeners) {
      try {
        l.changed(meetingId as MeetingId, batch, record, previous, origin);
      } catch (err) {
        log.error('MeetingService.run()', 'listener failed', err, { meetingId });
      }
    }
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
      // With several instances the others' connections are alive: the cluster clears only those
      // of instances that are gone (HubCluster's sweep).
      if (!this.#coordination && record.participants.length > 0) {
        await this.system(record.meeting.id, { type: 'participants:reset' });
      }
      this.#armFloorTimer(record);
    }
  }

  /** Stops timers and refuses further commands; idempotent. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #armFloorTimer(record: MeetingRecord): void {
    this.#armFloorTimerAt(record.meeting.id, nextExpiry(record.queue));
  }

  #armFloorTimerAt(id: string, at: number | null, delayMs?: number): void {
    const existing = this.#timers.get(id);
    if (existing) clearTimeout(existing);
    this.#timers.delete(id);
    if (at === null || this.#closed) return;
    const delay = delayMs ?? Math.min(Math.max(0, at - this.clock()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      void this.#expire(id, at);
    }, delay);
    timer.unref();
    this.#timers.set(id, timer);
  }

  async #expire(id: string, at: number): Promise<void> {
    try {
      // Every instance arms the timer; one claims it. If the claimant dies before expiring the
      // turn, the others find it still due when they look again.
      const mine = this.#coordination ? await this.#coordination.claimExpiry(id, at) : true;
      if (!mine) {
        this.#armFloorTimerAt(id, at, EXPIRY_RECHECK_MS);
        return;
      }
      // An expiry that fires early (a capped timer) changes nothing, so re-arm from the stored state.
      await this.system(id, { type: 'floor:expire' });
      const fresh = await this.store.meetings.get(id as MeetingId);
      if (!fresh || this.#timers.has(id)) return;
      const next = nextExpiry(fresh.queue);
      // Still due after an expiry that was refused (storage trouble): try again shortly, not in a loop.
      this.#armFloorTimerAt(id, next, next !== null && next <= at ? 1_000 : undefined);
    } catch (err) {
      log.error('MeetingService.#expire()', 'cannot run or re-arm the floor timer; retrying', err, {
        meetingId: id,
      });
      if (!this.#timers.has(id)) this.#armFloorTimerAt(id, at, 5_000);
    }
  }
}
