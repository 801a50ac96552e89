import { ScheduleSchemas } from '@giaoban/shared';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ScheduleService } from '../app/ScheduleService.js';
import { DomainError } from '../domain/index.js';

type Handler = (req: Request, res: Response) => Promise<unknown>;

const route =
  (h: Handler, status = 200) =>
  (req: Request, res: Response, next: NextFunction) => {
    h(req, res).then((body) => res.status(status).json(body), next);
  };

const bearer = (req: Request): string => {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!m?.[1]) throw new DomainError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
  return m[1];
};

function param(req: Request, name: string): string {
  const v = req.params[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) {
    throw new DomainError('VALIDATION', `invalid path parameter ${name}`);
  }
  return v;
}

/** An optional instant in the query (ms since epoch). */
function instant(req: Request, name: string, fallback: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isSafeInteger(n) || n < 0) {
    throw new DomainError('VALIDATION', `query ${name} must be an instant in ms since the epoch`);
  }
  return n;
}

function text(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 64)
    throw new DomainError('VALIDATION', `invalid ${name}`);
  return v;
}

const DAY = 86_400_000;

/**
 * Routes of the calendar, booking, deadlines and the meeting's life over HTTP (organizer session
 * as Bearer, except the site's confirmation, which carries its join link). Mounted before the
 * catch-all /api 404; errors go to the app's error middleware.
 */
export function scheduleRoutes(
  schedule: ScheduleService,
  organizer: (token: string) => string,
): express.Router {
  const r = express.Router();
  const who = (req: Request) => organizer(bearer(req));

  r.get(
    '/api/calendar',
    route(async (req) => {
      who(req);
      return schedule.calendarData();
    }),
  );
  r.get(
    '/api/calendar/holidays',
    route(async (req) => {
      who(req);
      return schedule.holidays(instant(req, 'year', new Date().getUTCFullYear()));
    }),
  );
  r.put(
    '/api/calendar/years/:year',
    route(async (req) =>
      schedule.putCalendarYear(
        who(req),
        Number(param(req, 'year')),
        ScheduleSchemas.calendarYear.parse(req.body ?? {}),
      ),
    ),
  );
  r.post(
    '/api/bookings',
    route(async (req) => schedule.book(who(req), ScheduleSchemas.book.parse(req.body ?? {})), 201),
  );
  r.get(
    '/api/bookings',
    route(async (req) => {
      who(req);
      const from = instant(req, 'from', Date.now() - 31 * DAY);
      const to = instant(req, 'to', from + 92 * DAY);
      if (to <= from || to - from > 400 * DAY) {
        throw new DomainError('VALIDATION', 'to must be after from, at most 400 days later');
      }
      return schedule.entries({ from, to, siteId: text(req, 'siteId'), hostSiteId: text(req, 'hostSiteId') });
    }),
  );
  r.patch(
    '/api/meetings/:id/plan',
    route(async (req) =>
      schedule.updatePlan(who(req), param(req, 'id'), ScheduleSchemas.updatePlan.parse(req.body ?? {})),
    ),
  );
  r.get(
    '/api/deadlines',
    route(async (req) => {
      who(req);
      return schedule.allDeadlines(req.query.overdue === '1' || req.query.overdue === 'true');
    }),
  );
  r.get(
    '/api/meetings/:id/deadlines',
    route(async (req) => {
      who(req);
      return schedule.deadlines(param(req, 'id'));
    }),
  );
  r.post(
    '/api/meetings/:id/notice',
    route(async (req) =>
      schedule.issueNotice(who(req), param(req, 'id'), ScheduleSchemas.issueNotice.parse(req.body ?? {})),
    ),
  );
  r.post(
    '/api/confirm',
    route(async (req) => schedule.confirm(bearer(req), ScheduleSchemas.confirm.parse(req.body ?? {}))),
  );
  for (const step of ['openTechCheck', 'goLive', 'end'] as const) {
    r.post(
      `/api/meetings/:id/${step}`,
      route(async (req) => schedule.operate(who(req), param(req, 'id'), step)),
    );
  }
  return r;
}
