import type { ClientAckData, ClientEventName, ClientPayload, ErrorCode } from '@giaoban/shared';

/** Why a request failed: a server error code, or the link being down or too slow. */
export type RequestErrorCode = ErrorCode | 'OFFLINE' | 'TIMEOUT';

/** A refused or failed request. */
export class RequestError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** Sends one client event and resolves with its ack data, or rejects with a RequestError. */
export type Request = <E extends ClientEventName>(
  event: E,
  payload: ClientPayload<E>,
) => Promise<ClientAckData[E]>;

/** The error code of anything thrown by a request. */
export const errorCodeOf = (error: unknown): RequestErrorCode =>
  error instanceof RequestError ? error.code : 'INTERNAL';
