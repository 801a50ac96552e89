import {
  AgendaState,
  AttendanceEvent,
  type DirectorySite,
  emptyModeration,
  Instant,
  type MeetingId,
  MeetingInfo,
  type MeetingSnapshot,
  ModerationState,
  ParentView,
  ParticipantState,
  QueueState,
  SiteId,
  SiteState,
  SlidesState,
  type VideoCodec,
} from '@giaoban/shared';
import { z } from 'zod';
import { emptyAgenda } from './Agenda.js';
import { attendanceTotals } from './Attendance.js';
import { siteFromDirectory } from './BridgePoint.js';
import { type Outcome, refuse, succeed } from './DomainError.js';
import { programSiteId } from './MediaPolicy.js';
import { emptySlides } from './Slides.js';
import { emptyQueue } from './SpeakingQueue.js';
import { VoteRecord, voteView } from './Vote.js';

/**
 * One change of a site's link quality (the hub's `site:quality` crossing the poor threshold either
 * way, or poor ending because media stopped). Append-only, like the attendance log: the statistics
 * across meetings read poor episodes from it.
 */
export const QualityEvent = z.object({ siteId: SiteId, poor: z.boolean(), at: Instant });
/** See {@link QualityEvent}. */
export type QualityEvent = z.infer<typeof QualityEvent>;

/**
 * The persisted aggregate of one meeting. It is the snapshot's state plus what only some roles
 * may read (the attendance log); derived values (program, totals) are not stored. The minutes are
 * the secretaries' workspace (a Yjs document of its own), not part of the record.
 */
export const MeetingRecord = z.object({
  /** Bumped by exactly one per successful mutating command; the store's optimistic lock. */
  version: z.number().int().nonnegative(),
  meeting: MeetingInfo,
  sites: z.array(SiteState),
  participants: z.array(ParticipantState),
  agenda: AgendaState,
  queue: QueueState,
  stage: z.object({ pinnedSiteId: SiteId.nullable() }),
  attendance: z.array(AttendanceEvent),
  /** Report documents and the presentation; records stored before slides existed read as empty. */
  slides: SlidesState.default(emptySlides),
  /** Votes (biểu quyết), oldest first; records stored before votes existed read as none. */
  votes: z.array(VoteRecord).default([]),
  /** Chat mutes and the talk-back line. */
  moderation: ModerationState.default(emptyModeration),
  /** Link-quality changes, oldest first; records stored before this log existed read as none. */
  quality: z.array(QualityEvent).default([]),
  /** The parent meeting this one relays (linked meetings); null when not linked. */
  parent: ParentView.nullable().default(null),
});
/** See {@link MeetingRecord}. */
export type MeetingRecord = z.infer<typeof MeetingRecord>;

/** What an organizer decides when creating a meeting (ids resolved against the directory). */
export interface NewMeeting {
  id: MeetingId;
  title: string;
  scheduledAt: number;
  hostSite: DirectorySite;
  chairName: string;
  floorSeconds: number;
  maxConnections: number;
  invitedSites: readonly DirectorySite[];
  /** The meeting's video codec; VP8 when absent. */
  videoCodec?: VideoCodec;
}

/** A scheduled meeting at version 0: the host site first, then the invited sites once each. */
export function createMeetingRecord(input: NewMeeting): MeetingRecord {
  const sites = [siteFromDirectory(input.hostSite, true)];
  for (const entry of input.invitedSites) {
    if (!sites.some((s) => s.id === entry.id)) sites.push(siteFromDirectory(entry, false));
  }
  return {
    version: 0,
    meeting: {
      id: input.id,
      title: input.title,
      scheduledAt: input.scheduledAt,
      hostSiteId: input.hostSite.id,
      chairName: input.chairName,
      status: 'scheduled',
      techCheckAt: null,
      liveAt: null,
      endedAt: null,
      techCheckTalkTo: null,
      floorSeconds: input.floorSeconds,
      maxConnections: input.maxConnections,
      ...(input.videoCodec === 'h264' ? { videoCodec: 'h264' as const } : {}),
    },
    sites,
    participants: [],
    agenda: emptyAgenda(),
    queue: emptyQueue(),
    stage: { pinnedSiteId: null },
    attendance: [],
    slides: emptySlides(),
    votes: [],
    moderation: emptyModeration(),
    quality: [],
    parent: null,
  };
}

/** What every participant may see, with the program site and the totals derived. */
export function toSnapshot(record: MeetingRecord): MeetingSnapshot {
  return {
    version: record.version,
    meeting: record.meeting,
    sites: record.sites,
    participants: record.participants,
    agenda: record.agenda,
    queue: record.queue,
    stage: { pinnedSiteId: record.stage.pinnedSiteId, programSiteId: programSiteId(record) },
    totals: attendanceTotals(record.sites),
    slides: record.slides,
    votes: record.votes.map((v) => voteView(v, record.sites)),
    moderation: record.moderation,
    parent: record.parent,
  };
}

/**
 * Validates a record read from storage, so a corrupt or older-shaped document is refused
 * (INTERNAL: it is our data, not the user's) instead of failing later in a handler.
 */
export function parseMeetingRecord(raw: unknown): Outcome<MeetingRecord> {
  const parsed = MeetingRecord.safeParse(raw);
  if (parsed.success) return succeed(parsed.data);
  return refuse(
    'INTERNAL',
    `stored meeting record is invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`,
  );
}
