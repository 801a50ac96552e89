import { ErrorCode, type WireError } from '@giaoban/shared';
import { ZodError } from 'zod';
import { log } from '../log/log.js';

function hasCode(e: unknown): e is { code: ErrorCode; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    'code' in e &&
    'message' in e &&
    ErrorCode.safeParse((e as { code: unknown }).code).success
  );
}

/** Readable summary of a schema failure: `topic: Too big: expected string to have <=300 characters`. */
export function describeZodError(err: ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
}

/**
 * Maps any thrown value to the wire, in one place. Known errors (the one error type,
 * `DomainError`, or anything else carrying a wire code) keep their code and message;
 * anything else is a bug: logged in full, sent as a generic INTERNAL message.
 */
export function toWireError(e: unknown, context: string): WireError {
  if (e instanceof ZodError) return { code: 'VALIDATION', message: describeZodError(e) };
  if (hasCode(e)) {
    if (e.code === 'INTERNAL') log.error(context, 'internal error', e);
    return { code: e.code, message: e.message };
  }
  log.error(context, 'unexpected error', e);
  return { code: 'INTERNAL', message: 'Internal error; it has been logged.' };
}
