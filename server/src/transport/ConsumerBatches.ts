import type { ConsumerInfo, Result } from '@giaoban/shared';
import { DomainError } from '../domain/index.js';

/** Sends one batch to the client and resolves with its acknowledgement (whatever it is). */
export type SendBatch = (consumers: ConsumerInfo[]) => Promise<unknown>;

interface Pending {
  info: ConsumerInfo;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Announces new consumers to one client in batches (`media:newConsumers`): every consumer the hub
 * creates in the same turn of the event loop goes in one message, and the client acknowledges them
 * together, one result each — so a joining page builds its whole set in one renegotiation, after
 * the program, which the media layer announces alone first. While the media layer holds the batch
 * (`hold`), nothing is sent: it releases it once every consumer of the set is created. `announce` resolves when the client
 * has built that consumer, and rejects when it could not, or did not answer, or answered nonsense.
 */
export class ConsumerBatches {
  #batch: Pending[] = [];
  #scheduled = false;
  #holds = 0;

  constructor(private readonly send: SendBatch) {}

  /** Queues one consumer for the next batch; settles with the client's answer for it. */
  announce(info: ConsumerInfo): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#batch.push({ info, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Holds the batch open until the returned function is called (each call once): the media layer
   * holds it while it creates a set of consumers, so the set goes out in one message.
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#schedule();
    };
  }

  #schedule(): void {
    if (this.#scheduled || this.#holds > 0 || this.#batch.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#holds > 0) return;
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    this.send(batch.map((p) => p.info)).then(
      (results) => {
        batch.forEach((p, i) => {
          const result = Array.isArray(results) ? (results[i] as Result<null> | undefined) : undefined;
          if (isOk(result)) p.resolve();
          else p.reject(new DomainError('UNAVAILABLE', `client could not consume: ${failure(result)}`));
        });
      },
      (e: unknown) => {
        const error = new DomainError(
          'UNAVAILABLE',
          `client did not acknowledge its consumers: ${String(e)}`,
        );
        for (const p of batch) p.reject(error);
      },
    );
  }
}

function isOk(result: unknown): boolean {
  return typeof result === 'object' && result !== null && (result as { ok?: unknown }).ok === true;
}

function failure(result: unknown): string {
  const message = (result as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? message.slice(0, 200) : 'no result for it';
}
