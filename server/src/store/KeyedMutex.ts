/**
 * Serialises async work per key (one chain per meeting), so two racing commands on the same
 * meeting run one after the other while different meetings run in parallel. A failing task
 * rejects only its own caller: the chain goes on with the next one.
 */
export class KeyedMutex<K = string> {
  /** Tail of each key's chain; removed when the chain drains, so idle keys cost nothing. */
  private readonly tails = new Map<K, Promise<void>>();

  /** Runs `task` after every task queued before it for `key`, and returns its result. */
  run<T>(key: K, task: () => Promise<T> | T): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => task());
    // The tail swallows the task's outcome: an error belongs to the caller, not to the next task.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** True while some task for `key` is queued or running. */
  isBusy(key: K): boolean {
    return this.tails.has(key);
  }

  /** Number of keys with queued or running work (for metrics and leak tests). */
  get size(): number {
    return this.tails.size;
  }
}
