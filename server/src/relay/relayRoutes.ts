import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { DomainError } from '../domain/index.js';
import type { RelayService } from './RelayService.js';

/** Body of `PUT /api/meetings/:id/parent`: the parent hub's URL and the relay link's token. */
export const AttachParentBody = z
  .object({
    url: z.string().trim().min(1).max(2000),
    token: z.string().min(10).max(4096),
  })
  .strict();

/** What a child meeting is linked to, as answered by the routes below (the token is never shown back). */
export const ParentLinkAnswer = z.object({
  url: z.string(),
  state: z.enum(['connecting', 'relaying', 'lost', 'revoked', 'closed']),
});

/**
 * The organizer's routes of linked meetings: link a child meeting to its parent (the hub joins it
 * at once), read the link's state, unlink.
 */
export function relayRoutes(relay: RelayService, authenticate: (token: string) => string): express.Router {
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
