import type { DocumentErrorBody, DocumentFailure, SlideDocument } from '@giaoban/shared';
import express, { type NextFunction, type Request, type Response } from 'express';
import { toWireError } from '../app/wireError.js';
import { HTTP_STATUS } from './errors.js';

/** Report documents over HTTP; implemented by the DocumentService. */
export interface DocumentApi {
  /** Receives one file (the raw body) and registers it; conversion continues in the background. */
  upload(input: {
    meetingId: string;
    token: string;
    filename: string;
    agendaItemId: string | null;
    body: NodeJS.ReadableStream;
    contentLength: number | null;
  }): Promise<SlideDocument>;
  list(meetingId: string, token: string): Promise<SlideDocument[]>;
  remove(meetingId: string, documentId: string, token: string): Promise<void>;
  /** Path of a page image or thumbnail the token may see; throws NOT_FOUND/UNAUTHENTICATED/FORBIDDEN. */
  pageFile(documentId: string, variant: 'pages' | 'thumbs', page: number, token: string): Promise<string>;
}

/** A bearer token from the header, else from `?token=` (an <img> cannot send headers). */
function tokenOf(req: Request): string {
  const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (header) return header;
  const query = req.query.token;
  return typeof query === 'string' ? query : '';
}

function text(req: Request, name: string, max: number): string | null {
  const v = req.query[name] ?? req.headers[`x-${name.toLowerCase()}`];
  if (typeof v !== 'string' || v.length === 0) return null;
  return v.slice(0, max);
}

/** Sends an error with the document failure reason the client words in the user's language. */
function sendError(res: Response, err: unknown, uploading: boolean): void {
  const wire = toWireError(err, 'http documents');
  const reason =
    typeof err === 'object' && err !== null && 'reason' in err
      ? ((err as { reason: DocumentFailure }).reason ?? undefined)
      : undefined;
  const body: DocumentErrorBody = { error: { ...wire, ...(reason ? { reason } : {}) } };
  // A refused upload may still be streaming in: close the connection instead of reading it all.
  if (uploading) res.setHeader('Connection', 'close');
  res.status(HTTP_STATUS[wire.code]).json(body);
}

/**
 * Routes of report documents:
 * - `POST /api/meetings/:id/documents?filename=&agendaItemId=` — the raw file as the body, by an
 *   organizer (session token) or, during the meeting, the presenter (join token), both as Bearer;
 *   202 with the document (queued, or ready when the same file was converted before).
 * - `GET /api/meetings/:id/documents` — the meeting's documents and their conversion status.
 * - `DELETE /api/meetings/:id/documents/:docId` — organizers.
 * - `GET /api/documents/:docId/pages/:n.png` and `/thumbs/:n.png` — page images for anyone of the
 *   meeting (join or organizer token, header or `?token=`); a page never changes, so it is cached
 *   immutably by the browser (privately: pages are meeting data).
 */
export function documentRoutes(api: DocumentApi): express.Router {
  const router = express.Router();

  router.post('/api/meetings/:id/documents', (req: Request, res: Response) => {
    const length = Number(req.headers['content-length']);
    api
      .upload({
        meetingId: String(req.params.id),
        token: tokenOf(req),
        filename: text(req, 'filename', 400) ?? 'document',
        agendaItemId: text(req, 'agendaItemId', 64),
        body: req,
        contentLength: Number.isFinite(length) ? length : null,
      })
      .then(
        (doc) => res.status(202).json(doc),
        (err: unknown) => sendError(res, err, true),
      );
  });

  router.get('/api/meetings/:id/documents', (req: Request, res: Response) => {
    api.list(String(req.params.id), tokenOf(req)).then(
      (docs) => res.json(docs),
      (err: unknown) => sendError(res, err, false),
    );
  });

  router.delete('/api/meetings/:id/documents/:docId', (req: Request, res: Response) => {
    api.remove(String(req.params.id), String(req.params.docId), tokenOf(req)).then(
      () => res.status(204).end(),
      (err: unknown) => sendError(res, err, false),
    );
  });

  const page = (variant: 'pages' | 'thumbs') => (req: Request, res: Response, next: NextFunction) => {
    const m = /^(\d{1,5})\.png$/.exec(String(req.params.file));
    if (!m) {
      next();
      return;
    }
    api.pageFile(String(req.params.docId), variant, Number(m[1]), tokenOf(req)).then(
      (file) =>
        res.sendFile(
          file,
          {
            cacheControl: false,
            lastModified: false,
            // The type follows the file (PNG, or JPEG for a photograph), whatever the URL says.
            headers: { 'Cache-Control': 'private, max-age=31536000, immutable' },
          },
          (err) => {
            if (err && !res.headersSent) sendError(res, err, false);
          },
        ),
      (err: unknown) => sendError(res, err, false),
    );
  };
  router.get('/api/documents/:docId/pages/:file', page('pages'));
  router.get('/api/documents/:docId/thumbs/:file', page('thumbs'));
  return router;
}
