import type { ErrorCode } from '@giaoban/shared';

/** HTTP status of each error code: the one place codes meet the HTTP wire. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  CONFLICT: 409,
  LIMIT: 413,
  PROTOCOL_MISMATCH: 400,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
