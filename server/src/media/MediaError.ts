import type { ErrorCode } from '@giaoban/shared';

/** Codes a media request can fail with: the subset of the wire's closed set that applies here. */
export type MediaErrorCode = Extract<
  ErrorCode,
  'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID_STATE' | 'VALIDATION' | 'UNAVAILABLE'
>;

/** A refused media request; `code` maps one-to-one onto the wire's error codes. */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}
