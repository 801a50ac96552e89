import type { SiteStatisticsResponse } from '@giaoban/shared';
import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../domain/index.js';
import { dayRange, siteStatistics, statisticsCsv } from '../stats/SiteStatistics.js';
import type { MeetingRepository } from '../store/Store.js';

const MAX_DAYS = 731;

/** The statistics of the query's `from`..`to` days (Vietnam time), organizer only. */
async function compute(
  req: Request,
  meetings: Pick<MeetingRepository, 'list'>,
  organizer: (token: string) => string,
): Promise<SiteStatisticsResponse> {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!m?.[1]) throw new DomainError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
  organizer(m[1]);
  const from = req.query.from;
  const to = req.query.to;
  if (typeof from !== 'string' || typeof to !== 'string') {
    throw new DomainError('VALIDATION', 'query from and to are required (YYYY-MM-DD)');
  }
  const range = dayRange(from, to);
  if (!range) throw new DomainError('VALIDATION', 'from and to must be real days as YYYY-MM-DD');
  if (range.end <= range.start || range.end - range.start > MAX_DAYS * 86_400_000) {
    throw new DomainError('VALIDATION', `to must not be before from, and at most ${MAX_DAYS} days later`);
  }
  return siteStatistics(await meetings.list(), { from, to, ...range }, Date.now());
}

/**
 * Statistics across meetings (organizer session as Bearer):
 * - `GET /api/statistics/sites?from&to` — per site totals with a per-meeting timeline.
 * - `GET /api/statistics/sites.csv?from&to` — the totals as CSV for Excel (UTF-8 with BOM).
 */
export function statisticsRoutes(
  meetings: Pick<MeetingRepository, 'list'>,
  organizer: (token: string) => string,
): express.Router {
  const r = express.Router();
  r.get('/api/statistics/sites', (req: Request, res: Response, next: NextFunction) => {
    compute(req, meetings, organizer).then((body) => {
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json(body);
    }, next);
  });
  r.get('/api/statistics/sites.csv', (req: Request, res: Response, next: NextFunction) => {
    compute(req, meetings, organizer).then((stats) => {
      const name = `thong-ke-diem-cau_${stats.from}_${stats.to}.csv`;
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).send(Buffer.from(statisticsCsv(stats), 'utf8'));
    }, next);
  });
  return r;
}
