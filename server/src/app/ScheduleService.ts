import { randomBytes } from 'node:crypto';
import {
  type BookingResult,
  CalendarData,
  type CalendarEntry,
  type CalendarYear,
  type HolidayEntry,
  type HttpSchemas,
  type IssuedLink,
  type MeetingDeadlines,
  type MeetingId,
  type MeetingPlan,
  type MeetingSummary,
  type ParticipantId,
  type ScheduleSchemas,
  type SiteConfirmation,
  type SiteId,
} from '@giaoban/shared';
import type { z } from 'zod';
import type { TokenService } from '../auth/tokens.js';
import type { ScheduleConfig } from '../config/ScheduleConfig.js';
import shippedCalendar from '../directory/calendar-vn.json' with { type: 'json' };
import { type BookingSlot, describeClash, findClashes, occurrences, plannedEnd } from '../domain/Booking.js';
import { WorkingCalendar } from '../domain/calendar/WorkingCalendar.js';
import {
  confirmationsDueAt,
  documentsDueDate,
  isLate,
  noticeStatus,
  techCheckOpensAt,
} from '../domain/Deadlines.js';
import { type Actor, DomainError, isDomainError, type MeetingRecord } from '../domain/index.js';
import { log } from '../log/log.js';
import type { ScheduleRepository } from '../store/ScheduleStore.js';
import type { Store } from '../store/Store.js';
import type { MeetingService } from './MeetingService.js';

/** What booking needs of the organizer service: create a meeting, edit it, read it. */
export interface MeetingPreparation {
  createMeeting(organizer: string, body: z.output<typeof HttpSchemas.createMeeting>): Promise<MeetingSummary>;
  getMeeting(id: string): Promise<MeetingSummary>;
}

/** The meeting's life over HTTP: the organizer's three transitions. */
export type LifecycleStep = 'openTechCheck' | 'goLive' | 'end';

const COMMAND_OF = {
  openTechCheck: 'meeting:openTechCheck',
  goLive: 'meeting:goLive',
  end: 'meeting:end',
} as const satisfies Record<LifecycleStep, string>;

/** The organizer as a domain actor (the same identity OrganizerService uses). */
const organizerActor = (username: string): Actor => ({
  participantId: `organizer:${username}` as ParticipantId,
  role: 'organizer',
  siteId: null,
  displayName: username,
});

/** Who opens the tech check when its time comes: the schedule itself, acting for the organizers. */
const SCHEDULER = organizerActor('lịch-tự-động');

/**
 * The hub's calendar: booking without clashes (sites and capacity), recurring briefings, the
 * deadlines of the meeting regime (documents ahead, sites' confirmations, the conclusion notice
 * on the working-day calendar), the tech check opening by itself, and the organizer's start/end
 * over HTTP. Bookings are checked and created one at a time: queued on this instance, and under
 * a lock in the store across instances (ScheduleRepository.withBookingLock).
 */
export class ScheduleService {
  #bookingChain: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;
  #calendarCache: { data: CalendarData; calendar: WorkingCalendar } | null = null;
  /** The hub's own URL once it listens, for links when PUBLIC_URL is not set. */
  hubUrl = '';

  constructor(
    private readonly deps: {
      store: Store;
      schedule: ScheduleRepository;
      meetings: MeetingService;
      organizer: MeetingPreparation;
      tokens: TokenService;
      config: ScheduleConfig;
      clock?: () => number;
    },
  ) {}

  /** The same schedule judged at another instant (what the tracker will say on a given day). */
  asOf(now: number): ScheduleService {
    const view = new ScheduleService({ ...this.deps, clock: () => now });
    view.hubUrl = this.hubUrl;
    return view;
  }

  get #now(): number {
    return (this.deps.clock ?? Date.now)();
  }

  /** True when plain meeting creation and edits are clash-checked too (BOOKING_CLASH_CHECK=all). */
  get checksEveryMeeting(): boolean {
    return this.deps.config.clashCheck === 'all';
  }

  /** Absolute URL of a hub path, on PUBLIC_URL when set. */
  absoluteUrl(pathname: string): string {
    return `${this.deps.config.publicUrl ?? this.hubUrl}${pathname}`;
  }

  /** A link as issued, with its URL made absolute. */
  absoluteLink(link: IssuedLink): IssuedLink {
    return { ...link, url: /^https?:/.test(link.url) ? link.url : this.absoluteUrl(link.url) };
  }

  // ── working-day calendar ────────────────────────────────────────────────────────────────

  /** The calendar data in force: what organizers saved, else the shipped file. */
  async calendarData(): Promise<CalendarData> {
    return (await this.deps.schedule.getCalendar()) ?? CalendarData.parse({ years: shippedCalendar.years });
  }

  /** The working-day calendar in force. */
  async calendar(): Promise<WorkingCalendar> {
    const data = await this.calendarData();
    if (this.#calendarCache && JSON.stringify(this.#calendarCache.data) === JSON.stringify(data)) {
      return this.#calendarCache.calendar;
    }
    const calendar = new WorkingCalendar(data);
    this.#calendarCache = { data, calendar };
    return calendar;
  }

  /** The days of a year that differ from Monday–Friday, and the published notice of that year. */
  async holidays(
    year: number,
  ): Promise<{ year: number; exceptions: HolidayEntry[]; published: CalendarYear | null }> {
    if (!Number.isInteger(year) || year < 2000 || year > 2199) {
      throw new DomainError('VALIDATION', 'year must be between 2000 and 2199');
    }
    const calendar = await this.calendar();
    return {
      year,
      exceptions: calendar.exceptions(year),
      published: calendar.data.years.find((y) => y.year === year) ?? null,
    };
  }

  /** Replaces one year's published changes (an organizer read a new notice). */
  async putCalendarYear(
    organizer: string,
    year: number,
    body: z.output<typeof ScheduleSchemas.calendarYear>,
  ): Promise<CalendarYear> {
    if (!Number.isInteger(year) || year < 2000 || year > 2199) {
      throw new DomainError('VALIDATION', 'year must be between 2000 and 2199');
    }
    const stray = body.days.find(
      (d) => !d.date.startsWith(`${year}-`) && !d.date.startsWith(`${year - 1}-12`),
    );
    if (stray)
      throw new DomainError('VALIDATION', `${stray.date} is not in ${year} (or the December before)`);
    const entry: CalendarYear = {
      year,
      source: body.source,
      days: body.days,
      ...(body.unverified ? { unverified: body.unverified } : {}),
    };
    const data = await this.calendarData();
    const years = [...data.years.filter((y) => y.year !== year), entry].sort((a, b) => a.year - b.year);
    await this.deps.schedule.putCalendar({ years });
    log.info('ScheduleService.putCalendarYear()', 'calendar year replaced', {
      organizer,
      year,
      days: body.days.length,
    });
    return entry;
  }

  // ── booking ─────────────────────────────────────────────────────────────────────────────

  /** The plan of a meeting (a default one for meetings created before booking existed). */
  async plan(meetingId: string): Promise<MeetingPlan> {
    return (
      (await this.deps.schedule.getPlan(meetingId as MeetingId)) ?? {
        meetingId: meetingId as MeetingId,
        plannedMinutes: this.deps.config.defaultPlannedMinutes,
        seriesId: null,
        notice: null,
        confirmations: [],
      }
    );
  }

  /** Every meeting still to come or running, as booking slots. */
  async #slots(): Promise<BookingSlot[]> {
    const [records, plans] = await Promise.all([
      this.deps.store.meetings.list(),
      this.deps.schedule.listPlans(),
    ]);
    const byId = new Map(plans.map((p) => [p.meetingId as string, p]));
    return records
      .filter((r) => r.meeting.status !== 'ended')
      .map((r) =>
        this.#slotOf(r, byId.get(r.meeting.id)?.plannedMinutes ?? this.deps.config.defaultPlannedMinutes),
      );
  }

  #slotOf(r: MeetingRecord, plannedMinutes: number): BookingSlot {
    const agendaMinutes = r.agenda.items.reduce((n, i) => n + i.plannedMinutes, 0);
    return {
      meetingId: r.meeting.id,
      title: r.meeting.title,
      start: r.meeting.scheduledAt,
      end: plannedEnd(r.meeting.scheduledAt, plannedMinutes, agendaMinutes),
      siteIds: r.sites.map((s) => s.id),
    };
  }

  /** Refuses with CONFLICT, naming every clash, when the slot cannot be booked beside `others`. */
  #refuseClashes(candidate: BookingSlot, others: readonly BookingSlot[]): void {
    const clashes = findClashes(candidate, others, this.deps.config.siteCapacity);
    if (clashes.length === 0) return;
    const first = clashes.slice(0, 5).map(describeClash).join('; ');
    const more = clashes.length > 5 ? ` (and ${clashes.length - 5} more)` : '';
    throw new DomainError('CONFLICT', `Booking clash for "${candidate.title}": ${first}${more}`);
  }

  /**
   * Runs booking steps one at a time: queued on this instance, and under the store's booking lock
   * across instances sharing a Redis, so two bookings can never both take a slot.
   */
  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    const locked = () => this.deps.schedule.withBookingLock(fn);
    const run = this.#bookingChain.then(locked, locked);
    this.#bookingChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Books a meeting, or a recurring series (one meeting per occurrence), after checking every
   * occurrence against the calendar: CONFLICT with the clashes in words, and nothing created, when
   * any occurrence clashes.
   */
  book(organizer: string, body: z.output<typeof ScheduleSchemas.book>): Promise<BookingResult> {
    return this.#serialised(async () => {
      const calendar = await this.calendar();
      const starts = body.recurrence
        ? occurrences(body.scheduledAt, body.recurrence, calendar)
        : [body.scheduledAt];
      const siteIds = [body.hostSiteId, ...body.invitedSiteIds.filter((s) => s !== body.hostSiteId)];
      const existing = await this.#slots();
      const planned: BookingSlot[] = [];
      starts.forEach((start, i) => {
        const candidate: BookingSlot = {
          meetingId: `new-${i}`,
          title: starts.length > 1 ? `${body.title} (${i + 1}/${starts.length})` : body.title,
          start,
          end: start + body.plannedMinutes * 60_000,
          siteIds,
        };
        this.#refuseClashes(candidate, [...existing, ...planned]);
        planned.push(candidate);
      });
      const seriesId = starts.length > 1 ? randomBytes(9).toString('base64url') : null;
      const meetingIds: MeetingId[] = [];
      const entries: CalendarEntry[] = [];
      for (const slot of planned) {
        const summary = await this.deps.organizer.createMeeting(organizer, {
          title: slot.title,
          scheduledAt: slot.start,
          hostSiteId: body.hostSiteId,
          chairName: body.chairName,
          floorSeconds: body.floorSeconds,
          maxConnections: body.maxConnections,
          invitedSiteIds: body.invitedSiteIds,
        });
        const plan: MeetingPlan = {
          meetingId: summary.meeting.id,
          plannedMinutes: body.plannedMinutes,
          seriesId,
          notice: null,
          confirmations: [],
        };
        await this.deps.schedule.putPlan(plan);
        meetingIds.push(summary.meeting.id);
        entries.push(this.#entry(summary, plan));
      }
      log.info('ScheduleService.book()', 'booked', { organizer, meetings: meetingIds.length, seriesId });
      return { seriesId, meetingIds, entries };
    });
  }

  /**
   * Applies a change to the calendar made outside `book` (POST/PATCH /api/meetings, PUT sites):
   * `change` is what the meeting would become. Refuses with CONFLICT when it would clash; else runs
   * `apply` while no other booking can take the slot.
   */
  guard<T>(
    change: { meetingId: string | null; title: string; scheduledAt: number; siteIds: readonly SiteId[] },
    apply: () => Promise<T>,
    plannedMinutes?: number,
  ): Promise<T> {
    return this.#serialised(async () => {
      const minutes =
        plannedMinutes ??
        (change.meetingId
          ? (await this.plan(change.meetingId)).plannedMinutes
          : this.deps.config.defaultPlannedMinutes);
      const existing = await this.#slots();
      const own = existing.find((s) => s.meetingId === change.meetingId);
      // An agenda longer than the booked length keeps its length when the meeting moves.
      const length = Math.max(
        minutes * 60_000,
        plannedMinutes === undefined && own ? own.end - own.start : 0,
      );
      this.#refuseClashes(
        {
          meetingId: change.meetingId ?? 'new',
          title: change.title,
          start: change.scheduledAt,
          end: change.scheduledAt + length,
          siteIds: change.siteIds,
        },
        existing,
      );
      return apply();
    });
  }

  /** Changes a meeting's planned length, refused when the longer slot would clash. */
  async updatePlan(
    _organizer: string,
    meetingId: string,
    body: z.output<typeof ScheduleSchemas.updatePlan>,
  ): Promise<MeetingPlan> {
    const record = await this.deps.meetings.get(meetingId);
    return this.guard(
      {
        meetingId,
        title: record.meeting.title,
        scheduledAt: record.meeting.scheduledAt,
        siteIds: record.sites.map((s) => s.id),
      },
      async () => {
        const plan = { ...(await this.plan(meetingId)), plannedMinutes: body.plannedMinutes };
        await this.deps.schedule.putPlan(plan);
        return plan;
      },
      body.plannedMinutes,
    );
  }

  #entry(summary: Pick<MeetingSummary, 'meeting' | 'sites' | 'agenda'>, plan: MeetingPlan): CalendarEntry {
    const agendaMinutes = summary.agenda.reduce((n, i) => n + i.plannedMinutes, 0);
    return {
      meetingId: summary.meeting.id,
      title: summary.meeting.title,
      status: summary.meeting.status,
      hostSiteId: summary.meeting.hostSiteId,
      siteIds: summary.sites.map((s) => s.id),
      start: summary.meeting.scheduledAt,
      end: plannedEnd(summary.meeting.scheduledAt, plan.plannedMinutes, agendaMinutes),
      seriesId: plan.seriesId,
    };
  }

  /**
   * The calendar between two instants: every meeting overlapping [from, to), optionally only those
   * a site takes part in (as host or bridge point) or hosts.
   */
  async entries(filter: {
    from: number;
    to: number;
    siteId?: string;
    hostSiteId?: string;
  }): Promise<CalendarEntry[]> {
    const [records, plans] = await Promise.all([
      this.deps.store.meetings.list(),
      this.deps.schedule.listPlans(),
    ]);
    const byId = new Map(plans.map((p) => [p.meetingId as string, p]));
    return records
      .map((r) =>
        this.#entry(
          { meeting: r.meeting, sites: r.sites, agenda: r.agenda.items },
          byId.get(r.meeting.id) ?? this.#defaultPlan(r.meeting.id),
        ),
      )
      .filter((e) => e.start < filter.to && e.end > filter.from)
      .filter((e) => !filter.siteId || e.siteIds.includes(filter.siteId as SiteId))
      .filter((e) => !filter.hostSiteId || e.hostSiteId === filter.hostSiteId)
      .sort((a, b) => a.start - b.start);
  }

  #defaultPlan(meetingId: string): MeetingPlan {
    return {
      meetingId: meetingId as MeetingId,
      plannedMinutes: this.deps.config.defaultPlannedMinutes,
      seriesId: null,
      notice: null,
      confirmations: [],
    };
  }

  // ── deadlines ───────────────────────────────────────────────────────────────────────────

  /** The deadlines of one meeting: documents, confirmations, tech check, conclusion notice. */
  async deadlines(meetingId: string): Promise<MeetingDeadlines> {
    const [record, plan, calendar] = await Promise.all([
      this.deps.meetings.get(meetingId),
      this.plan(meetingId),
      this.calendar(),
    ]);
    return this.#deadlinesOf(record, plan, calendar);
  }

  /** Every meeting's deadlines, newest first; `overdueOnly` keeps the overdue notices. */
  async allDeadlines(overdueOnly = false): Promise<MeetingDeadlines[]> {
    const [records, plans, calendar] = await Promise.all([
      this.deps.store.meetings.list(),
      this.deps.schedule.listPlans(),
      this.calendar(),
    ]);
    const byId = new Map(plans.map((p) => [p.meetingId as string, p]));
    return records
      .map((r) => this.#deadlinesOf(r, byId.get(r.meeting.id) ?? this.#defaultPlan(r.meeting.id), calendar))
      .filter((d) => !overdueOnly || d.notice.state === 'overdue')
      .sort((a, b) => b.scheduledAt - a.scheduledAt);
  }

  #deadlinesOf(record: MeetingRecord, plan: MeetingPlan, calendar: WorkingCalendar): MeetingDeadlines {
    const { meeting } = record;
    const dueDate = documentsDueDate(meeting.scheduledAt, this.deps.config.documentsWorkingDays, calendar);
    const answered = new Set(plan.confirmations.map((c) => c.siteId));
    return {
      meetingId: meeting.id,
      title: meeting.title,
      status: meeting.status,
      scheduledAt: meeting.scheduledAt,
      documentsDueDate: dueDate,
      documents: record.slides.documents.map((d) => ({
        documentId: d.id,
        title: d.name,
        uploadedAt: d.uploadedAt,
        late: isLate(d.uploadedAt, dueDate),
      })),
      techCheckOpensAt: techCheckOpensAt(meeting.scheduledAt, this.deps.config.techCheckMinutes),
      confirmationsDueAt: confirmationsDueAt(meeting.scheduledAt),
      confirmations: plan.confirmations,
      unconfirmedSiteIds: record.sites.filter((s) => !s.isHost && !answered.has(s.id)).map((s) => s.id),
      notice: { ...noticeStatus(meeting.endedAt, plan.notice, this.#now, calendar), issue: plan.notice },
    };
  }

  /** Records that the conclusion notice was issued; only for an ended meeting. */
  async issueNotice(
    organizer: string,
    meetingId: string,
    body: z.output<typeof ScheduleSchemas.issueNotice>,
  ): Promise<MeetingDeadlines> {
    const record = await this.deps.meetings.get(meetingId);
    if (record.meeting.status !== 'ended' || record.meeting.endedAt === null) {
      throw new DomainError('INVALID_STATE', 'the conclusion notice is issued after the meeting has ended');
    }
    const issuedAt = body.issuedAt ?? this.#now;
    if (issuedAt < record.meeting.endedAt) {
      throw new DomainError('VALIDATION', 'the notice cannot be issued before the meeting ended');
    }
    const plan = {
      ...(await this.plan(meetingId)),
      notice: { issuedAt, reference: body.reference, by: organizer },
    };
    await this.deps.schedule.putPlan(plan);
    log.info('ScheduleService.issueNotice()', 'conclusion notice recorded', {
      meetingId,
      reference: body.reference,
    });
    return this.deadlines(meetingId);
  }

  /**
   * A site answers its invitation with its own join link (Bearer): attending or not, and how many
   * delegates. Open until the end of the day before the meeting.
   */
  async confirm(token: string, body: z.output<typeof ScheduleSchemas.confirm>): Promise<SiteConfirmation> {
    const claims = this.deps.tokens.verifyJoin(token);
    const link = claims ? await this.deps.store.links.get(claims.sub) : null;
    if (!claims || !link || link.revokedAt !== null) {
      throw new DomainError('UNAUTHENTICATED', 'This join link is not valid (expired or revoked)');
    }
    if (link.role !== 'site' || link.siteId === null) {
      throw new DomainError('FORBIDDEN', 'only a bridge point’s link confirms attendance');
    }
    const record = await this.deps.meetings.get(link.meetingId);
    if (this.#now > confirmationsDueAt(record.meeting.scheduledAt) || record.meeting.status !== 'scheduled') {
      throw new DomainError(
        'INVALID_STATE',
        'confirmations close at the end of the day before the meeting; declare delegates in the meeting instead',
      );
    }
    const confirmation: SiteConfirmation = {
      siteId: link.siteId,
      attending: body.attending,
      delegates: body.attending ? body.delegates : 0,
      at: this.#now,
    };
    await this.#serialised(async () => {
      const plan = await this.plan(link.meetingId);
      await this.deps.schedule.putPlan({
        ...plan,
        confirmations: [...plan.confirmations.filter((c) => c.siteId !== link.siteId), confirmation],
      });
    });
    return confirmation;
  }

  // ── the meeting's life over HTTP and by the clock ───────────────────────────────────────

  /** Opens the tech check, goes live or ends a meeting as the organizer; returns the meeting. */
  async operate(organizer: string, meetingId: string, step: LifecycleStep): Promise<MeetingSummary> {
    await this.deps.meetings.run(meetingId, organizerActor(organizer), { type: COMMAND_OF[step] }, true);
    log.info('ScheduleService.operate()', 'meeting moved over HTTP', { organizer, meetingId, step });
    return this.deps.organizer.getMeeting(meetingId);
  }

  /** Starts the clock that opens tech checks; idempotent. */
  start(): void {
    if (this.#timer || this.deps.config.techCheckMinutes === 0) return;
    this.#timer = setInterval(() => void this.tick(), this.deps.config.tickMs);
    this.#timer.unref();
  }

  /**
   * Opens the tech check of every booked meeting (one with a plan, from POST /api/bookings) whose
   * time has come: techCheckMinutes before the start, until its planned end. A meeting created the
   * plain way has no plan and is opened by its chair or operator (or POST …/openTechCheck), so a
   * client that opens it itself never races the clock. Another instance may get there first: its
   * INVALID_STATE is fine. Returns the ids opened here.
   */
  async tick(): Promise<string[]> {
    if (this.#ticking || this.deps.config.techCheckMinutes === 0) return [];
    this.#ticking = true;
    const opened: string[] = [];
    try {
      const now = this.#now;
      const booked = new Set((await this.deps.schedule.listPlans()).map((p) => p.meetingId as string));
      for (const slot of (await this.#slots()).filter((s) => booked.has(s.meetingId))) {
        const record = await this.deps.store.meetings.get(slot.meetingId as MeetingId);
        if (record?.meeting.status !== 'scheduled') continue;
        if (now < techCheckOpensAt(slot.start, this.deps.config.techCheckMinutes) || now >= slot.end)
          continue;
        try {
          await this.deps.meetings.run(slot.meetingId, SCHEDULER, { type: 'meeting:openTechCheck' });
          opened.push(slot.meetingId);
          log.info('ScheduleService.tick()', 'tech check opened by the schedule', {
            meetingId: slot.meetingId,
          });
        } catch (err) {
          if (!(isDomainError(err) && err.code === 'INVALID_STATE')) {
            log.warn('ScheduleService.tick()', 'could not open the tech check', {
              meetingId: slot.meetingId,
              error: err instanceof Error ? err.message : String(err),
            });
          }
        }
      }
    } catch (err) {
      log.warn('ScheduleService.tick()', 'schedule check failed; next tick retries', {
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      this.#ticking = false;
    }
    return opened;
  }

  /** Stops the clock; idempotent. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
