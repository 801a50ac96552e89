import type { AttendanceEvent, AttendanceTotals, QueueState, SiteId, SiteState } from '@giaoban/shared';
import { hasMedia, isPresent } from './BridgePoint.js';
import { turnDurationMs } from './SpeakingQueue.js';

/** One stretch of time a site was connected. */
export interface PresenceSpan {
  joinedAt: number;
  /** Null while still connected. */
  leftAt: number | null;
}

/** One site's line in the attendance report. */
export interface SiteAttendance {
  siteId: SiteId;
  name: string;
  isHost: boolean;
  declaredDelegates: number;
  presence: PresenceSpan[];
  /** Total connected time in milliseconds (to `now` while connected). */
  connectedMs: number;
  turns: { grantedAt: number; durationMs: number; topic: string; endReason: string | null }[];
}

/** Appends one event to the log (the log is append-only: it is evidence for the report). */
export function logAttendance(log: readonly AttendanceEvent[], event: AttendanceEvent): AttendanceEvent[] {
  return [...log, event];
}

/**
 * Totals of the roll-call board ("58/64 điểm cầu · 1.214 đại biểu"). Delegates are counted only
 * for connected sites: a room that dropped out is not attending, whatever it declared earlier.
 * Linked sites bring the levels below them: their communes (`linked`) and their delegates.
 */
export function attendanceTotals(sites: readonly SiteState[]): AttendanceTotals {
  let connectedSites = 0;
  let mediaSites = 0;
  let delegates = 0;
  let linked: AttendanceTotals['linked'];
  for (const s of sites) {
    // A linked site (a province relaying this meeting) stands for every level below it.
    if (s.linked) {
      linked ??= { invitedSites: 0, connectedSites: 0 };
      linked.invitedSites += s.linked.invitedSites;
      if (isPresent(s.connection)) linked.connectedSites += s.linked.connectedSites;
    }
    if (!isPresent(s.connection)) continue;
    connectedSites += 1;
    // Its hub's count covers its own room and its communes' (what it reported, every level).
    delegates += s.linked ? s.linked.delegates : s.declaredDelegates;
    if (hasMedia(s.connection)) mediaSites += 1;
  }
  return { invitedSites: sites.length, connectedSites, mediaSites, delegates, ...(linked ? { linked } : {}) };
}

/** Join/leave spans of one site, rebuilt from the log. */
export function presenceSpans(log: readonly AttendanceEvent[], siteId: SiteId): PresenceSpan[] {
  const spans: PresenceSpan[] = [];
  for (const e of log) {
    if (e.siteId !== siteId) continue;
    const open = spans[spans.length - 1];
    if (e.kind === 'join' && (!open || open.leftAt !== null)) spans.push({ joinedAt: e.at, leftAt: null });
    if (e.kind === 'leave' && open && open.leftAt === null) open.leftAt = e.at;
  }
  return spans;
}

/**
 * The attendance report: every invited site with its presence, declared delegates and speaking
 * turns with durations (the meeting regime asks minutes to list attendees and speakers).
 */
export function attendanceReport(
  sites: readonly SiteState[],
  log: readonly AttendanceEvent[],
  queue: QueueState,
  now: number,
): SiteAttendance[] {
  const turns = queue.floor ? [...queue.history, queue.floor] : queue.history;
  return sites.map((site) => {
    const presence = presenceSpans(log, site.id);
    return {
      siteId: site.id,
      name: site.name,
      isHost: site.isHost,
      declaredDelegates: site.declaredDelegates,
      presence,
      connectedMs: presence.reduce((sum, p) => sum + ((p.leftAt ?? now) - p.joinedAt), 0),
      turns: turns
        .filter((t) => t.siteId === site.id)
        .map((t) => ({
          grantedAt: t.grantedAt,
          durationMs: turnDurationMs(t, now),
          topic: t.topic,
          endReason: t.endReason,
        })),
    };
  });
}
