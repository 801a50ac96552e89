import { z } from 'zod';

/** The closed set of error codes any request can fail with. */
export const ErrorCode = z.enum([
  'VALIDATION', // payload did not match the schema
  'UNAUTHENTICATED', // no, bad, expired or revoked credentials
  'FORBIDDEN', // the role may not do this
  'NOT_FOUND', // meeting, site, item, request or link does not exist
  'INVALID_STATE', // not allowed in the meeting's current state (e.g. grant before live)
  'CONFLICT', // racing change or duplicate
  'LIMIT', // a configured cap was reached (sites, size, rate)
  'PROTOCOL_MISMATCH', // client and server speak different protocol versions
  'UNAVAILABLE', // storage or media temporarily unavailable: retry later, nothing was changed
  'INTERNAL', // a bug: logged in full on the server
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** An error as it travels on the wire. */
export const WireError = z.object({ code: ErrorCode, message: z.string() });
export type WireError = z.infer<typeof WireError>;

/** The single ack/result type of every request. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: WireError };

/** Builds a success result. */
export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
/** Builds a failure result. */
export const fail = (code: ErrorCode, message: string): { ok: false; error: WireError } => ({
  ok: false,
  error: { code, message },
});
