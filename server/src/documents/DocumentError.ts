import type { DocumentFailure, ErrorCode } from '@giaoban/shared';

/** Wire code of each failure: too big is LIMIT (413), the rest is the user's file (400) or ours (500). */
const CODE_OF: Readonly<Record<DocumentFailure, ErrorCode>> = {
  type: 'VALIDATION',
  size: 'LIMIT',
  pages: 'LIMIT',
  bomb: 'LIMIT',
  corrupt: 'VALIDATION',
  timeout: 'UNAVAILABLE',
  converter: 'INTERNAL',
};

/**
 * A document that is refused or cannot be converted. The message is meant for the uploader;
 * `reason` lets the client say it in the user's language.
 */
export class DocumentError extends Error {
  readonly code: ErrorCode;

  constructor(
    readonly reason: DocumentFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DocumentError';
    this.code = CODE_OF[reason];
  }
}
