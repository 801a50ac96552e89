import { AttachParentBody, type JoinLink, type JoinLinkId } from '@giaoban/shared';
import express, { type Request, type Response } from 'express';
import type { TokenService } from '../auth/tokens.js';
import { DomainError } from '../domain/index.js';
import type { RelayService } from './RelayService.js';

/** Who may read a meeting's relayed pages: anyone of that meeting (its join links) or an organizer. */
export type PageReader = (token: string, meetingId: string) => Promise<void>;

/** The {@link PageReader} of a hub: a join link of the meeting that is not revoked, or an organizer session. */
export function meetingReader(
  tokens: Pick<TokenService, 'verifyJoin' | 'verifyOrganizer'>,
  links: { get(id: JoinLinkId): Promise<JoinLink | null | undefined> },
  authenticateOrganizer: (token: string) => string,
): PageReader {
  return async (token, meetingId) => {
    if (!token) throw new DomainError('UNAUTHENTICATED', 'Use a join link (Authorization: Bearer <token>)');
    if (tokens.verifyOrganizer(token)) {
      authenticateOrganizer(token);
      return;
    }
    const claims = tokens.verifyJoin(token);
    if (!claims) throw new DomainError('UNAUTHENTICATED', 'This link is invalid or has expired');
    const link = await links.get(claims.sub as JoinLinkId);
    if (!link || link.revokedAt !== null || link.meetingId !== claims.mid)
      throw new DomainError('UNAUTHENTICATED', 'This link has been revoked');
    if (link.meetingId !== meetingId) throw new DomainError('FORBIDDEN', 'This link is for another meeting');
  };
}

/** Body of `PUT /api/meetings/:id/parent` (shared). */
/** What a child meeting is linked to, as answered by the routes below (the token is never shown back). */
export { AttachParentBody, ParentLinkInfo as ParentLinkAnswer } from '@giaoban/shared';

/**
 * The organizer's routes of linked meetings: link a child meeting to its parent (the hub joins it
 * at once), read the link's state, unlink.
 */
export function relayRoutes(
  relay: RelayService,
  authenticate: (token: string) => string,
  readPages?: PageReader,
): express.Router {
  const router = express.Router();
  const organizer = (req: Request): string => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m?.[1]) throw new DomainError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
    return authenticate(m[1]);
  };
  const handle =
    (fn: (req: Request) => Promise<unknown>) =>
    (req: Request, res: Response, next: (err?: unknown) => void): void => {
      fn(req).then((data) => res.json(data), next);
    };
  router.put(
    '/api/meetings/:id/parent',
    handle(async (req) => {
      organizer(req);
      const body = AttachParentBody.safeParse(req.body);
      if (!body.success)
        throw new DomainError('VALIDATION', body.error.issues.map((i) => i.message).join('; '));
      return relay.attachParent(String(req.params.id), body.data);
    }),
  );
  router.get(
    '/api/meetings/:id/parent',
    handle(async (req) => {
      organizer(req);
      return { parent: relay.parentOf(String(req.params.id)) };
    }),
  );
  // The parent's pages for the child's sites (shared `parentPagePath`), served by this hub from
  // memory: the sites never reach the parent hub. Pages never change, like the documents' own.
  router.get('/api/meetings/:id/parent/pages/:docId/:file', (req, res, next) => {
    const m = /^(\d{1,5})\.png$/.exec(String(req.params.file));
    if (!m || !readPages) {
      next();
      return;
    }
    const meetingId = String(req.params.id);
    const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = header ?? (typeof req.query.token === 'string' ? req.query.token : '');
    readPages(token, meetingId)
      .then(() => relay.parentPage(meetingId, String(req.params.docId), Number(m[1])))
      .then((image) => {
        res.setHeader('Content-Type', image.contentType);
        res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
        res.end(image.body);
      }, next);
  });
  router.delete(
    '/api/meetings/:id/parent',
    handle(async (req) => {
      organizer(req);
      await relay.unlinkParent(String(req.params.id));
      return { parent: null };
    }),
  );
  return router;
}
