import {
  addConclusion,
  addPetition,
  type ConclusionView,
  conclusionsArray,
  petitionsArray,
  removeEntry,
} from '@giaoban/shared';
import * as Y from 'yjs';
import { errorCodeOf } from '../services/request';
import { session } from '../services/session';
import { meetingStore } from '../state/meetingState';
import { createStore } from '../state/store';
import { DocSync, type SyncStatus } from './DocSync';
import {
  IdbDocStore,
  type LocalDocStore,
  localStoreName,
  MemoryDocStore,
  migrateLegacyStores,
} from './LocalDocStore';

/** What the workspace views draw from (serialisable; the Y.Doc lives in the service). */
export interface WorkspaceState {
  /** Bumped whenever the service opens a new document: views re-bind to `workspace.doc`. */
  generation: number;
  ready: boolean;
  status: SyncStatus;
  /** Live conclusions for the console's read-only panel. */
  conclusions: ConclusionView[];
  /** The conclusion this secretary deleted last, while it can still be undone. */
  undoable: { itemId: string; text: string } | null;
}

/** The workspace store of the page. */
export const workspaceStore = createStore<WorkspaceState>({
  generation: 0,
  ready: false,
  status: { state: 'loading', pending: 0, unsavedSince: null, refused: null, localStoreFailed: false },
  conclusions: [],
  undoable: null,
});

/** Origin of this page's conclusion deletions (what "undo" reverts). */
const DELETION = Symbol('deletion');

const newId = (): string =>
  globalThis.crypto?.randomUUID?.() ??
  `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * The secretary's document: a Y.Doc kept in the page's one local store (IndexedDB: the document
 * and its unsent edits written together), synchronised through the page's meeting session. Owns
 * the live objects; the store holds only flags.
 */
class WorkspaceService {
  doc: Y.Doc | null = null;
  private sync: DocSync | null = null;
  private local: LocalDocStore | null = null;
  private undo: Y.UndoManager | null = null;
  private meetingId: string | null = null;
  private cleanups: (() => void)[] = [];

  /** Opens the workspace of a meeting (secretaries); idempotent for the same meeting. */
  async open(meetingId: string): Promise<void> {
    if (this.meetingId === meetingId) return;
    this.close();
    this.meetingId = meetingId;
    this.local =
      typeof indexedDB === 'undefined' ? new MemoryDocStore() : new IdbDocStore(localStoreName(meetingId));
    this.cleanups.push(session.on('doc:updated', ({ update }) => this.sync?.receive(update)));
    await this.openDoc();
    if (this.meetingId !== meetingId) return;
    // Follow the session only once the engine exists, so the first "joined" is not missed.
    let wasJoined = false;
    const follow = () => {
      const joined = meetingStore.get().phase === 'joined';
      if (joined === wasJoined || !this.sync) return;
      wasJoined = joined;
      if (joined) void this.sync.connected();
      else this.sync.disconnected();
    };
    this.cleanups.push(meetingStore.subscribe(follow));
    follow();
  }

  /** Closes the document (the local store stays for next time). */
  close(): void {
    for (const c of this.cleanups.splice(0)) c();
    this.sync?.close();
    this.undo?.destroy();
    this.doc?.destroy();
    this.local?.close();
    this.sync = null;
    this.undo = null;
    this.doc = null;
    this.local = null;
    this.meetingId = null;
    workspaceStore.set({ ready: false, undoable: null });
  }

  /** Forgets the last refusal message. */
  dismissRefusal(): void {
    this.sync?.dismissRefusal();
  }

  /** Adds a conclusion to an item, signed with this secretary's name. */
  addConclusion(itemId: string, text: string): void {
    if (!this.doc) return;
    addConclusion(this.doc, itemId, { id: newId(), text, author: this.author(), at: Date.now() });
  }

  /** Deletes a conclusion (the page asked first); it can be undone until the next deletion. */
  removeConclusion(itemId: string, id: string): void {
    const doc = this.doc;
    if (!doc) return;
    const entry = conclusionsArray(doc, itemId)
      .toArray()
      .find((m) => m.get('id') === id);
    const text = entry?.get('text');
    this.undo?.destroy();
    this.undo = new Y.UndoManager(conclusionsArray(doc, itemId), {
      trackedOrigins: new Set([DELETION]),
      captureTimeout: 0,
    });
    doc.transact(() => removeEntry(conclusionsArray(doc, itemId), id), DELETION);
    workspaceStore.set({ undoable: { itemId, text: text instanceof Y.Text ? text.toString() : '' } });
  }

  /** Brings back the conclusion deleted last (same id, author and time). */
  undoRemoval(): void {
    this.undo?.undo();
    this.undo?.clear();
    workspaceStore.set({ undoable: null });
  }

  /** Forgets the undo offer. */
  dismissUndo(): void {
    this.undo?.clear();
    workspaceStore.set({ undoable: null });
  }

  /** Adds a petition to the log. */
  addPetition(itemId: string | null, site: string, petition: string): void {
    if (!this.doc) return;
    addPetition(this.doc, { id: newId(), itemId, site, petition, author: this.author(), at: Date.now() });
  }

  /** Deletes a petition. */
  removePetition(id: string): void {
    if (this.doc) removeEntry(petitionsArray(this.doc), id);
  }

  private author(): string {
    return meetingStore.get().self?.displayName ?? '';
  }

  private async openDoc(): Promise<void> {
    const meetingId = this.meetingId;
    const local = this.local;
    if (!meetingId || !local) return;
    if (local instanceof IdbDocStore) {
      try {
        const moved = await migrateLegacyStores(meetingId, local, Y.mergeUpdates);
        if (moved > 0)
          console.info(`WorkspaceService.openDoc() | moved ${moved} updates from the old local databases`);
      } catch (error) {
        console.warn(
          'WorkspaceService.openDoc() | the old local databases could not be read; they are kept',
          error,
        );
      }
    }
    const doc = new Y.Doc();
    const sync = new DocSync(
      doc,
      {
        sync: (stateVector) => session.request('doc:sync', { stateVector }),
        update: (update) => session.request('doc:update', { update }),
      },
      local,
      {
        onStatus: (status) => workspaceStore.set({ status }),
        // The refused change is in this copy only: rebuild it from the hub (and the other unsent edits).
        onRefused: () => void this.rebuild(),
      },
    );
    await sync.start();
    if (this.meetingId !== meetingId) {
      sync.close();
      doc.destroy();
      return;
    }
    this.doc = doc;
    this.sync = sync;
    this.undo?.destroy();
    this.undo = null;
    workspaceStore.set((s) => ({ ...s, ready: true, undoable: null, generation: s.generation + 1 }));
  }

  /** Drops the local copy of the document and opens it again from the hub and the unsent edits. */
  private async rebuild(): Promise<void> {
    const refused = this.sync?.status().refused ?? null;
    this.sync?.close();
    await this.local?.resetDoc();
    this.doc?.destroy();
    this.sync = null;
    this.doc = null;
    await this.openDoc();
    if (refused) workspaceStore.set((s) => ({ ...s, status: { ...s.status, refused } }));
    // openDoc() set a new engine (TypeScript still sees the null assigned above).
    const fresh = this.sync as DocSync | null;
    if (meetingStore.get().phase === 'joined') void fresh?.connected();
  }
}

/** The page's one workspace. */
export const workspace = new WorkspaceService();

/**
 * Follows the conclusions for the console's read-only panel (chair, operator): loads them on
 * every (re)join and applies the hub's pushes. Shared by every caller; returns this caller's stop function.
 */
export function followConclusions(): () => void {
  followers += 1;
  if (followers === 1) stopFollowing = startFollowing();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    followers -= 1;
    if (followers === 0) stopFollowing?.();
  };
}

let followers = 0;
let stopFollowing: (() => void) | null = null;

function startFollowing(): () => void {
  let wasJoined = false;
  const load = async () => {
    try {
      workspaceStore.set({ conclusions: await session.request('doc:conclusions', {}) });
    } catch (error) {
      console.warn('followConclusions() | doc:conclusions failed', errorCodeOf(error));
    }
  };
  const off = session.on('doc:conclusions', (conclusions) => workspaceStore.set({ conclusions }));
  const unsubscribe = meetingStore.subscribe(() => {
    const joined = meetingStore.get().phase === 'joined';
    if (joined && !wasJoined) void load();
    wasJoined = joined;
  });
  if (meetingStore.get().phase === 'joined') {
    wasJoined = true;
    void load();
  }
  return () => {
    off();
    unsubscribe();
  };
}

/** The chair confirms a conclusion or withdraws the confirmation; resolves to the error code on refusal. */
export async function confirmConclusion(conclusionId: string, confirmed: boolean): Promise<string | null> {
  try {
    const view = await session.request('doc:confirm', { conclusionId, confirmed });
    workspaceStore.set((s) => ({
      ...s,
      conclusions: s.conclusions.map((c) => (c.id === view.id ? view : c)),
    }));
    return null;
  } catch (error) {
    return errorCodeOf(error);
  }
}

/** Downloads an export with this page's join token (no token in the URL) and saves it under the hub's file name. */
export async function downloadExport(meetingId: string, file: string): Promise<void> {
  const res = await fetch(`/api/meetings/${encodeURIComponent(meetingId)}/exports/${file}`, {
    headers: { authorization: `Bearer ${session.joinToken ?? ''}` },
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const utf8 = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const ascii = /filename="([^"]+)"/.exec(disposition)?.[1];
  const name = utf8 ? decodeURIComponent(utf8) : (ascii ?? file);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
