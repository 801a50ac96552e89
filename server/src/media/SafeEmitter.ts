import { EventEmitter } from 'node:events';
import type { MediaLogger } from './logger.js';

/**
 * A typed event emitter whose `safeEmit` catches listener errors (like mediasoup's
 * EnhancedEventEmitter): a broken listener in the socket layer must not break media.
 */
export class SafeEmitter<Events extends Record<string, unknown[]>> {
  readonly #emitter = new EventEmitter();
  constructor(protected readonly logger: MediaLogger) {
    this.#emitter.setMaxListeners(Number.POSITIVE_INFINITY);
  }

  /** Adds a listener. */
  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Adds a listener called at most once. */
  once<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener. */
  off<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Emits, logging (not throwing) any listener error. */
  protected safeEmit<E extends keyof Events & string>(event: E, ...args: Events[E]): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (e) {
        this.logger.error(`safeEmit() | listener of "${event}" threw`, e);
      }
    }
  }
}
