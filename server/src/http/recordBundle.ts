import express, { type Request, type Response } from 'express';
import { toWireError } from '../app/wireError.js';
import { DomainError } from '../domain/index.js';
import { log } from '../log/log.js';
import type { RecordingLibrary } from '../record/RecordingLibrary.js';
import type { ExportService } from '../workspace/exports/ExportService.js';
import { gatherRecordBundle, writeRecordBundle } from '../workspace/exports/RecordBundle.js';
import { HTTP_STATUS } from './errors.js';
import type { RecordingAccess } from './recordings.js';

/** The bearer token, or `?token=` (a plain download link: a bundle of gigabytes is not a blob in memory). */
function tokenOf(req: Request): string {
  const query = typeof req.query.token === 'string' ? req.query.token : undefined;
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? query;
  if (!token) throw new DomainError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
  return token;
}

function fail(res: Response, err: unknown): void {
  const wire = toWireError(err, 'http record bundle');
  res.status(HTTP_STATUS[wire.code]).json({ error: wire });
}

/**
 * `GET /api/meetings/:id/record.zip`: the meeting's whole record, streamed as one ZIP — minutes,
 * notice and attendance (DOCX), attendance, chat and audit log (CSV) for whoever may export the
 * record (organizer, chair, secretary), and every recording under `recordings/` for whoever may
 * also watch them (organizer, secretary).
 */
export function recordBundleRoutes(
  exportsApi: Pick<ExportService, 'authorize' | 'render' | 'bundleName'>,
  library: RecordingLibrary,
  access: Pick<RecordingAccess, 'mayRead'>,
): express.Router {
  const router = express.Router();
  router.get('/api/meetings/:id/record.zip', (req, res) => {
    const meetingId = String(req.params.id);
    (async () => {
      const token = tokenOf(req);
      await exportsApi.authorize(token, meetingId);
      const withRecordings = await access.mayRead(token, meetingId).then(
        () => true,
        () => false,
      );
      const bundle = await gatherRecordBundle(
        meetingId,
        (id, file) => exportsApi.render(id, file),
        library,
        withRecordings,
      );
      const name = await exportsApi.bundleName(meetingId);
      const encoded = encodeURIComponent(name.filename).replace(
        /['()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
      res.setHeader('Content-Type', 'application/zip');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${name.asciiFilename}"; filename*=UTF-8''${encoded}`,
      );
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Giaoban-Recordings', withRecordings ? String(bundle.recordings.length) : 'none');
      res.status(200);
      try {
        await writeRecordBundle(bundle, res);
        res.end();
      } catch (err) {
        // Headers are gone: cut the answer so the download fails instead of ending in a broken ZIP.
        log.warn('recordBundleRoutes', 'record bundle cut short', { meetingId, error: String(err) });
        res.destroy();
      }
    })().catch((e: unknown) => fail(res, e));
  });
  return router;
}
