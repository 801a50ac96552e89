import type { ErrorCode } from '@giaoban/shared';

/** A refusal the domain explains with one of the wire's error codes; the transport maps it as is. */
export class DomainError extends Error {
  /** The closed wire code (FORBIDDEN, INVALID_STATE, …) the transport sends back unchanged. */
  readonly code: ErrorCode;

  /** Builds an error whose message is safe to show to the user who caused it. */
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** Result of a domain operation: refusals are values, so callers cannot forget to handle them. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DomainError };

/** Wraps a success. */
export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });

/** Wraps a refusal with its code and a human-readable reason. */
export const refuse = <T = never>(code: ErrorCode, message: string): Outcome<T> => ({
  ok: false,
  error: new DomainError(code, message),
});

/** Success with nothing to return (authorisations, checks). */
export const OK: Outcome<void> = { ok: true, value: undefined };

/** True when `e` is a DomainError (works across realms where `instanceof` may not). */
export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError || (e instanceof Error && e.name === 'DomainError' && 'code' in e);
}

/** Returns the value or throws the DomainError: for adapters that speak exceptions (stores, HTTP). */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
