import { z } from 'zod';
import { Instant, MeetingId, SiteId } from './ids.js';
import { MeetingStatus } from './state.js';

/** A calendar day in Vietnam time (UTC+7), as the statistics range takes it. */
export const StatisticsDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** One site in one meeting: a point of the site's plots. */
export const SiteMeetingPoint = z.object({
  meetingId: MeetingId,
  title: z.string(),
  scheduledAt: Instant,
  attended: z.boolean(),
  /** Minutes after the meeting went live that the site first joined; null when on time or absent. */
  lateMinutes: z.number().nonnegative().nullable(),
  connectedSeconds: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
  speakingSeconds: z.number().int().nonnegative(),
  poorEpisodes: z.number().int().nonnegative(),
  poorSeconds: z.number().int().nonnegative(),
});
export type SiteMeetingPoint = z.infer<typeof SiteMeetingPoint>;

/** One site's totals across the meetings of the range, with its per-meeting timeline. */
export const SiteStatisticsRow = z.object({
  siteId: SiteId,
  name: z.string(),
  invited: z.number().int().nonnegative(),
  attended: z.number().int().nonnegative(),
  /** attended / invited, 0..1 (0 when never invited). */
  attendanceRate: z.number().min(0).max(1),
  lateCount: z.number().int().nonnegative(),
  /** Mean minutes late over the late meetings; null when never late. */
  averageLateMinutes: z.number().nonnegative().nullable(),
  turns: z.number().int().nonnegative(),
  speakingSeconds: z.number().int().nonnegative(),
  connectedSeconds: z.number().int().nonnegative(),
  poorEpisodes: z.number().int().nonnegative(),
  /** Share of connected time marked poor, 0..1. */
  poorShare: z.number().min(0).max(1),
  /** Oldest meeting first. */
  timeline: z.array(SiteMeetingPoint),
});
export type SiteStatisticsRow = z.infer<typeof SiteStatisticsRow>;

/** `GET /api/statistics/sites`: meetings that took place (tech check or later) scheduled in the range. */
export const SiteStatisticsResponse = z.object({
  from: StatisticsDay,
  to: StatisticsDay,
  meetings: z.array(
    z.object({ id: MeetingId, title: z.string(), scheduledAt: Instant, status: MeetingStatus }),
  ),
  sites: z.array(SiteStatisticsRow),
});
export type SiteStatisticsResponse = z.infer<typeof SiteStatisticsResponse>;
