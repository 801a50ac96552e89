import type { RecordingList, RecordingEntry as WireRecording } from '@giaoban/shared';
import express, { type Request, type Response } from 'express';
import type { AuditTrail } from '../app/AuditTrail.js';
import { toWireError } from '../app/wireError.js';
import { auditEntry } from '../domain/AuditLog.js';
import { DomainError } from '../domain/index.js';
import type { RecordingLibrary } from '../record/RecordingLibrary.js';
import { expiresAt, type RecordingRetentions } from '../record/RecordingRetention.js';
import { HTTP_STATUS } from './errors.js';

/** Who may do what with a meeting's recordings; implemented by the app (tokens, roles). */
export interface RecordingAccess {
  /** Throws UNAUTHENTICATED/FORBIDDEN unless the token is an organizer's or a secretary's of this meeting. */
  mayRead(token: string, meetingId: string): Promise<void>;
  /** Throws unless the token is the organizer's (deletion, retention); resolves with the organizer's name. */
  mayDelete(token: string, meetingId: string): Promise<string>;
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
 * - `GET /api/meetings/:id/recordings` — each recording with its finished segments, chapters and
 *   expiry, and the retention (`RecordingList`).
 * - `GET /api/meetings/:id/recordings/:rid/:file` — one finished segment (video/x-matroska; `?token=` too).
 * - `DELETE /api/meetings/:id/recordings/:rid` — the organizer (audited).
 * - `PUT /api/meetings/:id/recording-retention` — the organizer sets the meeting's retention (audited).
 */
export function recordingRoutes(
  library: RecordingLibrary,
  access: RecordingAccess,
  retentions: RecordingRetentions,
  audit: AuditTrail,
): express.Router {
  const router = express.Router();
  const id = (req: Request) => String(req.params.id);

  const listing = async (meetingId: string): Promise<RecordingList> => {
    const meeting = await retentions.of(meetingId);
    const recordings = (await library.list(meetingId)).map((r): WireRecording => {
      const started = r.startedAt ? Date.parse(r.startedAt) : Number.NaN;
      const at = Number.isFinite(started) ? expiresAt(started, retentions.defaultDays, meeting) : null;
      return {
        ...r,
        segments: [...r.segments],
        chapters: [...r.chapters],
        expiresAt: at === null ? null : new Date(at).toISOString(),
      };
    });
    return { recordings, retention: { defaultDays: retentions.defaultDays, meeting } };
  };

  router.get('/api/meetings/:id/recordings', (req, res) => {
    (async () => {
      await access.mayRead(tokenOf(req), id(req));
      res.setHeader('Cache-Control', 'no-store');
      res.json(await listing(id(req)));
    })().catch((e: unknown) => fail(res, e));
  });

  router.put('/api/meetings/:id/recording-retention', express.json({ limit: '4kb' }), (req, res) => {
    (async () => {
      const organizer = await access.mayDelete(tokenOf(req), id(req));
      await retentions.set(id(req), organizer, req.body);
      res.setHeader('Cache-Control', 'no-store');
      res.json(await listing(id(req)));
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
      const organizer = await access.mayDelete(tokenOf(req), id(req));
      const recordingId = String(req.params.rid);
      if (!(await library.remove(id(req), recordingId))) {
        throw new DomainError('NOT_FOUND', 'No such recording');
      }
      await audit.append(
        id(req),
        auditEntry(
          { role: 'organizer', displayName: organizer },
          Date.now(),
          'recording:delete',
          recordingId,
        ),
      );
      res.status(204).end();
    })().catch((e: unknown) => fail(res, e));
  });
  return router;
}
