/**
 * The queue of local edits the hub has not acknowledged yet. It is kept in IndexedDB, so edits
 * typed offline survive a page reload and are sent when the link is back.
 */

/** One queued update and its key in the queue. */
export interface OutboxEntry {
  key: number;
  update: Uint8Array;
}

/** Durable FIFO of unacknowledged updates. */
export interface Outbox {
  /** Every queued update, oldest first. */
  all(): Promise<OutboxEntry[]>;
  /** Queues an update; resolves to its key once it is durable. */
  add(update: Uint8Array): Promise<number>;
  /** Removes acknowledged updates. */
  remove(keys: readonly number[]): Promise<void>;
}

/** An outbox in memory (tests, or a browser without IndexedDB: then a reload loses unsent edits). */
export class MemoryOutbox implements Outbox {
  private entries: OutboxEntry[] = [];
  private next = 1;

  async all(): Promise<OutboxEntry[]> {
    return [...this.entries];
  }

  async add(update: Uint8Array): Promise<number> {
    const key = this.next++;
    this.entries.push({ key, update });
    return key;
  }

  async remove(keys: readonly number[]): Promise<void> {
    const drop = new Set(keys);
    this.entries = this.entries.filter((e) => !drop.has(e.key));
  }
}

const STORE = 'updates';

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

/** The outbox in IndexedDB: one database per meeting, one object store with auto-increment keys. */
export class IdbOutbox implements Outbox {
  private readonly db: Promise<IDBDatabase>;

  constructor(name: string, factory: IDBFactory = indexedDB) {
    const open = factory.open(name, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) {
        open.result.createObjectStore(STORE, { autoIncrement: true });
      }
    };
    this.db = promised(open);
  }

  async all(): Promise<OutboxEntry[]> {
    const db = await this.db;
    const tx = db.transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const [keys, values] = await Promise.all([
      promised(store.getAllKeys()),
      promised(store.getAll() as IDBRequest<Uint8Array[]>),
    ]);
    return keys.map((key, i) => ({ key: key as number, update: new Uint8Array(values[i] as Uint8Array) }));
  }

  async add(update: Uint8Array): Promise<number> {
    const db = await this.db;
    const tx = db.transaction(STORE, 'readwrite');
    const key = promised(tx.objectStore(STORE).add(update));
    await done(tx);
    return (await key) as number;
  }

  async remove(keys: readonly number[]): Promise<void> {
    if (keys.length === 0) return;
    const db = await this.db;
    const tx = db.transaction(STORE, 'readwrite');
    for (const key of keys) tx.objectStore(STORE).delete(key);
    await done(tx);
  }

  /** Closes the database connection. */
  async close(): Promise<void> {
    (await this.db).close();
  }
}
