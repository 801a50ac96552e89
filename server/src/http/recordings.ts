import express, { type Request, type Response } from 'express';
import { toWireError } from '../app/wireError.js';
import { DomainError } from '../domain/index.js';
import type { RecordingLibrary } from '../record/RecordingLibrary.js';
import { HTTP_STATUS } from './errors.js';

/** Who may do what with a meeting's recordings; implemented by the app (tokens, roles). */
export interface RecordingAccess {
  /** Throws UNAUTHENTICATED/FORBIDDEN unless the token is an organizer's or a secretary's of this meeting. */
  mayRead(token: string, meetingId: string): Promise<void>;
  /** Throws unless the token is the organizer's (deletion). */
  mayDelete(token: string, meetingId: string): Promise<void>;
}

/** The bearer token, or `?token=` (a `<video>` element cannot send a header). */
function tokenOf(req: Request): string {
  const query = typeof req.query.token === 'string' ? req.query.token : undefined;
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? query;
  if (!token) throw new DomainError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
  return token;
}

function fail(res: Response, err: unknown): void {
  const wire = toWireError(err, 'http recordings');
  res.status(HTTP_STATUS[wire.code]).json({ error: wire });
}

/**
 * Playback routes of the meeting's recordings:
 * - `GET /api/meetings/:id/recordings` — each recording with its finished segments and chapters.
 * - `GET /api/meetings/:id/recordings/:rid/:file` — one finished segment (video/x-matroska; `?token=` too).
 * - `DELETE /api/meetings/:id/recordings/:rid` — the organizer.
 */
export function recordingRoutes(library: RecordingLibrary, access: RecordingAccess): express.Router {
  const router = express.Router();
  const id = (req: Request) => String(req.params.id);

  router.get('/api/meetings/:id/recordings', (req, res) => {
    (async () => {
      await access.mayRead(tokenOf(req), id(req));
      res.setHeader('Cache-Control', 'no-store');
      res.json({ recordings: await library.list(id(req)) });
    })().catch((e: unknown) => fail(res, e));
  });

  router.get('/api/meetings/:id/recordings/:rid/:file', (req, res) => {
    (async () => {
      await access.mayRead(tokenOf(req), id(req));
      const path = await library.segmentPath(id(req), String(req.params.rid), String(req.params.file));
      if (!path) throw new DomainError('NOT_FOUND', 'No such recording segment');
      res.setHeader('Cache-Control', 'private, max-age=3600');
      res.type('video/x-matroska').sendFile(path);
    })().catch((e: unknown) => fail(res, e));
  });

  router.delete('/api/meetings/:id/recordings/:rid', (req, res) => {
    (async () => {
      await access.mayDelete(tokenOf(req), id(req));
      if (!(await library.remove(id(req), String(req.params.rid)))) {
        throw new DomainError('NOT_FOUND', 'No such recording');
      }
      res.status(204).end();
    })().catch((e: unknown) => fail(res, e));
  });
  return router;
}
