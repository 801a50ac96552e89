import { type ClientEventName, ClientEvents, isModerator, type Role } from '@giaoban/shared';

/**
 * What an event costs from: a site's commands and a moderator's come from different budgets, so a
 * bridge point's flood never eats the chair's; pointer samples, media signalling and workspace
 * typing have rates of their own.
 */
export type RateClass =
  | 'session'
  | 'command'
  | 'moderatorCommand'
  | 'media'
  | 'workspace'
  | 'pointer'
  | 'chat'
  /** Requests refused before any work (a bad payload, an event before `meeting:join`). */
  | 'refused';

/** A budget: `burst` requests at once, refilled at `perSecond`. */
export interface Budget {
  burst: number;
  perSecond: number;
}

/**
 * Budgets per connection and per link (the same again, shared by a link's connections and kept
 * across reconnects, so reconnecting never buys a fresh budget). Generous for a person — a chair
 * rarely issues more than a command a second, a client joins with a dozen media requests, a
 * secretary's typing is batched — and small for a script.
 */
export const BUDGETS: Readonly<Record<RateClass, Budget>> = {
  session: { burst: 6, perSecond: 1 },
  command: { burst: 10, perSecond: 2 },
  moderatorCommand: { burst: 30, perSecond: 10 },
  media: { burst: 60, perSecond: 10 },
  workspace: { burst: 60, perSecond: 20 },
  pointer: { burst: 30, perSecond: 30 },
  // A person types a few lines in a row, then reads: 5 at once, then one every 2 seconds.
  chat: { burst: 5, perSecond: 0.5 },
  // Refusing costs a schema check and nothing else: a client with a bug may send many, a script more.
  refused: { burst: 100, perSecond: 20 },
};

/** The budget an event of a role is charged to, from shared's event table. */
export function rateClassOf(event: ClientEventName, role: Role): RateClass {
  if (event === 'meeting:join' || event === 'meeting:sync') return 'session';
  if (event === 'slides:pointer') return 'pointer';
  if (event === 'chat:send') return 'chat';
  const spec = ClientEvents[event];
  if (spec.area === 'media') return 'media';
  if (spec.command) return isModerator(role) ? 'moderatorCommand' : 'command';
  return 'workspace';
}

/** A token bucket: starts full, refills continuously up to its burst. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    private readonly budget: Budget,
    now: number,
  ) {
    this.#tokens = budget.burst;
    this.#at = now;
  }

  /** Tokens available at `now` (after refill). */
  available(now: number): number {
    const refilled = this.#tokens + ((now - this.#at) / 1000) * this.budget.perSecond;
    this.#tokens = Math.min(this.budget.burst, refilled);
    this.#at = now;
    return this.#tokens;
  }

  /** Spends one token; false (nothing spent) when the bucket is empty. */
  take(now: number): boolean {
    if (this.available(now) < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True once the bucket is full again (it may be forgotten). */
  full(now: number): boolean {
    return this.available(now) >= this.budget.burst;
  }
}

/** The buckets of one holder (a connection or a link), one per class, made on first use. */
class Buckets {
  readonly #byClass = new Map<RateClass, TokenBucket>();
  get(cls: RateClass, now: number): TokenBucket {
    let bucket = this.#byClass.get(cls);
    if (!bucket) {
      bucket = new TokenBucket(BUDGETS[cls], now);
      this.#byClass.set(cls, bucket);
    }
    return bucket;
  }
  full(now: number): boolean {
    for (const b of this.#byClass.values()) if (!b.full(now)) return false;
    return true;
  }
}

/** Refusals of one holder and class since the last log line, so a flood logs a line, not a line per request. */
interface Refusals {
  count: number;
  loggedAt: number;
}

/** How often a flood is reported again while it lasts. */
const LOG_EVERY_MS = 10_000;

/**
 * Per-connection and per-link budgets of this hub instance. A request is allowed only when both
 * its connection's and its link's bucket of its class have a token (then both are charged).
 */
export class RateLimiter {
  readonly #sockets = new Map<string, Buckets>();
  readonly #links = new Map<string, Buckets>();
  readonly #refusals = new Map<string, Refusals>();

  constructor(
    private readonly onRefused: (info: {
      socketId: string;
      linkId: string;
      cls: RateClass;
      count: number;
    }) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Charges one request; false when over budget (the caller answers LIMIT). */
  allow(socketId: string, linkId: string, cls: RateClass): boolean {
    const now = this.clock();
    const socket = bucketsOf(this.#sockets, socketId).get(cls, now);
    const link = bucketsOf(this.#links, linkId).get(cls, now);
    if (socket.available(now) >= 1 && link.available(now) >= 1) {
      socket.take(now);
      link.take(now);
      return true;
    }
    const key = `${socketId}|${cls}`;
    const refused = this.#refusals.get(key) ?? { count: 0, loggedAt: Number.NEGATIVE_INFINITY };
    refused.count += 1;
    if (now - refused.loggedAt >= LOG_EVERY_MS) {
      this.onRefused({ socketId, linkId, cls, count: refused.count });
      refused.count = 0;
      refused.loggedAt = now;
    }
    this.#refusals.set(key, refused);
    return false;
  }

  /** Forgets a closed connection; its link's budget stays until it has refilled. */
  forgetSocket(socketId: string): void {
    this.#sockets.delete(socketId);
    for (const key of this.#refusals.keys()) if (key.startsWith(`${socketId}|`)) this.#refusals.delete(key);
    const now = this.clock();
    for (const [id, buckets] of this.#links) if (buckets.full(now)) this.#links.delete(id);
  }
}

function bucketsOf(map: Map<string, Buckets>, id: string): Buckets {
  let b = map.get(id);
  if (!b) {
    b = new Buckets();
    map.set(id, b);
  }
  return b;
}
