import { z } from 'zod';
import { Instant, MeetingId, SiteId } from './ids.js';
import { MeetingStatus } from './state.js';

/** A civil date in Vietnam (UTC+7), `YYYY-MM-DD`. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((s) => {
    const t = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === s;
  }, 'no such date');
export type IsoDate = z.infer<typeof IsoDate>;

/** One day a published notice sets: a day off (a swapped or extra holiday) or a working day (làm bù). */
export const CalendarDay = z
  .object({
    date: IsoDate,
    /** true: nobody works that day; false: a working day even if it is a Saturday or a default holiday. */
    off: z.boolean(),
    name: z.string().trim().min(1).max(200),
    /**
     * Where the day comes from: `notice` — decided by the year's published notice (a swap, a làm bù
     * Saturday); `rule` — follows from the Labour Code (e.g. a compensatory day for a holiday on a
     * weekend), listed because a listed year computes none. Absent: `notice`.
     */
    basis: z.enum(['notice', 'rule']).optional(),
  })
  .strict();
export type CalendarDay = z.infer<typeof CalendarDay>;

/** What the government published for one year (holiday swaps, làm bù Saturdays), with its source. */
export const CalendarYear = z
  .object({
    year: z.number().int().min(2000).max(2199),
    /** The notice it comes from, e.g. "Thông báo 6150/TB-LĐTBXH ngày 12/11/2024". */
    source: z.string().trim().min(1).max(500),
    days: z.array(CalendarDay).max(100),
    /** What in this entry has not been checked against the notice's own text (null/absent: checked). */
    unverified: z.string().trim().min(1).max(1000).optional(),
  })
  .strict();
export type CalendarYear = z.infer<typeof CalendarYear>;

/** Every year's published changes to the statutory working-day calendar. */
export const CalendarData = z.object({ years: z.array(CalendarYear).max(300) }).strict();
export type CalendarData = z.infer<typeof CalendarData>;

/** A non-working weekday or a working weekend day of one year, and why. */
export const HolidayEntry = z.object({
  date: IsoDate,
  name: z.string(),
  off: z.boolean(),
  /** statutory: Labour Code art. 112; compensatory: a statutory day that fell on a weekend; published: a notice. */
  kind: z.enum(['statutory', 'compensatory', 'published']),
  source: z.string(),
});
export type HolidayEntry = z.infer<typeof HolidayEntry>;

/** A recurrence of a briefing: every month or every quarter, `count` meetings in all. */
export const Recurrence = z
  .object({
    every: z.enum(['month', 'quarter']),
    count: z.number().int().min(2).max(24),
    /** A meeting that would fall on a weekend or holiday moves to the next working day (default). */
    moveToWorkingDay: z.boolean().default(true),
  })
  .strict();
export type Recurrence = z.infer<typeof Recurrence>;

/** A site's answer to its invitation, through its own join link, before the day. */
export const SiteConfirmation = z.object({
  siteId: SiteId,
  attending: z.boolean(),
  delegates: z.number().int().min(0).max(10_000),
  at: Instant,
});
export type SiteConfirmation = z.infer<typeof SiteConfirmation>;

/** The conclusion notice (thông báo kết luận) as issued. */
export const NoticeIssue = z.object({
  issuedAt: Instant,
  /** The notice's number and sign, e.g. "15-TB/BTCTW". */
  reference: z.string(),
  by: z.string(),
});
export type NoticeIssue = z.infer<typeof NoticeIssue>;

/** What the booking knows of a meeting beyond the meeting itself: its length, series, notice, answers. */
export const MeetingPlan = z.object({
  meetingId: MeetingId,
  plannedMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** Meetings booked together as one recurring briefing share this id. */
  seriesId: z.string().nullable(),
  notice: NoticeIssue.nullable(),
  confirmations: z.array(SiteConfirmation),
});
export type MeetingPlan = z.infer<typeof MeetingPlan>;

/** The state of a meeting's conclusion notice against its 5-working-day deadline (QĐ 45/2018). */
export const NoticeState = z.enum(['notEnded', 'pending', 'overdue', 'issued', 'issuedLate']);
export type NoticeState = z.infer<typeof NoticeState>;

/** A document's state against the "N working days before" rule. */
export const DocumentDeadline = z.object({
  documentId: z.string(),
  title: z.string(),
  uploadedAt: Instant,
  late: z.boolean(),
});
export type DocumentDeadline = z.infer<typeof DocumentDeadline>;

/** The deadlines of one meeting, as the organizer page shows them. */
export const MeetingDeadlines = z.object({
  meetingId: MeetingId,
  title: z.string(),
  status: MeetingStatus,
  scheduledAt: Instant,
  /** Last day documents and invitations count as on time (N working days before the meeting day). */
  documentsDueDate: IsoDate,
  documents: z.array(DocumentDeadline),
  /** When the tech check opens by itself. */
  techCheckOpensAt: Instant,
  /** Sites' answers are due before the day: by the end of the day before the meeting. */
  confirmationsDueAt: Instant,
  confirmations: z.array(SiteConfirmation),
  /** Invited sites (not the host) that have not answered. */
  unconfirmedSiteIds: z.array(SiteId),
  notice: z.object({
    state: NoticeState,
    /** The 5th working day after the meeting ended; null until it ends. */
    dueDate: IsoDate.nullable(),
    /** End of that day in Vietnam. */
    dueAt: Instant.nullable(),
    /** Working days left until the due date (negative once overdue); null until it ends or once issued. */
    workingDaysLeft: z.number().int().nullable(),
    issue: NoticeIssue.nullable(),
  }),
});
export type MeetingDeadlines = z.infer<typeof MeetingDeadlines>;

/** One booked meeting on the calendar. */
export const CalendarEntry = z.object({
  meetingId: MeetingId,
  title: z.string(),
  status: MeetingStatus,
  hostSiteId: SiteId,
  siteIds: z.array(SiteId),
  start: Instant,
  end: Instant,
  seriesId: z.string().nullable(),
});
export type CalendarEntry = z.infer<typeof CalendarEntry>;

/** Request bodies of the scheduling API (validated at the edge). */
export const ScheduleSchemas = {
  /** Book a meeting (or a recurring series): a meeting's fields plus its planned length. */
  book: z
    .object({
      title: z.string().trim().min(1).max(300),
      scheduledAt: Instant,
      plannedMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(120),
      hostSiteId: SiteId,
      chairName: z.string().trim().max(200).default(''),
      floorSeconds: z.number().int().min(0).max(3600).default(180),
      maxConnections: z.number().int().min(1).max(5000).default(1500),
      invitedSiteIds: z.array(SiteId).max(1000).default([]),
      recurrence: Recurrence.optional(),
    })
    .strict(),
  /** Change a booked meeting's planned length. */
  updatePlan: z
    .object({
      plannedMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60),
    })
    .strict(),
  /** Record that the conclusion notice was issued. */
  issueNotice: z
    .object({ reference: z.string().trim().min(1).max(200), issuedAt: Instant.optional() })
    .strict(),
  /** A site confirms (or declines) through its join link. */
  confirm: z
    .object({ attending: z.boolean().default(true), delegates: z.number().int().min(0).max(10_000) })
    .strict(),
  /** Replace one year's published calendar changes. */
  calendarYear: z
    .object({
      source: z.string().trim().min(1).max(500),
      days: z.array(CalendarDay).max(100),
      unverified: z.string().trim().min(1).max(1000).optional(),
    })
    .strict(),
} as const;
export type BookBody = z.input<typeof ScheduleSchemas.book>;

/** Answer of a booking: the meetings created (one, or one per occurrence of a series). */
export const BookingResult = z.object({
  seriesId: z.string().nullable(),
  meetingIds: z.array(MeetingId),
  entries: z.array(CalendarEntry),
});
export type BookingResult = z.infer<typeof BookingResult>;
