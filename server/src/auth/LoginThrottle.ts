/**
 * Organizer sign-in throttle: failed attempts are counted per account and per client address in a
 * sliding window; reaching a limit locks that account (or address) out for a while, and a locked
 * attempt is refused before any password is checked. An attempt counts as failed from the moment
 * it starts until it succeeds, so a burst of parallel guesses cannot all slip past the limit.
 *
 * Per-account lockout means someone guessing can keep the real organizer out for `lockMs`; that is
 * the price of stopping a distributed guess at one account (the per-address limit alone would not).
 * State is per hub instance (in memory).
 */
export interface LoginThrottleOptions {
  /** Failed attempts on one account within `windowMs` that lock it (default 5). */
  accountLimit?: number;
  /** Failed attempts from one address within `windowMs` that lock it (default 20). */
  addressLimit?: number;
  /** The counting window (default 15 minutes). */
  windowMs?: number;
  /** How long a lockout lasts (default 15 minutes). */
  lockMs?: number;
  /** Most accounts/addresses remembered; the oldest are forgotten beyond it (default 10,000). */
  maxEntries?: number;
  now?: () => number;
}

/** The answer of {@link LoginThrottle.begin}. */
export type LoginAttempt =
  | { allowed: true /** Reports the outcome; call exactly once. */; finish(succeeded: boolean): void }
  | {
      allowed: false /** Milliseconds until the lockout ends. */;
      retryAfterMs: number;
      scope: 'account' | 'address';
    };

interface Counter {
  /** Start times of failed (or still running) attempts within the window. */
  attempts: number[];
  lockedUntil: number;
}

/** One table of counters (accounts or addresses). */
class Counters {
  readonly #map = new Map<string, Counter>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly lockMs: number,
    private readonly maxEntries: number,
  ) {}

  /** Milliseconds until a key may try again: locked out, or `limit` attempts already counted. */
  wait(key: string, now: number): number {
    const c = this.#map.get(key);
    if (!c) return 0;
    if (c.lockedUntil > now) return c.lockedUntil - now;
    c.attempts = c.attempts.filter((t) => now - t < this.windowMs);
    const oldest = c.attempts[0];
    return c.attempts.length >= this.limit && oldest !== undefined ? oldest + this.windowMs - now : 0;
  }

  /** Counts one attempt (as failed until told otherwise). */
  add(key: string, now: number): void {
    let c = this.#map.get(key);
    if (!c) {
      if (this.#map.size >= this.maxEntries) this.#prune(now);
      c = { attempts: [], lockedUntil: 0 };
      this.#map.set(key, c);
    }
    c.attempts.push(now);
  }

  /** An attempt failed: the key is locked out once its failures reach the limit. */
  failed(key: string, now: number): void {
    const c = this.#map.get(key);
    if (!c) return;
    c.attempts = c.attempts.filter((t) => now - t < this.windowMs);
    if (c.attempts.length >= this.limit) {
      c.lockedUntil = now + this.lockMs;
      c.attempts = [];
    }
  }

  /** Takes back one counted attempt (it succeeded). */
  remove(key: string, at: number): void {
    const c = this.#map.get(key);
    if (!c) return;
    const i = c.attempts.indexOf(at);
    if (i >= 0) c.attempts.splice(i, 1);
  }

  /** Forgets a key's attempts and lockout (its password was right). */
  clear(key: string): void {
    this.#map.delete(key);
  }

  #prune(now: number): void {
    for (const [k, c] of this.#map) {
      if (c.lockedUntil <= now && c.attempts.every((t) => now - t >= this.windowMs)) this.#map.delete(k);
    }
    // Still full: forget the oldest (a flood of made-up names must not grow memory without bound).
    for (const k of this.#map.keys()) {
      if (this.#map.size < this.maxEntries) break;
      this.#map.delete(k);
    }
  }
}

/** Per-account and per-address sign-in limits with lockout (see the file comment). */
export class LoginThrottle {
  readonly #accounts: Counters;
  readonly #addresses: Counters;
  readonly #now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    const windowMs = options.windowMs ?? 15 * 60_000;
    const lockMs = options.lockMs ?? 15 * 60_000;
    const maxEntries = options.maxEntries ?? 10_000;
    this.#accounts = new Counters(options.accountLimit ?? 5, windowMs, lockMs, maxEntries);
    this.#addresses = new Counters(options.addressLimit ?? 20, windowMs, lockMs, maxEntries);
    this.#now = options.now ?? Date.now;
  }

  /** Starts an attempt: refused while the account or the address is locked out. */
  begin(account: string, address: string): LoginAttempt {
    const now = this.#now();
    const addressWait = this.#addresses.wait(address, now);
    if (addressWait > 0) return { allowed: false, retryAfterMs: addressWait, scope: 'address' };
    const accountWait = this.#accounts.wait(account, now);
    if (accountWait > 0) return { allowed: false, retryAfterMs: accountWait, scope: 'account' };
    this.#accounts.add(account, now);
    this.#addresses.add(address, now);
    let finished = false;
    return {
      allowed: true,
      finish: (succeeded) => {
        if (finished) return;
        finished = true;
        if (succeeded) {
          this.#accounts.clear(account);
          this.#addresses.remove(address, now);
        } else {
          const at = this.#now();
          this.#accounts.failed(account, at);
          this.#addresses.failed(address, at);
        }
      },
    };
  }
}
