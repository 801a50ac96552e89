/** Booking, deadline and public-address settings, read from the environment with embedded defaults. */
export interface ScheduleConfig {
  /** Most sites the hub carries at once over all meetings; null = no cap (`BOOKING_SITE_CAPACITY=0`). */
  siteCapacity: number | null;
  /**
   * `all`: every way of placing a meeting (booking, POST/PATCH /api/meetings, inviting sites) is
   * refused when it clashes; `bookings`: only the booking API and plan changes are (test suites that
   * create many meetings at one hour use this).
   */
  clashCheck: 'all' | 'bookings';
  /** Length assumed for a meeting booked without one, in minutes. */
  defaultPlannedMinutes: number;
  /** Documents and invitations are due this many working days before the meeting day. */
  documentsWorkingDays: number;
  /** The tech check opens by itself this many minutes before the start; 0 = only by hand. */
  techCheckMinutes: number;
  /** How often the scheduler looks for tech checks to open, in ms. */
  tickMs: number;
  /** The address people reach the hub at (links are built on it); null = the hub's own URL. */
  publicUrl: string | null;
}

/** A scheduling setting that cannot be used; the message names the variable. */
export class ScheduleConfigError extends Error {}

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ScheduleConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

/** Reads the scheduling settings; throws ScheduleConfigError with a clear message. */
export function loadScheduleConfig(env: NodeJS.ProcessEnv = process.env): ScheduleConfig {
  const capacity = readInt(env, 'BOOKING_SITE_CAPACITY', 250, 0, 100_000);
  let publicUrl: string | null = null;
  if (env.PUBLIC_URL) {
    let url: URL;
    try {
      url = new URL(env.PUBLIC_URL);
    } catch {
      throw new ScheduleConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${env.PUBLIC_URL}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ScheduleConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${env.PUBLIC_URL}"`);
    }
    publicUrl = url.href.replace(/\/+$/, '');
  }
  const clashCheck = env.BOOKING_CLASH_CHECK || 'all';
  if (clashCheck !== 'all' && clashCheck !== 'bookings') {
    throw new ScheduleConfigError(`BOOKING_CLASH_CHECK must be "all" or "bookings", got "${clashCheck}"`);
  }
  return {
    clashCheck,
    siteCapacity: capacity === 0 ? null : capacity,
    defaultPlannedMinutes: readInt(env, 'BOOKING_DEFAULT_MINUTES', 120, 1, 24 * 60),
    documentsWorkingDays: readInt(env, 'DOCUMENTS_WORKING_DAYS', 3, 0, 30),
    techCheckMinutes: readInt(env, 'TECH_CHECK_MINUTES', 60, 0, 24 * 60),
    tickMs: readInt(env, 'SCHEDULE_TICK_MS', 15_000, 100, 3_600_000),
    publicUrl,
  };
}
