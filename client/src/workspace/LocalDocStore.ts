/**
 * The page's one local store of the workspace: the Yjs document (as its updates) and the edits the
 * hub has not acknowledged yet, in ONE IndexedDB database. A local edit is written to both in one
 * transaction, so after a crash, a killed tab or a power cut the two cannot disagree: either the
 * edit is in the document and in the unsent list, or in neither (and then nothing that depends
 * on it was typed on top of it, because later edits are later transactions).
 */

/** One unsent edit: its key, the Yjs update, and when it was typed. */
export interface UnsentEdit {
  key: number;
  update: Uint8Array;
  at: number;
}

/** What the store holds when the page opens. */
export interface StoredWorkspace {
  /** The document's updates (local and from the hub), oldest first. */
  doc: Uint8Array[];
  /** Local edits not acknowledged by the hub, oldest first. */
  unsent: UnsentEdit[];
}

/** The local store of one meeting's workspace. */
export interface LocalDocStore {
  /** Everything kept. */
  load(): Promise<StoredWorkspace>;
  /** Keeps a local edit in the document and in the unsent list, in one transaction; resolves to its key. */
  addLocal(update: Uint8Array, at: number): Promise<number>;
  /** Keeps an update that came from the hub (already stored there). */
  addRemote(update: Uint8Array): Promise<void>;
  /** Forgets unsent edits the hub acknowledged (they stay in the document). */
  acknowledge(keys: readonly number[]): Promise<void>;
  /** Replaces the document's updates with one encoded state, in one transaction. */
  compact(state: Uint8Array): Promise<void>;
  /** Drops the document's updates but keeps the unsent edits (the page rebuilds the document from the hub). */
  resetDoc(): Promise<void>;
  /** Number of document updates kept (to decide when to compact). */
  readonly docUpdates: number;
  /** Closes the connection; idempotent. */
  close(): void;
}

/** A store in memory (tests, or a browser without IndexedDB: then a reload loses unsent edits). */
export class MemoryDocStore implements LocalDocStore {
  doc: Uint8Array[] = [];
  unsent: UnsentEdit[] = [];
  private next = 1;

  get docUpdates(): number {
    return this.doc.length;
  }

  async load(): Promise<StoredWorkspace> {
    return { doc: [...this.doc], unsent: [...this.unsent] };
  }

  async addLocal(update: Uint8Array, at: number): Promise<number> {
    const key = this.next++;
    this.doc.push(update);
    this.unsent.push({ key, update, at });
    return key;
  }

  async addRemote(update: Uint8Array): Promise<void> {
    this.doc.push(update);
  }

  async acknowledge(keys: readonly number[]): Promise<void> {
    const drop = new Set(keys);
    this.unsent = this.unsent.filter((e) => !drop.has(e.key));
  }

  async compact(state: Uint8Array): Promise<void> {
    this.doc = [state];
  }

  async resetDoc(): Promise<void> {
    this.doc = [];
  }

  /** Loses everything (a wiped browser profile), for tests. */
  wipe(): void {
    this.doc = [];
    this.unsent = [];
  }

  close(): void {}
}

const DOC = 'doc';
const UNSENT = 'unsent';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/** Name of the one database of a meeting's workspace. */
export const localStoreName = (meetingId: string): string => `giaoban-workspace:${meetingId}`;

/** The store in IndexedDB: one database per meeting with two object stores written together. */
export class IdbDocStore implements LocalDocStore {
  private readonly db: Promise<IDBDatabase>;
  private count = 0;
  private closed = false;

  constructor(name: string, factory: IDBFactory = indexedDB) {
    const open = factory.open(name, 1);
    open.onupgradeneeded = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains(DOC)) db.createObjectStore(DOC, { autoIncrement: true });
      if (!db.objectStoreNames.contains(UNSENT)) db.createObjectStore(UNSENT, { autoIncrement: true });
    };
    this.db = promised(open).then((db) => {
      // Someone deletes the database (the profile is being wiped): let them; writes then fail visibly.
      db.onversionchange = () => db.close();
      return db;
    });
  }

  get docUpdates(): number {
    return this.count;
  }

  async load(): Promise<StoredWorkspace> {
    const db = await this.db;
    const tx = db.transaction([DOC, UNSENT], 'readonly');
    const [doc, keys, values] = await Promise.all([
      promised(tx.objectStore(DOC).getAll() as IDBRequest<Uint8Array[]>),
      promised(tx.objectStore(UNSENT).getAllKeys()),
      promised(tx.objectStore(UNSENT).getAll() as IDBRequest<{ update: Uint8Array; at: number }[]>),
    ]);
    this.count = doc.length;
    return {
      doc: doc.map((u) => new Uint8Array(u)),
      unsent: keys.map((key, i) => ({
        key: key as number,
        update: new Uint8Array((values[i] as { update: Uint8Array }).update),
        at: (values[i] as { at: number }).at,
      })),
    };
  }

  async addLocal(update: Uint8Array, at: number): Promise<number> {
    const db = await this.db;
    const tx = db.transaction([DOC, UNSENT], 'readwrite');
    tx.objectStore(DOC).add(update);
    const key = promised(tx.objectStore(UNSENT).add({ update, at }));
    await done(tx);
    this.count += 1;
    return (await key) as number;
  }

  async addRemote(update: Uint8Array): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(DOC, 'readwrite');
    tx.objectStore(DOC).add(update);
    await done(tx);
    this.count += 1;
  }

  async acknowledge(keys: readonly number[]): Promise<void> {
    if (keys.length === 0) return;
    const db = await this.db;
    const tx = db.transaction(UNSENT, 'readwrite');
    for (const key of keys) tx.objectStore(UNSENT).delete(key);
    await done(tx);
  }

  async compact(state: Uint8Array): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(DOC, 'readwrite');
    tx.objectStore(DOC).clear();
    tx.objectStore(DOC).add(state);
    await done(tx);
    this.count = 1;
  }

  async resetDoc(): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(DOC, 'readwrite');
    tx.objectStore(DOC).clear();
    await done(tx);
    this.count = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.db.then((db) => db.close()).catch(() => undefined);
  }
}

/** Databases of the client before the one local store: the document (y-indexeddb) and its outbox. */
const legacyNames = (meetingId: string): string[] => [
  `giaoban-ws:${meetingId}`,
  `giaoban-outbox:${meetingId}`,
];

/**
 * Moves what an earlier version of the page kept (the document and its outbox, in two databases)
 * into the one store, as one unsent edit, then deletes the old databases. The hub takes what it
 * lacks of it and ignores the rest, so nothing kept by the old page is lost in the upgrade.
 */
export async function migrateLegacyStores(
  meetingId: string,
  store: LocalDocStore,
  merge: (updates: Uint8Array[]) => Uint8Array,
  factory: IDBFactory = indexedDB,
): Promise<number> {
  if (typeof factory.databases !== 'function') return 0;
  const existing = new Set((await factory.databases()).map((d) => d.name));
  const names = legacyNames(meetingId).filter((n) => existing.has(n));
  if (names.length === 0) return 0;
  const updates: Uint8Array[] = [];
  for (const name of names) {
    const db = await promised(factory.open(name));
    try {
      if (db.objectStoreNames.contains('updates')) {
        const tx = db.transaction('updates', 'readonly');
        const values = await promised(tx.objectStore('updates').getAll() as IDBRequest<Uint8Array[]>);
        for (const v of values) updates.push(new Uint8Array(v));
      }
    } finally {
      db.close();
    }
  }
  if (updates.length > 0) await store.addLocal(merge(updates), Date.now());
  for (const name of names) await promised(factory.deleteDatabase(name)).catch(() => undefined);
  return updates.length;
}
