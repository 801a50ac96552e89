/** One queued task and how to settle its caller. */
interface Queued {
  task: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** The waiting tasks of one key: the urgent lane is always served first. */
interface Lanes {
  urgent: Queued[];
  normal: Queued[];
  running: boolean;
}

/**
 * Serialises async work per key (one queue per meeting) with two lanes: a task marked urgent (a
 * moderator's command) runs as soon as the task in progress is done, ahead of every normal task
 * waiting — a bridge point's flood of commands never delays the chair by more than one command.
 * A failing task rejects only its own caller.
 */
export class CommandQueue<K = string> {
  readonly #lanes = new Map<K, Lanes>();

  /** Runs `task` after the task in progress (and after earlier urgent ones when urgent). */
  run<T>(key: K, task: () => Promise<T>, urgent = false): Promise<T> {
    let lanes = this.#lanes.get(key);
    if (!lanes) {
      lanes = { urgent: [], normal: [], running: false };
      this.#lanes.set(key, lanes);
    }
    const l = lanes;
    return new Promise<T>((resolve, reject) => {
      (urgent ? l.urgent : l.normal).push({ task, resolve: resolve as (v: unknown) => void, reject });
      if (!l.running) void this.#drain(key, l);
    });
  }

  /** Tasks waiting or running for `key` (0 when idle). */
  depth(key: K): number {
    const l = this.#lanes.get(key);
    return l ? l.urgent.length + l.normal.length + (l.running ? 1 : 0) : 0;
  }

  async #drain(key: K, lanes: Lanes): Promise<void> {
    lanes.running = true;
    for (
      let next = lanes.urgent.shift() ?? lanes.normal.shift();
      next;
      next = lanes.urgent.shift() ?? lanes.normal.shift()
    ) {
      try {
        next.resolve(await next.task());
      } catch (err) {
        next.reject(err);
      }
    }
    lanes.running = false;
    if (this.#lanes.get(key) === lanes) this.#lanes.delete(key);
  }
}
