import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@giaoban/shared';
import type { Redis } from 'ioredis';
import { DomainError } from '../domain/DomainError.js';
import { log } from '../log/log.js';
import type { RedisKeys } from '../store/redisKeys.js';

/** What travels between hub instances over Redis pub/sub (JSON). */
type BusMessage =
  | { kind: 'request'; id: string; from: string; method: string; params: unknown }
  | { kind: 'reply'; id: string; ok: true; data: unknown }
  | { kind: 'reply'; id: string; ok: false; error: { code: ErrorCode; message: string } }
  | { kind: 'event'; from: string; name: string; data: unknown };

/** Handles one request method; what it returns (or throws, with a wire code) goes back to the caller. */
export type BusHandler = (params: unknown, from: string) => Promise<unknown> | unknown;
/** Handles one event name. */
export type BusListener = (data: unknown, from: string) => void;

/** The target instance is not listening any more (crashed, stopped, or cut off from Redis). */
export class InstanceGoneError extends DomainError {
  constructor(readonly instanceId: string) {
    super('UNAVAILABLE', `hub instance ${instanceId} is not reachable`);
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Requests and events between hub instances over Redis pub/sub: each instance listens on its own
 * channel and on one channel for all. At most once, no persistence: callers time out, and whoever
 * needs a fact to survive an outage re-reads it from the store when the bus reconnects.
 */
export class InstanceBus {
  readonly #pending = new Map<
    string,
    { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();
  readonly #handlers = new Map<string, BusHandler>();
  readonly #listeners = new Map<string, BusListener[]>();
  readonly #reconnectListeners: (() => void)[] = [];
  #closed = false;
  #everReady = false;
  /** When the subscription was last (re)established. */
  #readyAt = 0;

  /**
   * @param pub a fail-fast command client (publishes are refused at once while Redis is away)
   * @param sub a dedicated client that this bus puts into subscriber mode
   */
  constructor(
    readonly instanceId: string,
    private readonly keys: RedisKeys,
    private readonly pub: Redis,
    private readonly sub: Redis,
  ) {
    sub.on('messageBuffer', (channel: Buffer, payload: Buffer) =>
      this.#onMessage(channel.toString(), payload),
    );
    sub.on('ready', () => {
      this.#readyAt = Date.now();
      if (this.#everReady) for (const l of this.#reconnectListeners) safely(l);
      this.#everReady = true;
    });
  }

  /** Subscribes to this instance's channel and the shared one. */
  async start(): Promise<void> {
    await this.sub.subscribe(this.keys.busOf(this.instanceId), this.keys.busAll());
    this.#everReady = true;
    this.#readyAt = Date.now();
  }

  /**
   * How long this instance's subscription has been up without a break (0 while it is down).
   * Right after a Redis outage the other instances are still re-subscribing, so an empty channel
   * then says nothing about them.
   */
  get subscribedForMs(): number {
    return this.sub.status === 'ready' && this.#readyAt > 0 ? Date.now() - this.#readyAt : 0;
  }

  /** Registers the handler of a request method. */
  handle(method: string, handler: BusHandler): void {
    this.#handlers.set(method, handler);
  }

  /** Registers a listener of an event. */
  on(name: string, listener: BusListener): void {
    this.#listeners.set(name, [...(this.#listeners.get(name) ?? []), listener]);
  }

  /** Called when the subscription is back after a Redis outage (events may have been missed). */
  onReconnect(listener: () => void): void {
    this.#reconnectListeners.push(listener);
  }

  /**
   * Sends a request to one instance and resolves with its reply. Rejects with InstanceGoneError
   * when nobody listens on its channel, UNAVAILABLE on a timeout, or the handler's own error.
   */
  async call<T>(target: string, method: string, params: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    if (this.#closed) throw new DomainError('UNAVAILABLE', 'the hub is shutting down');
    const id = randomUUID();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new DomainError('UNAVAILABLE', `hub instance ${target} did not answer ${method} in time`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
    reply.catch(() => undefined);
    let receivers: number;
    try {
      receivers = await this.pub.publish(
        this.keys.busOf(target),
        JSON.stringify({ kind: 'request', id, from: this.instanceId, method, params } satisfies BusMessage),
      );
    } catch (err) {
      this.#settle(id);
      throw new DomainError('UNAVAILABLE', `cannot reach hub instance ${target}: ${(err as Error).message}`);
    }
    if (receivers === 0) {
      this.#settle(id);
      throw new InstanceGoneError(target);
    }
    return (await reply) as T;
  }

  /** Fire-and-forget event to one instance, or to every instance (this one excluded) with 'all'. */
  notify(target: string | 'all', name: string, data: unknown): void {
    if (this.#closed) return;
    const channel = target === 'all' ? this.keys.busAll() : this.keys.busOf(target);
    this.pub
      .publish(
        channel,
        JSON.stringify({ kind: 'event', from: this.instanceId, name, data } satisfies BusMessage),
      )
      .catch((err: Error) => log.debug('InstanceBus.notify()', 'not sent', { name, error: err.message }));
  }

  /** Unsubscribes and fails pending calls; idempotent. The clients are closed by their owner. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#pending.keys()])
      this.#settle(id, new DomainError('UNAVAILABLE', 'the hub is shutting down'));
    if (this.sub.status === 'ready') await this.sub.unsubscribe().catch(() => undefined);
  }

  #settle(id: string, error?: Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending.delete(id);
    if (error) p.reject(error);
  }

  #onMessage(channel: string, payload: Buffer): void {
    if (this.#closed) return;
    let msg: BusMessage;
    try {
      msg = JSON.parse(payload.toString()) as BusMessage;
    } catch {
      return;
    }
    switch (msg.kind) {
      case 'request':
        void this.#answer(msg);
        return;
      case 'reply': {
        const p = this.#pending.get(msg.id);
        if (!p) return;
        clearTimeout(p.timer);
        this.#pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.data);
        else p.reject(new DomainError(msg.error.code, msg.error.message));
        return;
      }
      case 'event':
        // Events on the shared channel come back to their sender too.
        if (msg.from === this.instanceId && channel === this.keys.busAll()) return;
        for (const l of this.#listeners.get(msg.name) ?? []) safely(() => l(msg.data, msg.from));
        return;
      default:
        msg satisfies never;
    }
  }

  async #answer(msg: Extract<BusMessage, { kind: 'request' }>): Promise<void> {
    let reply: BusMessage;
    const handler = this.#handlers.get(msg.method);
    try {
      if (!handler) throw new DomainError('INTERNAL', `no handler for ${msg.method}`);
      reply = { kind: 'reply', id: msg.id, ok: true, data: (await handler(msg.params, msg.from)) ?? null };
    } catch (err) {
      reply = { kind: 'reply', id: msg.id, ok: false, error: wireErrorOf(err, msg.method) };
    }
    this.pub
      .publish(this.keys.busOf(msg.from), JSON.stringify(reply))
      .catch((err: Error) =>
        log.debug('InstanceBus', 'reply not sent', { method: msg.method, error: err.message }),
      );
  }
}

/** Known codes travel as they are; anything else is a bug, logged here and sent as INTERNAL. */
function wireErrorOf(err: unknown, method: string): { code: ErrorCode; message: string } {
  const code = (err as { code?: unknown })?.code;
  if (err instanceof Error && ErrorCode.safeParse(code).success) {
    return { code: code as ErrorCode, message: err.message };
  }
  log.error('InstanceBus', 'request handler failed', err, { method });
  return { code: 'INTERNAL', message: 'Internal error on another hub instance; it has been logged.' };
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.error('InstanceBus', 'listener failed', err);
  }
}
