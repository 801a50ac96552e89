import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type AgendaItem,
  type AuditEntry,
  type DirectorySite,
  HttpSchemas,
  type IssuedLink,
  type JoinLink,
  type LoginResponse,
  type MeetingSummary,
  PROTOCOL_VERSION,
} from '@giaoban/shared';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import { toWireError } from '../app/wireError.js';
import { LoginThrottle } from '../auth/LoginThrottle.js';
import { DomainError } from '../domain/index.js';
import { type DocumentApi, documentRoutes } from './documents.js';
import { HTTP_STATUS } from './errors.js';
import { openApiDocument } from './openapi.js';

/** The organizer operations the HTTP API exposes; implemented by the application layer. */
export interface OrganizerApi {
  login(username: string, password: string): Promise<LoginResponse>;
  /** Ends the organizer session of this token (sign-out); nothing happens for an invalid token. */
  logout(token: string): void;
  /** Returns the organizer's user name for a valid session token, else throws UNAUTHENTICATED. */
  authenticate(token: string): string;
  listSites(): Promise<DirectorySite[]>;
  createSite(organizer: string, body: z.output<typeof HttpSchemas.createSite>): Promise<DirectorySite>;
  listMeetings(): Promise<MeetingSummary[]>;
  getMeeting(id: string): Promise<MeetingSummary>;
  createMeeting(organizer: string, body: z.output<typeof HttpSchemas.createMeeting>): Promise<MeetingSummary>;
  updateMeeting(
    organizer: string,
    id: string,
    body: z.output<typeof HttpSchemas.updateMeeting>,
  ): Promise<MeetingSummary>;
  inviteSites(organizer: string, id: string, siteIds: string[]): Promise<MeetingSummary>;
  addAgendaItem(
    organizer: string,
    id: string,
    body: z.output<typeof HttpSchemas.agendaItem>,
  ): Promise<AgendaItem>;
  updateAgendaItem(
    organizer: string,
    id: string,
    itemId: string,
    body: z.output<typeof HttpSchemas.agendaItem>,
  ): Promise<AgendaItem>;
  removeAgendaItem(organizer: string, id: string, itemId: string): Promise<void>;
  reorderAgenda(organizer: string, id: string, itemIds: string[]): Promise<void>;
  issueLink(organizer: string, id: string, body: z.output<typeof HttpSchemas.issueLink>): Promise<IssuedLink>;
  listLinks(id: string): Promise<JoinLink[]>;
  revokeLink(organizer: string, id: string, linkId: string): Promise<JoinLink>;
}

/** Meeting exports (conclusion notice, attendance report); implemented by the workspace. */
export interface ExportApi {
  /** Throws UNAUTHENTICATED/FORBIDDEN unless the bearer token may export this meeting. */
  authorize(token: string, meetingId: string): Promise<void>;
  /** One file: bytes, type and its names. */
  render(
    meetingId: string,
    file: string,
  ): Promise<{ bytes: Buffer; contentType: string; filename: string; asciiFilename: string; draft: boolean }>;
  /** The meeting's audit log (who, when, what of every moderator and organizer action), oldest first. */
  auditLog(meetingId: string): Promise<AuditEntry[]>;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;

/** Wraps an async route: the result is sent as JSON, thrown errors go to the error middleware. */
const route =
  (h: Handler, status = 200) =>
  (req: Request, res: Response, next: NextFunction) => {
    h(req, res).then(
      (body) => (body === undefined ? res.status(204).end() : res.status(status).json(body)),
      next,
    );
  };

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return schema.parse(body ?? {});
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) {
    throw new DomainError('VALIDATION', `invalid path parameter ${name}`);
  }
  return v;
}

/**
 * Headers on every answer. Self-contained at run time: the page may load nothing from elsewhere.
 * No page or API answer may be framed by another site (clickjacking a chair's console or an
 * organizer page): `frame-ancestors 'none'` for browsers that read CSP, X-Frame-Options for the rest.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Builds the express app: organizer API under /api, the built client everywhere else. */
export function createHttpApp(
  api: OrganizerApi,
  clientDir: string,
  exportsApi?: ExportApi,
  documents?: DocumentApi,
  loginThrottle: LoginThrottle = new LoginThrottle(),
  /** More /api routes (calendar, booking, metrics…), mounted before the catch-all 404. */
  extraRoutes: readonly express.Router[] = [],
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    next();
  });
  app.use('/api', express.json({ limit: '256kb' }));

  const bearer = (req: Request): string => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m?.[1]) throw new DomainError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
    return m[1];
  };
  const organizer = (req: Request): string => api.authenticate(bearer(req));

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, protocolVersion: PROTOCOL_VERSION });
  });
  app.get('/api/config', (_req, res) => {
    res.json({ defaultLocale: 'vi', protocolVersion: PROTOCOL_VERSION });
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  // Sign-in: throttled per account and per address (a locked attempt checks no password), and the
  // answer (a session token) is never stored by a browser or proxy cache.
  app.post('/api/auth/login', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    (async () => {
      const body = parse(HttpSchemas.login, req.body);
      // req.ip: the socket's peer, or the client a trusted proxy names (TRUST_PROXY).
      const attempt = loginThrottle.begin(body.username, req.ip ?? '');
      if (!attempt.allowed) {
        const seconds = Math.max(1, Math.ceil(attempt.retryAfterMs / 1000));
        res.setHeader('Retry-After', String(seconds));
        res.status(429).json({
          error: {
            code: 'LIMIT',
            message: `Too many failed sign-ins from this ${attempt.scope}; try again in ${seconds} s`,
          },
        });
        return;
      }
      let session: LoginResponse;
      try {
        session = await api.login(body.username, body.password);
      } catch (err) {
        attempt.finish(false);
        throw err;
      }
      attempt.finish(true);
      res.status(200).json(session);
    })().catch(next);
  });
  app.post(
    '/api/auth/logout',
    route(async (req) => {
      api.logout(bearer(req));
      return undefined;
    }),
  );
  app.get(
    '/api/directory/sites',
    route(async (req) => {
      organizer(req);
      return api.listSites();
    }),
  );
  app.post(
    '/api/directory/sites',
    route(async (req) => api.createSite(organizer(req), parse(HttpSchemas.createSite, req.body)), 201),
  );
  app.get(
    '/api/meetings',
    route(async (req) => {
      organizer(req);
      return api.listMeetings();
    }),
  );
  app.post(
    '/api/meetings',
    route(async (req) => api.createMeeting(organizer(req), parse(HttpSchemas.createMeeting, req.body)), 201),
  );
  app.get(
    '/api/meetings/:id',
    route(async (req) => {
      organizer(req);
      return api.getMeeting(param(req, 'id'));
    }),
  );
  app.patch(
    '/api/meetings/:id',
    route(async (req) =>
      api.updateMeeting(organizer(req), param(req, 'id'), parse(HttpSchemas.updateMeeting, req.body)),
    ),
  );
  app.put(
    '/api/meetings/:id/sites',
    route(async (req) =>
      api.inviteSites(organizer(req), param(req, 'id'), parse(HttpSchemas.inviteSites, req.body).siteIds),
    ),
  );
  app.post(
    '/api/meetings/:id/agenda',
    route(
      async (req) =>
        api.addAgendaItem(organizer(req), param(req, 'id'), parse(HttpSchemas.agendaItem, req.body)),
      201,
    ),
  );
  app.put(
    '/api/meetings/:id/agenda/order',
    route(async (req) =>
      api.reorderAgenda(organizer(req), param(req, 'id'), parse(HttpSchemas.reorderAgenda, req.body).itemIds),
    ),
  );
  app.patch(
    '/api/meetings/:id/agenda/:itemId',
    route(async (req) =>
      api.updateAgendaItem(
        organizer(req),
        param(req, 'id'),
        param(req, 'itemId'),
        parse(HttpSchemas.agendaItem, req.body),
      ),
    ),
  );
  app.delete(
    '/api/meetings/:id/agenda/:itemId',
    route(async (req) => api.removeAgendaItem(organizer(req), param(req, 'id'), param(req, 'itemId'))),
  );
  app.post(
    '/api/meetings/:id/links',
    route(
      async (req) => api.issueLink(organizer(req), param(req, 'id'), parse(HttpSchemas.issueLink, req.body)),
      201,
    ),
  );
  app.get(
    '/api/meetings/:id/links',
    route(async (req) => {
      organizer(req);
      return api.listLinks(param(req, 'id'));
    }),
  );
  app.post(
    '/api/meetings/:id/links/:linkId/revoke',
    route(async (req) => api.revokeLink(organizer(req), param(req, 'id'), param(req, 'linkId'))),
  );
  if (exportsApi) {
    // Organizers (session token) and the chair's or secretary's join link: the browser fetches with
    // the header and saves the blob, so no token ever appears in a URL.
    app.get('/api/meetings/:id/exports/:file', (req, res, next) => {
      (async () => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!token) throw new DomainError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
        const meetingId = param(req, 'id');
        await exportsApi.authorize(token, meetingId);
        const file = await exportsApi.render(meetingId, param(req, 'file'));
        const encoded = encodeURIComponent(file.filename).replace(
          /['()*]/g,
          (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
        );
        res.setHeader('Content-Type', file.contentType);
        res.setHeader(
          'Content-Disposition',
          `attachment; filename="${file.asciiFilename}"; filename*=UTF-8''${encoded}`,
        );
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Giaoban-Draft', file.draft ? '1' : '0');
        res.status(200).end(file.bytes);
      })().catch(next);
    });
  }
  if (exportsApi) {
    // The audit log for the organizer's page (and the chair's or secretary's link), same authorisation as the exports.
    app.get('/api/meetings/:id/audit', (req, res, next) => {
      (async () => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!token) throw new DomainError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
        const meetingId = param(req, 'id');
        await exportsApi.authorize(token, meetingId);
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).json({ entries: await exportsApi.auditLog(meetingId) });
      })().catch(next);
    });
  }
  if (documents) app.use(documentRoutes(documents));
  for (const routes of extraRoutes) app.use(routes);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such API route' } });
  });

  // The built client: hashed assets are immutable; index.html answers every client route.
  if (existsSync(clientDir)) {
    app.use(
      '/assets',
      express.static(path.join(clientDir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
    );
    app.use(express.static(clientDir, { index: false }));
    app.get(/^(?!\/api\/|\/socket\.io\/).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(clientDir, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res
        .type('html')
        .send('<!doctype html><title>Giao Ban</title><p>Giao Ban hub is running. Client not built.</p>');
    });
  }

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const parseFailure =
      typeof err === 'object' &&
      err !== null &&
      'type' in err &&
      (err as { type: unknown }).type === 'entity.parse.failed';
    const tooLarge =
      typeof err === 'object' &&
      err !== null &&
      'type' in err &&
      (err as { type: unknown }).type === 'entity.too.large';
    // express.static (fallthrough off for /assets) reports a missing file as an error with status 404.
    const missingFile =
      typeof err === 'object' &&
      err !== null &&
      'status' in err &&
      (err as { status: unknown }).status === 404;
    const wire = parseFailure
      ? { code: 'VALIDATION' as const, message: 'Request body is not valid JSON' }
      : tooLarge
        ? { code: 'LIMIT' as const, message: 'Request body too large' }
        : missingFile
          ? { code: 'NOT_FOUND' as const, message: 'No such file' }
          : toWireError(err, 'http');
    res.status(HTTP_STATUS[wire.code]).json({ error: wire });
  });
  return app;
}
