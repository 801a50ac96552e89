/**
 * Runs an async reconcile job one at a time. A call that arrives during a run schedules exactly
 * one more run (which reads the newest state), so a burst of policy changes costs at most two
 * passes and two passes never interleave their mediasoup requests.
 */
export class Coalescer {
  #running: Promise<void> | null = null;
  #again = false;

  constructor(private readonly job: () => Promise<void>) {}

  /** Whether a run is in progress. */
  get busy(): boolean {
    return this.#running !== null;
  }

  /** Starts a run, or asks the current one to run again; resolves when the state is settled. */
  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.job();
        } while (this.#again);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }
}
