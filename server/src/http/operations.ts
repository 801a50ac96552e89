import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { HubMetrics } from '../metrics/HubMetrics.js';

/** What readiness checks: each answers true when its part can serve. */
export interface ReadinessChecks {
  /** The store answers (a PING for Redis). */
  store(): Promise<boolean>;
  /** At least one media worker runs. */
  media(): boolean;
  /** False once the hub is shutting down. */
  serving(): boolean;
}

const sameToken = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Routes for operators and their tools: `GET /api/metrics` (Prometheus text; with METRICS_TOKEN
 * set, only with that Bearer token) and `GET /api/ready` (200 when the store answers and a media
 * worker runs, else 503 naming what is not ready) — beside `/api/health`, which only says the
 * process is up.
 */
export function operationRoutes(
  metrics: HubMetrics,
  ready: ReadinessChecks,
  metricsToken: string | null,
): express.Router {
  const r = express.Router();
  r.get('/api/metrics', (req: Request, res: Response, next: NextFunction) => {
    if (metricsToken !== null) {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!sameToken(given, metricsToken)) {
        res
          .status(401)
          .json({ error: { code: 'UNAUTHENTICATED', message: 'Metrics need the METRICS_TOKEN bearer' } });
        return;
      }
    }
    metrics.render().then(({ body, contentType }) => {
      res.setHeader('Content-Type', contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).send(body);
    }, next);
  });
  r.get('/api/ready', (_req, res, next) => {
    (async () => {
      const checks = {
        serving: ready.serving(),
        store: await ready.store().catch(() => false),
        media: ready.media(),
      };
      const ok = checks.serving && checks.store && checks.media;
      res.setHeader('Cache-Control', 'no-store');
      res.status(ok ? 200 : 503).json({ ready: ok, checks });
    })().catch(next);
  });
  return r;
}
