import { DOC_UPDATE_MAX_BYTES, type DocSyncResult, toBytes, type WireBytes } from '@giaoban/shared';
import * as Y from 'yjs';
import type { Outbox } from './outbox.js';

/** Origin of updates that came from the hub (not queued again). */
export const REMOTE = Symbol('remote');
/** Origin of queued updates re-applied at start (already queued). */
const REPLAY = Symbol('replay');

/** What the editor shows: saved / saving / offline (and loading before the first sync). */
export type SaveState = 'loading' | 'offline' | 'saving' | 'saved';

/** An edit the hub refused (too large, not allowed): shown to the secretary, never silently lost. */
export interface Refusal {
  code: string;
  message: string;
  at: number;
}

/** The sync engine's visible state. */
export interface SyncStatus {
  state: SaveState;
  /** Local updates not yet acknowledged by the hub. */
  pending: number;
  refused: Refusal | null;
}

/** The two requests the engine makes (the page's session or a test socket). */
export interface DocRequests {
  sync(stateVector: Uint8Array): Promise<DocSyncResult>;
  update(update: Uint8Array): Promise<unknown>;
}

/** Refusals that no retry can fix: the update is dropped and the secretary told. */
const FINAL = new Set(['LIMIT', 'FORBIDDEN', 'VALIDATION', 'NOT_FOUND', 'INVALID_STATE']);

interface Queued {
  update: Uint8Array;
  /** The outbox key, once the update is durable. */
  key: Promise<number>;
}

/**
 * Keeps a Y.Doc in step with the hub. Every local change is queued in the durable outbox and
 * sent as `doc:update` (several merged while within the size cap) until the hub acknowledges
 * it, which it does only after storing it. On each (re)connection it first exchanges state
 * vectors (`doc:sync`) to receive what it missed, then sends its queue. Updates are idempotent,
 * so a resend after a lost acknowledgement is harmless.
 */
export class DocSync {
  private queue: Queued[] = [];
  private online = false;
  private synced = false;
  private flushing = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private refused: Refusal | null = null;
  private started = false;
  private closed = false;

  constructor(
    readonly doc: Y.Doc,
    private readonly requests: DocRequests,
    private readonly outbox: Outbox,
    private readonly options: {
      onStatus?: (status: SyncStatus) => void;
      /** Called after the hub refused an update for good (the caller may rebuild the document). */
      onRefused?: (refusal: Refusal) => void;
      retryMs?: number;
      maxBytes?: number;
    } = {},
  ) {}

  /** Re-applies the durable queue (edits not acknowledged before a reload) and starts queueing local edits. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const entry of await this.outbox.all()) {
      this.queue.push({ update: entry.update, key: Promise.resolve(entry.key) });
      Y.applyUpdate(this.doc, entry.update, REPLAY);
    }
    this.doc.on('update', this.onLocalUpdate);
    this.emit();
    if (this.online) await this.connected();
  }

  /** The connection is (back) up and joined: sync, then send the queue. */
  async connected(): Promise<void> {
    this.online = true;
    if (!this.started || this.closed) return;
    this.synced = false;
    this.emit();
    try {
      const result = await this.requests.sync(Y.encodeStateVector(this.doc));
      Y.applyUpdate(this.doc, toBytes(result.update), REMOTE);
      this.synced = true;
      this.queueMissing(toBytes(result.stateVector));
    } catch (error) {
      if (!this.online) return;
      console.warn('DocSync.connected() | doc:sync failed, retrying', error);
      this.scheduleRetry(() => void this.connected());
      return;
    } finally {
      this.emit();
    }
    await this.flush();
  }

  /** The connection dropped: keep queueing, stop sending. */
  disconnected(): void {
    this.online = false;
    this.synced = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.emit();
  }

  /** Applies an update another writer made (or the hub's confirmation). */
  receive(update: WireBytes): void {
    Y.applyUpdate(this.doc, toBytes(update), REMOTE);
  }

  /** Forgets the last refusal (the secretary dismissed the message). */
  dismissRefusal(): void {
    this.refused = null;
    this.emit();
  }

  /** The visible state now. */
  status(): SyncStatus {
    const state: SaveState = !this.online
      ? 'offline'
      : !this.synced
        ? 'loading'
        : this.queue.length > 0
          ? 'saving'
          : 'saved';
    return { state, pending: this.queue.length, refused: this.refused };
  }

  /** Stops listening; queued updates stay in the outbox for next time. */
  close(): void {
    this.closed = true;
    this.online = false;
    if (this.retry) clearTimeout(this.retry);
    this.doc.off('update', this.onLocalUpdate);
  }

  private readonly onLocalUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === REMOTE || origin === REPLAY) return;
    this.enqueue(update);
  };

  private enqueue(update: Uint8Array): void {
    const key = this.outbox.add(update);
    key.catch((error: unknown) =>
      console.error('DocSync | outbox write failed; the edit is kept in memory', error),
    );
    this.queue.push({ update, key });
    this.emit();
    void this.flush();
  }

  /**
   * If the hub lacks items this document has and nothing is queued (the outbox was lost, e.g. a
   * crash between the two local writes), queue the difference.
   */
  private queueMissing(hubStateVector: Uint8Array): void {
    if (this.queue.length > 0) return;
    const hub = Y.decodeStateVector(hubStateVector);
    const local = Y.decodeStateVector(Y.encodeStateVector(this.doc));
    const ahead = [...local].some(([client, clock]) => clock > (hub.get(client) ?? 0));
    if (ahead) this.enqueue(Y.encodeStateAsUpdate(this.doc, hubStateVector));
  }

  private async flush(): Promise<void> {
    if (!this.online || !this.synced || this.flushing || this.closed) return;
    this.flushing = true;
    const max = this.options.maxBytes ?? DOC_UPDATE_MAX_BYTES;
    let single = false;
    try {
      while (this.online && this.queue.length > 0) {
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
          await this.requests.update(update);
        } catch (error) {
          const code = (error as { code?: string }).code ?? 'INTERNAL';
          if (!FINAL.has(code)) {
            if (this.online) this.scheduleRetry(() => void this.flush());
            return;
          }
          if (batch.length > 1) {
            single = true; // find which one is refused
            continue;
          }
          this.refused = {
            code,
            message: error instanceof Error ? error.message : String(error),
            at: Date.now(),
          };
          this.options.onRefused?.(this.refused);
        }
        single = false;
        this.queue = this.queue.filter((q) => !batch.includes(q));
        this.emit();
        try {
          await this.outbox.remove(await Promise.all(batch.map((q) => q.key)));
        } catch (error) {
          console.error(
            'DocSync | outbox cleanup failed (the updates will be sent again, harmlessly)',
            error,
          );
        }
      }
    } finally {
      this.flushing = false;
      this.emit();
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
