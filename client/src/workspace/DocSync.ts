import {
  DOC_MISSING_UPDATES,
  DOC_UPDATE_MAX_BYTES,
  type DocSyncResult,
  type DocUpdateResult,
  toBytes,
  type WireBytes,
} from '@giaoban/shared';
import * as Y from 'yjs';
import type { LocalDocStore } from './LocalDocStore.js';

/** Origin of updates that came from the hub (kept locally, not sent back). */
export const REMOTE = Symbol('remote');
/** Origin of stored updates re-applied at start (already kept). */
const REPLAY = Symbol('replay');

/**
 * What the editor shows: loading before the first sync, offline, saving (edits on their way),
 * saved (the hub's state vector covers everything this page has), unsaved (the hub cannot take
 * some of this page's changes: they are shown but not saved).
 */
export type SaveState = 'loading' | 'offline' | 'saving' | 'saved' | 'unsaved';

/** An edit the hub refused (too large, not allowed, cannot be placed): shown, never silently lost. */
export interface Refusal {
  code: string;
  message: string;
  at: number;
}

/** The sync engine's visible state. */
export interface SyncStatus {
  state: SaveState;
  /** Local edits not yet acknowledged by the hub. */
  pending: number;
  /** When the oldest change the hub does not have yet was made (null: the hub has everything). */
  unsavedSince: number | null;
  refused: Refusal | null;
  /** The local store failed to keep an edit: it lives in this tab only until the hub has it. */
  localStoreFailed: boolean;
}

/** The two requests the engine makes (the page's session or a test socket). */
export interface DocRequests {
  sync(stateVector: Uint8Array): Promise<DocSyncResult>;
  update(update: Uint8Array): Promise<DocUpdateResult>;
}

/** Refusals that no retry can fix: the update is dropped and the secretary told. */
const FINAL = new Set(['LIMIT', 'FORBIDDEN', 'VALIDATION', 'NOT_FOUND', 'INVALID_STATE']);

interface Queued {
  update: Uint8Array;
  at: number;
  /** The store key, once the edit is durable. */
  key: Promise<number | null>;
}

const codeOf = (error: unknown): string => (error as { code?: string }).code ?? 'INTERNAL';
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const isMissing = (error: unknown): boolean =>
  codeOf(error) === 'CONFLICT' && messageOf(error).includes(DOC_MISSING_UPDATES);

/** True when state vector `hub` has every clock of `local`. */
export function covers(hub: ReadonlyMap<number, number>, local: ReadonlyMap<number, number>): boolean {
  for (const [client, clock] of local) if ((hub.get(client) ?? 0) < clock) return false;
  return true;
}

/** Element-wise maximum of two state vectors. */
function merged(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map(a);
  for (const [client, clock] of b) if ((out.get(client) ?? 0) < clock) out.set(client, clock);
  return out;
}

/**
 * Keeps a Y.Doc in step with the hub. Every local edit is kept in the local store (document and
 * unsent list in one transaction) and sent as `doc:update` (several merged while within the size
 * cap); the hub acknowledges only what it stored and could place, with its state vector.
 *
 * On every (re)connection it reconciles by state vectors in both directions: it sends its state
 * vector (`doc:sync`) and applies what it lacks, sends its unsent edits, then compares the hub's
 * state vector with its own and sends `Y.encodeStateAsUpdate(doc, hubStateVector)` when the hub
 * still lacks anything — whatever the unsent list says. "Saved" is that comparison, not an
 * absence of pending requests. An update the hub refuses as depending on missing changes is
 * answered the same way; if the hub still cannot place it, the page says so.
 */
export class DocSync {
  private queue: Queued[] = [];
  private online = false;
  private synced = false;
  /** Bumped on every (re)connection and disconnection: work of an older connection stops. */
  private epoch = 0;
  private flushingEpoch = -1;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private refused: Refusal | null = null;
  /** The hub's state vector as last reported (a lower bound of what it has). */
  private hub = new Map<number, number>();
  /** The hub refused this page's whole difference as unplaceable: what it has here cannot be saved. */
  private stuck = false;
  /** When the hub last lacked something while nothing was queued (edits found by the comparison). */
  private behindSince: number | null = null;
  private localStoreFailed = false;
  private compacting = false;
  private started = false;
  private closed = false;

  constructor(
    readonly doc: Y.Doc,
    private readonly requests: DocRequests,
    private readonly store: LocalDocStore,
    private readonly options: {
      onStatus?: (status: SyncStatus) => void;
      /** Called after the hub refused an update for good (the caller may rebuild the document). */
      onRefused?: (refusal: Refusal) => void;
      retryMs?: number;
      maxBytes?: number;
      /** Compact the local document once it holds this many updates. */
      compactEvery?: number;
      clock?: () => number;
    } = {},
  ) {}

  /** Loads the local store (the document and its unsent edits) and starts keeping local edits. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const stored = await this.store.load();
    this.doc.transact(() => {
      for (const update of stored.doc) Y.applyUpdate(this.doc, update, REPLAY);
    }, REPLAY);
    for (const edit of stored.unsent) {
      this.queue.push({ update: edit.update, at: edit.at, key: Promise.resolve(edit.key) });
      Y.applyUpdate(this.doc, edit.update, REPLAY);
    }
    this.doc.on('update', this.onUpdate);
    this.emit();
    if (this.online) await this.connected();
  }

  /** The connection is (back) up and joined: reconcile, then send. */
  async connected(): Promise<void> {
    this.online = true;
    if (!this.started || this.closed) return;
    const epoch = ++this.epoch;
    this.synced = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.emit();
    if (!(await this.exchange(epoch))) return;
    await this.flush(epoch);
  }

  /** The connection dropped: keep keeping, stop sending. */
  disconnected(): void {
    this.online = false;
    this.synced = false;
    this.epoch += 1;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.emit();
  }

  /** Applies an update another writer made (or the hub's own): the hub has it, and all it builds on. */
  receive(update: WireBytes): void {
    const bytes = toBytes(update);
    Y.applyUpdate(this.doc, bytes, REMOTE);
    this.hub = merged(this.hub, Y.parseUpdateMeta(bytes).to);
    if (this.doc.store.pendingStructs !== null && this.synced && this.flushingEpoch !== this.epoch) {
      // An update overtook one this page has not got yet: ask the hub for what is missing.
      const epoch = this.epoch;
      void this.exchange(epoch).then((ok) => (ok ? this.flush(epoch) : undefined));
    } else if (this.stuck && this.doc.store.pendingStructs === null) {
      // What this page's changes built on has reached the hub after all: send them again.
      void this.flush(this.epoch);
    }
    this.emit();
  }

  /** Forgets the last refusal (the secretary dismissed the message). */
  dismissRefusal(): void {
    this.refused = null;
    this.emit();
  }

  /** The visible state now. */
  status(): SyncStatus {
    // Known only once the hub said what it has (after the first sync of this connection).
    const hubLacks = this.synced && this.hubLacks();
    const state: SaveState = !this.online
      ? 'offline'
      : !this.synced
        ? 'loading'
        : this.stuck
          ? 'unsaved'
          : this.queue.length > 0 || hubLacks
            ? 'saving'
            : 'saved';
    const since = [
      this.queue[0]?.at,
      hubLacks || this.stuck ? (this.behindSince ?? this.now()) : undefined,
    ].filter((t): t is number => t !== undefined);
    return {
      state,
      pending: this.queue.length,
      unsavedSince: state === 'saved' || since.length === 0 ? null : Math.min(...since),
      refused: this.refused,
      localStoreFailed: this.localStoreFailed,
    };
  }

  /** True when this page has anything the hub's last reported state vector does not cover. */
  private hubLacks(): boolean {
    if (this.doc.store.pendingStructs !== null) return true;
    return !covers(this.hub, Y.decodeStateVector(Y.encodeStateVector(this.doc)));
  }

  /** Stops listening; unsent edits stay in the local store for next time. */
  close(): void {
    this.closed = true;
    this.online = false;
    this.epoch += 1;
    if (this.retry) clearTimeout(this.retry);
    this.doc.off('update', this.onUpdate);
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === REPLAY) return;
    if (origin === REMOTE) {
      this.keep(this.store.addRemote(update));
      return;
    }
    const at = this.now();
    const key = this.store.addLocal(update, at).then(
      (k) => k,
      (error: unknown) => {
        console.error('DocSync | the local store failed; the edit is kept in this tab only', error);
        this.localStoreFailed = true;
        this.emit();
        return null;
      },
    );
    this.queue.push({ update, at, key });
    this.maybeCompact();
    this.emit();
    if (this.synced) void this.flush(this.epoch);
  };

  private keep(write: Promise<void>): void {
    write.then(
      () => this.maybeCompact(),
      (error: unknown) =>
        console.warn('DocSync | a hub update was not kept locally (it is on the hub)', error),
    );
  }

  private maybeCompact(): void {
    if (this.compacting || this.closed || this.store.docUpdates < (this.options.compactEvery ?? 500)) return;
    this.compacting = true;
    this.store
      .compact(Y.encodeStateAsUpdate(this.doc))
      .catch((error: unknown) => console.warn('DocSync | local compaction failed', error))
      .finally(() => (this.compacting = false));
  }

  /** `doc:sync`: receive what this page lacks and learn what the hub has. False when it failed. */
  private async exchange(epoch: number): Promise<boolean> {
    try {
      const result = await this.requests.sync(Y.encodeStateVector(this.doc));
      if (epoch !== this.epoch) return false;
      Y.applyUpdate(this.doc, toBytes(result.update), REMOTE);
      this.hub = Y.decodeStateVector(toBytes(result.stateVector));
      this.synced = true;
      return true;
    } catch (error) {
      if (epoch !== this.epoch || !this.online) return false;
      console.warn('DocSync.exchange() | doc:sync failed, retrying', error);
      this.scheduleRetry(() => void this.connected());
      return false;
    } finally {
      this.emit();
    }
  }

  private learn(result: DocUpdateResult): void {
    this.hub = merged(this.hub, Y.decodeStateVector(toBytes(result.stateVector)));
  }

  /** Sends the unsent edits, then whatever the hub still lacks by state vector. */
  private async flush(epoch: number): Promise<void> {
    if (!this.online || !this.synced || this.closed || this.flushingEpoch === epoch) return;
    this.flushingEpoch = epoch;
    const max = this.options.maxBytes ?? DOC_UPDATE_MAX_BYTES;
    let single = false;
    try {
      while (epoch === this.epoch && this.queue.length > 0) {
        const batch: Queued[] = [this.queue[0] as Queued];
        let size = batch[0]?.update.byteLength ?? 0;
        while (!single && batch.length < this.queue.length) {
          const next = this.queue[batch.length] as Queued;
          if (size + next.update.byteLength > max) break;
          batch.push(next);
          size += next.update.byteLength;
        }
        const update =
          batch.length === 1 ? (batch[0] as Queued).update : Y.mergeUpdates(batch.map((q) => q.update));
        try {
          this.learn(await this.requests.update(update));
        } catch (error) {
          if (epoch !== this.epoch) return;
          if (isMissing(error)) {
            // The hub lacks something these edits build on: reconcile by state vectors instead.
            await this.reconcile(epoch, true);
            return;
          }
          if (!FINAL.has(codeOf(error))) {
            if (this.online) this.scheduleRetry(() => void this.flush(this.epoch));
            return;
          }
          if (batch.length > 1) {
            single = true; // find which one is refused
            continue;
          }
          // Forgotten before the caller hears of it: a rebuild must not load it again.
          await this.forget(batch);
          single = false;
          this.refuse(error);
          continue;
        }
        single = false;
        await this.forget(batch);
      }
      if (epoch === this.epoch) await this.reconcile(epoch, false);
    } finally {
      if (this.flushingEpoch === epoch) this.flushingEpoch = -1;
      this.emit();
    }
    // Edits typed while the last request was on its way.
    if (epoch === this.epoch && this.queue.length > 0 && !this.retry && !this.stuck) void this.flush(epoch);
  }

  /**
   * Sends `Y.encodeStateAsUpdate(doc, hubStateVector)` when the hub lacks anything this page has
   * (or `force`: after a "missing earlier updates" refusal, first asking the hub what it has).
   */
  private async reconcile(epoch: number, force: boolean): Promise<void> {
    // Changes this page holds but cannot place: first ask the hub for what they build on.
    const ask = force || this.doc.store.pendingStructs !== null;
    if (ask && !(await this.exchange(epoch))) return;
    if (!this.hubLacks() && !force) {
      this.behindSince = null;
      return;
    }
    this.behindSince ??= this.queue[0]?.at ?? this.now();
    const covered = [...this.queue];
    const diff = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.hub));
    try {
      this.learn(await this.requests.update(diff));
      if (epoch !== this.epoch) return;
      this.stuck = false;
      this.behindSince = null;
      await this.forget(covered);
    } catch (error) {
      if (epoch !== this.epoch) return;
      if (isMissing(error)) {
        // This page itself lacks what its changes build on: they cannot be saved. Say so.
        this.stuck = true;
        this.refused = { code: codeOf(error), message: messageOf(error), at: this.now() };
        return;
      }
      if (FINAL.has(codeOf(error))) {
        this.refuse(error);
        return;
      }
      if (this.online) this.scheduleRetry(() => void this.flush(this.epoch));
    }
  }

  private refuse(error: unknown): void {
    this.refused = { code: codeOf(error), message: messageOf(error), at: this.now() };
    this.options.onRefused?.(this.refused);
  }

  /** Drops sent (or refused) edits from the queue and the local store's unsent list. */
  private async forget(batch: readonly Queued[]): Promise<void> {
    const drop = new Set(batch);
    this.queue = this.queue.filter((q) => !drop.has(q));
    this.emit();
    try {
      const keys = (await Promise.all(batch.map((q) => q.key))).filter((k): k is number => k !== null);
      await this.store.acknowledge(keys);
    } catch (error) {
      console.error('DocSync | unsent-list cleanup failed (the edits will be sent again, harmlessly)', error);
    }
  }

  private scheduleRetry(run: () => void): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.online && !this.closed) run();
    }, this.options.retryMs ?? 2000);
  }

  private emit(): void {
    this.options.onStatus?.(this.status());
  }
}
