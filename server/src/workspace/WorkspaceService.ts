import {
  type ConclusionAction,
  type ConclusionChange,
  type ConclusionView,
  confirmationsMap,
  DOC_UPDATE_MAX_BYTES,
  findConclusion,
  historyArray,
  type MeetingId,
  type NoticeFields,
  type PetitionView,
  readConclusions,
  readNoticeFields,
  readPetitions,
  WORKSPACE_DOC,
} from '@giaoban/shared';
import * as Y from 'yjs';
import type { Actor } from '../domain/Actor.js';
import { DomainError, unwrap } from '../domain/DomainError.js';
import type { MeetingRecord } from '../domain/MeetingRecord.js';
import { authorize } from '../domain/Permissions.js';
import { log } from '../log/log.js';
import { KeyedMutex } from '../store/KeyedMutex.js';
import type { Store } from '../store/Store.js';
import { ConclusionHistory, type ConclusionTexts } from './ConclusionHistory.js';
import { describeMissing, hasParked, missingRanges } from './UpdateIntegrity.js';
import { allowedNames, checkTransaction, HUB_ORIGIN, PersonOrigin, prepareLayout } from './WorkspaceRules.js';

/** What the transport hears after each stored change. */
export interface WorkspaceListener {
  /** An update every other holder of the document applies; `writer` is the connection it came from (null: the hub). */
  updated(meetingId: MeetingId, update: Uint8Array, writer: string | null): void;
  /** The conclusions changed (throttled). */
  conclusions(meetingId: MeetingId, conclusions: ConclusionView[]): void;
}

/** The workspace's content at one moment, for the exports. */
export interface WorkspaceContent {
  conclusions: ConclusionView[];
  petitions: PetitionView[];
  notice: NoticeFields;
  /** Minutes text per agenda item id. */
  minutes: Record<string, string>;
}

/** Tunables; tests shorten them. */
export interface WorkspaceOptions {
  clock?: () => number;
  /** Compact a document's stored log once this many updates were appended since the last compaction. */
  compactEvery?: number;
  /** Delay before the conclusions projection is sent after a change (throttle). */
  conclusionsDelayMs?: number;
  /** A document unused this long is dropped from memory (it is in the store). */
  idleMs?: number;
  /** A burst of edits of one conclusion by one person becomes one history line this long after its last key. */
  historyQuietMs?: number;
}

interface LoadedDoc {
  doc: Y.Doc;
  /** Agenda item ids, in agenda order (names the document may use). */
  itemIds: string[];
  allowed: Set<string>;
  /** Updates appended to the stored log since it was last compacted (or read). */
  appended: number;
  /** Length of the stored log when read or compacted, plus appends since. */
  logLength: number;
  idle: NodeJS.Timeout | null;
  /** Each conclusion's text as last stored (what a deletion removed, for the history). */
  conclusionTexts: Map<string, string>;
}

/**
 * The hub's side of the collaborative workspace: one Y.Doc per meeting, rebuilt from the store's
 * document log, one writer at a time per meeting. Each secretary's update is size-checked,
 * applied, checked against the workspace rules, and appended to the store before it is
 * acknowledged or shown to anyone, so an acknowledged edit survives a hub restart.
 */
export class WorkspaceService {
  readonly #mutex = new KeyedMutex<string>();
  readonly #docs = new Map<string, LoadedDoc>();
  readonly #listeners: WorkspaceListener[] = [];
  readonly #pendingConclusions = new Map<string, NodeJS.Timeout>();
  readonly #lastConclusions = new Map<string, string>();
  readonly #clock: () => number;
  readonly #compactEvery: number;
  readonly #conclusionsDelayMs: number;
  readonly #idleMs: number;
  readonly #historyQuietMs: number;
  readonly #history: ConclusionHistory;
  /** Per meeting: the timer that writes the open bursts of edits to the history. */
  readonly #historyTimers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly meetings: { get(meetingId: string): Promise<MeetingRecord> },
    options: WorkspaceOptions = {},
  ) {
    this.#clock = options.clock ?? Date.now;
    this.#compactEvery = options.compactEvery ?? 200;
    this.#conclusionsDelayMs = options.conclusionsDelayMs ?? 150;
    this.#idleMs = options.idleMs ?? 15 * 60_000;
    this.#historyQuietMs = options.historyQuietMs ?? 3000;
    this.#history = new ConclusionHistory(this.#clock);
    if (!store.compactDocUpdates) {
      log.warn(
        'WorkspaceService',
        'the store cannot compact document logs: restart replay grows with the log',
      );
    }
  }

  /** Subscribes to stored changes. */
  onChanged(listener: WorkspaceListener): void {
    this.#listeners.push(listener);
  }

  /**
   * First half of a sync: returns what a reader with `stateVector` lacks, and the hub's state
   * vector so the reader can send what the hub lacks. Reads the stored log first, so updates
   * stored by another hub instance are included.
   */
  async sync(
    meetingId: MeetingId,
    actor: Actor,
    stateVector: Uint8Array,
  ): Promise<{ update: Uint8Array; stateVector: Uint8Array }> {
    unwrap(authorize(actor, 'readMinutes'));
    return this.#mutex.run(meetingId, async () => {
      const loaded = await this.#load(meetingId, true);
      let update: Uint8Array;
      try {
        update = Y.encodeStateAsUpdate(loaded.doc, stateVector);
      } catch {
        throw new DomainError('VALIDATION', 'the state vector is malformed');
      }
      return { update, stateVector: Y.encodeStateVector(loaded.doc) };
    });
  }

  /**
   * Applies one secretary update. Refused with LIMIT when larger than DOC_UPDATE_MAX_BYTES, with
   * CONFLICT ("missing earlier updates") when it depends on changes the hub does not have (it
   * could not be placed: nothing of it is kept, and the writer syncs again), with
   * FORBIDDEN/VALIDATION/INVALID_STATE when it breaks a workspace rule (then nothing is kept),
   * UNAVAILABLE when the store cannot keep it. Resolves only once the store has it, with the
   * hub's state vector.
   */
  async update(
    meetingId: MeetingId,
    actor: Actor,
    update: Uint8Array,
    writer: string | null,
  ): Promise<{ stateVector: Uint8Array }> {
    unwrap(authorize(actor, 'writeMinutes'));
    if (update.byteLength > DOC_UPDATE_MAX_BYTES) {
      throw new DomainError(
        'LIMIT',
        `An edit of ${Math.ceil(update.byteLength / 1024)} KB is larger than the ${DOC_UPDATE_MAX_BYTES / 1024} KB allowed at once`,
      );
    }
    return this.#mutex.run(meetingId, async () => {
      const loaded = await this.#load(meetingId, false);
      const origin = new PersonOrigin(actor);
      let wasClean = !hasParked(loaded.doc);
      try {
        Y.applyUpdate(loaded.doc, update, origin);
      } catch (err) {
        this.#evict(meetingId);
        log.warn('WorkspaceService.update()', 'malformed update refused', {
          meetingId,
          error: err instanceof Error ? err.message : String(err),
        });
        throw new DomainError('VALIDATION', 'the update is malformed');
      }
      let doc = loaded.doc;
      if (origin.unknownName) {
        // Maybe the organizer added an agenda item since the document was loaded: re-read and re-check.
        this.#evict(meetingId);
        const fresh = await this.#load(meetingId, false);
        origin.violation = null;
        origin.unknownName = false;
        origin.conclusionChanges.clear();
        wasClean = !hasParked(fresh.doc);
        Y.applyUpdate(fresh.doc, update, origin);
        doc = fresh.doc;
      }
      const missing = missingRanges(doc, update, wasClean);
      if (missing.length > 0) {
        // Yjs parked what it could not place: forget this memory so nothing unstored is ever served.
        this.#evict(meetingId);
        log.warn('WorkspaceService.update()', 'update depends on changes the hub lacks; refused', {
          meetingId,
          participant: actor.participantId,
          ranges: missing.map((r) => `${r.client}:${r.have}-${r.need}`).join(' '),
        });
        throw new DomainError('CONFLICT', describeMissing(missing));
      }
      if (origin.violation) {
        // Nothing of it is kept: the document is rebuilt from the stored log on next use.
        this.#evict(meetingId);
        log.warn('WorkspaceService.update()', 'update refused', {
          meetingId,
          participant: actor.participantId,
          reason: origin.violation.message,
        });
        throw origin.violation;
      }
      const stateVector = Y.encodeStateVector(doc);
      await this.#append(meetingId, update);
      this.#emitUpdated(meetingId, update, writer);
      if (origin.touchedConclusions) this.#scheduleConclusions(meetingId);
      if (origin.conclusionChanges.size > 0) {
        await this.#recordChanges(meetingId, actor.displayName, origin.conclusionChanges);
      }
      return { stateVector };
    });
  }

  /** The conclusions of every agenda item, in agenda order (chair, operator, secretaries). */
  async conclusions(meetingId: MeetingId, actor: Actor): Promise<ConclusionView[]> {
    unwrap(authorize(actor, 'readConclusions'));
    return this.#mutex.run(meetingId, async () => {
      // Read on (re)join only: include what other hub instances stored.
      const loaded = await this.#load(meetingId, true);
      return readConclusions(loaded.doc, loaded.itemIds);
    });
  }

  /**
   * The chair confirms a conclusion (or withdraws the confirmation): the hub writes it into the
   * document as its own update, stored and sent like any other. Confirming twice changes nothing.
   */
  async confirm(
    meetingId: MeetingId,
    actor: Actor,
    conclusionId: string,
    confirmed: boolean,
  ): Promise<ConclusionView> {
    unwrap(authorize(actor, 'confirmConclusion'));
    return this.#mutex.run(meetingId, async () => {
      let loaded = await this.#load(meetingId, false);
      if (!findConclusion(loaded.doc, loaded.itemIds, conclusionId)) {
        loaded = await this.#load(meetingId, true);
      }
      if (!findConclusion(loaded.doc, loaded.itemIds, conclusionId)) {
        throw new DomainError('NOT_FOUND', `conclusion ${conclusionId} does not exist`);
      }
      const confirmations = confirmationsMap(loaded.doc);
      if (confirmations.has(conclusionId) !== confirmed) {
        await this.#flushEdits(meetingId);
        const at = this.#clock();
        const text = findConclusion(loaded.doc, loaded.itemIds, conclusionId)?.entry.get('text');
        const before = Y.encodeStateVector(loaded.doc);
        loaded.doc.transact(() => {
          if (confirmed) confirmations.set(conclusionId, { by: actor.displayName, at });
          else confirmations.delete(conclusionId);
          historyArray(loaded.doc).push([
            {
              conclusionId,
              action: confirmed ? 'confirmed' : 'unconfirmed',
              by: actor.displayName,
              at,
              text: text instanceof Y.Text ? text.toString() : '',
            },
          ]);
        }, HUB_ORIGIN);
        const update = Y.encodeStateAsUpdate(loaded.doc, before);
        try {
          await this.#append(meetingId, update);
        } catch (err) {
          this.#evict(meetingId);
          throw err;
        }
        this.#emitUpdated(meetingId, update, null);
        this.#scheduleConclusions(meetingId, 0);
      }
      const view = readConclusions(loaded.doc, loaded.itemIds).find((c) => c.id === conclusionId);
      if (!view) throw new DomainError('NOT_FOUND', `conclusion ${conclusionId} does not exist`);
      return view;
    });
  }

  /** The history of one conclusion (or of all), oldest first (chair, operator, secretaries). */
  async history(meetingId: MeetingId, actor: Actor, conclusionId?: string): Promise<ConclusionChange[]> {
    unwrap(authorize(actor, 'readConclusions'));
    await this.#mutex.run(meetingId, () => this.#flushEdits(meetingId));
    return this.#mutex.run(meetingId, async () => {
      const loaded = await this.#load(meetingId, true);
      return historyArray(loaded.doc)
        .toArray()
        .filter((c) => !conclusionId || c.conclusionId === conclusionId);
    });
  }

  /**
   * Writes what a person's update did to conclusions into the history (the hub's own update,
   * stored and sent like any other). Creations, deletions and restorations are written at once;
   * edits become one line per burst, written once the conclusion has been quiet a moment.
   */
  async #recordChanges(meetingId: MeetingId, by: string, changes: ReadonlyMap<string, ConclusionAction>) {
    const loaded = this.#docs.get(meetingId);
    if (!loaded) return;
    const lines = this.#history.record(meetingId, by, changes, textsOf(loaded));
    this.#rememberTexts(loaded);
    if (lines.length > 0) await this.#writeHistory(meetingId, lines);
    const timer = this.#historyTimers.get(meetingId);
    if (timer) clearTimeout(timer);
    this.#historyTimers.delete(meetingId);
    if (!this.#history.hasOpen(meetingId) || this.#closed) return;
    const next = setTimeout(() => {
      this.#historyTimers.delete(meetingId);
      void this.#mutex
        .run(meetingId, () => this.#flushEdits(meetingId))
        .catch((err: unknown) =>
          log.warn('WorkspaceService', 'history not written', {
            meetingId,
            error: err instanceof Error ? err.message : String(err),
          }),
        );
    }, this.#historyQuietMs);
    next.unref();
    this.#historyTimers.set(meetingId, next);
  }

  /** Writes the open bursts of edits of a meeting to the history (inside its mutex). */
  async #flushEdits(meetingId: MeetingId): Promise<void> {
    if (!this.#history.hasOpen(meetingId)) return;
    const loaded = await this.#load(meetingId, false);
    const lines = this.#history.close(meetingId, textsOf(loaded));
    if (lines.length > 0) await this.#writeHistory(meetingId, lines);
  }

  /** Appends history lines as the hub's own update: stored, then sent. */
  async #writeHistory(meetingId: MeetingId, lines: readonly ConclusionChange[]): Promise<void> {
    const loaded = await this.#load(meetingId, false);
    const before = Y.encodeStateVector(loaded.doc);
    loaded.doc.transact(() => historyArray(loaded.doc).push([...lines]), HUB_ORIGIN);
    const update = Y.encodeStateAsUpdate(loaded.doc, before);
    await this.#append(meetingId, update);
    this.#emitUpdated(meetingId, update, null);
  }

  #rememberTexts(loaded: LoadedDoc): void {
    loaded.conclusionTexts = new Map(readConclusions(loaded.doc, loaded.itemIds).map((c) => [c.id, c.text]));
  }

  /** Everything the exports need, from the stored log (no permission check: the caller checked). */
  content(meetingId: MeetingId): Promise<WorkspaceContent> {
    return this.#mutex.run(meetingId, async () => {
      const loaded = await this.#load(meetingId, true);
      const minutes: Record<string, string> = {};
      for (const id of loaded.itemIds) minutes[id] = loaded.doc.getText(`minutes:${id}`).toString();
      return {
        conclusions: readConclusions(loaded.doc, loaded.itemIds),
        petitions: readPetitions(loaded.doc),
        notice: readNoticeFields(loaded.doc),
        minutes,
      };
    });
  }

  /**
   * Merges a document's stored log into one update (deleted text garbage-collected), keeping any
   * update appended meanwhile. Returns the number of updates replaced (0 when nothing to do).
   */
  compact(meetingId: MeetingId): Promise<number> {
    return this.#mutex.run(meetingId, () => this.#compact(meetingId));
  }

  /** Drops every document from memory and stops timers; idempotent. Stored logs are untouched. */
  close(): void {
    this.#closed = true;
    for (const t of this.#historyTimers.values()) clearTimeout(t);
    this.#historyTimers.clear();
    this.#history.clear();
    for (const t of this.#pendingConclusions.values()) clearTimeout(t);
    this.#pendingConclusions.clear();
    for (const id of [...this.#docs.keys()]) this.#evict(id);
  }

  async #load(meetingId: MeetingId, refresh: boolean): Promise<LoadedDoc> {
    if (this.#closed) throw new DomainError('UNAVAILABLE', 'the hub is shutting down');
    let loaded = this.#docs.get(meetingId);
    if (!loaded) {
      const record = await this.meetings.get(meetingId);
      const itemIds = record.agenda.items.map((i) => i.id as string);
      const doc = new Y.Doc({ gc: true });
      prepareLayout(doc, itemIds);
      loaded = {
        doc,
        itemIds,
        allowed: allowedNames(itemIds),
        appended: 0,
        logLength: 0,
        idle: null,
        conclusionTexts: new Map(),
      };
      doc.on('afterTransaction', (tr) => {
        if (tr.origin instanceof PersonOrigin && tr.origin.violation === null) {
          tr.origin.violation = checkTransaction(tr, tr.origin, (loaded as LoadedDoc).allowed);
        }
      });
      const started = performance.now();
      const updates = await this.store.readDocUpdates(meetingId, WORKSPACE_DOC);
      this.#applyStored(doc, updates);
      loaded.logLength = updates.length;
      this.#rememberTexts(loaded);
      this.#docs.set(meetingId, loaded);
      if (doc.store.pendingStructs || doc.store.pendingDs) {
        // Stored before the hub checked updates for missing dependencies: kept, but reported.
        log.warn('WorkspaceService.#load()', 'the stored log holds changes that depend on missing ones', {
          meetingId,
        });
      }
      log.debug('WorkspaceService.#load()', 'document loaded', {
        meetingId,
        updates: updates.length,
        ms: Math.round(performance.now() - started),
      });
      if (updates.length > this.#compactEvery) {
        loaded.appended = updates.length;
        await this.#compactQuietly(meetingId);
      }
    } else if (refresh) {
      // Another hub instance may have stored updates: apply the whole log (idempotent).
      const [record, updates] = await Promise.all([
        this.meetings.get(meetingId),
        this.store.readDocUpdates(meetingId, WORKSPACE_DOC),
      ]);
      loaded.itemIds = record.agenda.items.map((i) => i.id as string);
      loaded.allowed = allowedNames(loaded.itemIds);
      prepareLayout(loaded.doc, loaded.itemIds);
      this.#applyStored(loaded.doc, updates);
      loaded.logLength = updates.length;
      this.#rememberTexts(loaded);
    }
    this.#touch(meetingId, loaded);
    return loaded;
  }

  /** Applies stored updates as the hub's own (they were checked when they arrived). */
  #applyStored(doc: Y.Doc, updates: readonly Uint8Array[]): void {
    // One by one in one transaction: Y.mergeUpdates of thousands of small updates is far slower.
    if (updates.length === 0) return;
    doc.transact(() => {
      for (const u of updates) Y.applyUpdate(doc, u, HUB_ORIGIN);
    }, HUB_ORIGIN);
  }

  async #append(meetingId: MeetingId, update: Uint8Array): Promise<void> {
    try {
      await this.store.appendDocUpdate(meetingId, WORKSPACE_DOC, update);
    } catch (err) {
      // The update is in memory but not stored: forget the memory so nothing unstored is ever served.
      this.#evict(meetingId);
      log.warn('WorkspaceService.#append()', 'update not stored', {
        meetingId,
        error: err instanceof Error ? err.message : String(err),
      });
      throw err instanceof DomainError
        ? err
        : new DomainError('UNAVAILABLE', 'The edit could not be saved; it will be sent again');
    }
    const loaded = this.#docs.get(meetingId);
    if (!loaded) return;
    loaded.appended += 1;
    loaded.logLength += 1;
    if (loaded.appended >= this.#compactEvery) {
      // After this task, still one at a time with the meeting's other work.
      void this.#mutex.run(meetingId, () => this.#compactQuietly(meetingId));
    }
  }

  async #compactQuietly(meetingId: MeetingId): Promise<void> {
    try {
      await this.#compact(meetingId);
    } catch (err) {
      log.warn('WorkspaceService.#compact()', 'compaction failed; the log stays as it is', {
        meetingId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  async #compact(meetingId: MeetingId): Promise<number> {
    if (!this.store.compactDocUpdates || this.#closed) return 0;
    const updates = await this.store.readDocUpdates(meetingId, WORKSPACE_DOC);
    if (updates.length < 2) return 0;
    const started = performance.now();
    // A fresh doc from the stored log, not the live one: only what is stored may replace it.
    const scratch = new Y.Doc({ gc: true });
    const loadedNow = this.#docs.get(meetingId);
    if (loadedNow) prepareLayout(scratch, loadedNow.itemIds);
    this.#applyStored(scratch, updates);
    const merged = Y.encodeStateAsUpdate(scratch);
    scratch.destroy();
    await this.store.compactDocUpdates(meetingId, WORKSPACE_DOC, merged, updates.length);
    const loaded = this.#docs.get(meetingId);
    if (loaded) {
      loaded.appended = 0;
      loaded.logLength -= updates.length - 1;
    }
    log.debug('WorkspaceService.#compact()', 'document log compacted', {
      meetingId,
      updates: updates.length,
      bytes: merged.byteLength,
      ms: Math.round(performance.now() - started),
    });
    return updates.length;
  }

  #touch(meetingId: string, loaded: LoadedDoc): void {
    if (loaded.idle) clearTimeout(loaded.idle);
    loaded.idle = setTimeout(() => {
      void this.#mutex.run(meetingId, async () => {
        if (this.#docs.get(meetingId) !== loaded) return;
        if (loaded.appended > 0) await this.#compactQuietly(meetingId as MeetingId);
        this.#evict(meetingId);
      });
    }, this.#idleMs);
    loaded.idle.unref();
  }

  #evict(meetingId: string): void {
    const loaded = this.#docs.get(meetingId);
    if (!loaded) return;
    if (loaded.idle) clearTimeout(loaded.idle);
    loaded.doc.destroy();
    this.#docs.delete(meetingId);
  }

  #emitUpdated(meetingId: MeetingId, update: Uint8Array, writer: string | null): void {
    for (const l of this.#listeners) {
      try {
        l.updated(meetingId, update, writer);
      } catch (err) {
        log.error('WorkspaceService', 'listener failed', err, { meetingId });
      }
    }
  }

  /** Sends the conclusions once after a burst of typing, and only when they changed. */
  #scheduleConclusions(meetingId: MeetingId, delayMs = this.#conclusionsDelayMs): void {
    if (this.#pendingConclusions.has(meetingId) || this.#closed) return;
    const timer = setTimeout(() => {
      this.#pendingConclusions.delete(meetingId);
      void this.#mutex
        .run(meetingId, async () => {
          const loaded = await this.#load(meetingId, false);
          return readConclusions(loaded.doc, loaded.itemIds);
        })
        .then((list) => {
          const json = JSON.stringify(list);
          if (this.#lastConclusions.get(meetingId) === json) return;
          this.#lastConclusions.set(meetingId, json);
          for (const l of this.#listeners) l.conclusions(meetingId, list);
        })
        .catch((err: unknown) =>
          log.warn('WorkspaceService', 'conclusions not sent', {
            meetingId,
            error: err instanceof Error ? err.message : String(err),
          }),
        );
    }, delayMs);
    timer.unref();
    this.#pendingConclusions.set(meetingId, timer);
  }
}

/** Each conclusion's text as last stored (before the update being recorded) and now. */
function textsOf(loaded: LoadedDoc): ConclusionTexts {
  return {
    before: (id) => loaded.conclusionTexts.get(id) ?? '',
    after: (id) => {
      const text = findConclusion(loaded.doc, loaded.itemIds, id)?.entry.get('text');
      return text instanceof Y.Text ? text.toString() : '';
    },
  };
}
