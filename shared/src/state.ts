import { z } from 'zod';
import { AgendaItemId, FloorRequestId, Instant, MeetingId, ParticipantId, SiteId } from './ids.js';
import { LinkedTotals, ParentView } from './relay.js';
import { Role } from './roles.js';
import { SlidesState } from './slides.js';
import { VoteView } from './votes.js';

/** Lifecycle of a meeting: scheduled → techCheck → live → ended. */
export const MeetingStatus = z.enum(['scheduled', 'techCheck', 'live', 'ended']);
export type MeetingStatus = z.infer<typeof MeetingStatus>;

/** How a bridge point is connected, as the roll-call board shows it. */
export const SiteConnection = z.enum(['absent', 'connected', 'media', 'poor']);
export type SiteConnection = z.infer<typeof SiteConnection>;

/** A bridge point (điểm cầu) invited to a meeting. */
export const SiteState = z.object({
  id: SiteId,
  name: z.string(),
  region: z.string(),
  /** The host site is where the chair presides. */
  isHost: z.boolean(),
  /** Delegates present in the room, as declared by the site (0 until declared). */
  declaredDelegates: z.number().int().nonnegative(),
  connection: SiteConnection,
  /** The site muted its own microphone. */
  selfMuted: z.boolean(),
  /** A moderator opened this site's microphone outside a floor turn. */
  micOpenedByModerator: z.boolean(),
  /**
   * A moderator muted this site ("mute all" or one site): it is not heard outside a floor turn,
   * whatever its own button says, until a moderator opens it or gives it the floor.
   */
  mutedByModerator: z.boolean().default(false),
  /** First join and latest leave, for the roll call. */
  firstJoinedAt: Instant.nullable(),
  lastLeftAt: Instant.nullable(),
  /**
   * A linked meeting's site (a province relaying this meeting to its communes): what its hub
   * reported of every level below it. Absent for an ordinary room.
   */
  linked: LinkedTotals.optional(),
});
export type SiteState = z.infer<typeof SiteState>;

/** A live connection to the meeting. One device at a site stands for many delegates. */
export const ParticipantState = z.object({
  id: ParticipantId,
  role: Role,
  siteId: SiteId.nullable(),
  displayName: z.string(),
  connectedAt: Instant,
});
export type ParticipantState = z.infer<typeof ParticipantState>;

export const AgendaItemKind = z.enum(['opening', 'report', 'discussion', 'answer', 'conclusion', 'other']);
export type AgendaItemKind = z.infer<typeof AgendaItemKind>;

/** One item of the agenda (nội dung), with planned and actual timing. */
export const AgendaItem = z.object({
  id: AgendaItemId,
  title: z.string().min(1).max(300),
  kind: AgendaItemKind,
  presenter: z.string().max(200),
  /**
   * The bridge point that presents the item (a directory site, not free text): opening the item
   * brings up its deck with this site presenting, and gives it the floor. Null: the host presents.
   */
  presenterSiteId: SiteId.nullable().default(null),
  plannedMinutes: z.number().int().min(0).max(600),
  startedAt: Instant.nullable(),
  endedAt: Instant.nullable(),
});
export type AgendaItem = z.infer<typeof AgendaItem>;

export const AgendaState = z.object({
  items: z.array(AgendaItem),
  currentItemId: AgendaItemId.nullable(),
});
export type AgendaState = z.infer<typeof AgendaState>;

/** A site's request for the floor (đăng ký phát biểu). */
export const FloorRequest = z.object({
  id: FloorRequestId,
  siteId: SiteId,
  topic: z.string().max(300),
  requestedAt: Instant,
});
export type FloorRequest = z.infer<typeof FloorRequest>;

export const FloorEndReason = z.enum(['revoked', 'expired', 'yielded', 'left', 'meetingEnded', 'replaced']);
export type FloorEndReason = z.infer<typeof FloorEndReason>;

/** A speaking turn: the floor holder now, or a past turn in the history. */
export const FloorTurn = z.object({
  siteId: SiteId,
  topic: z.string(),
  agendaItemId: AgendaItemId.nullable(),
  grantedAt: Instant,
  /** When the turn's time limit runs out; null for an open-ended turn. */
  expiresAt: Instant.nullable(),
  endedAt: Instant.nullable(),
  endReason: FloorEndReason.nullable(),
  /** Who gave the floor ("Chủ trì Nguyễn Văn A (chair)"); null in turns recorded before it was kept. */
  grantedBy: z.string().nullable().default(null),
});
export type FloorTurn = z.infer<typeof FloorTurn>;

export const QueueState = z.object({
  /** Pending requests in the order the moderator will grant them. */
  requests: z.array(FloorRequest),
  floor: FloorTurn.nullable(),
  history: z.array(FloorTurn),
});
export type QueueState = z.infer<typeof QueueState>;

/** Main stage (program): pinned site, else the floor holder, else the host. */
export const StageState = z.object({
  pinnedSiteId: SiteId.nullable(),
  /** The site shown as program right now (derived, sent for convenience). */
  programSiteId: SiteId.nullable(),
});
export type StageState = z.infer<typeof StageState>;

export const AttendanceEvent = z.object({
  siteId: SiteId,
  kind: z.enum(['join', 'leave', 'declare']),
  at: Instant,
  delegates: z.number().int().nonnegative().nullable(),
});
export type AttendanceEvent = z.infer<typeof AttendanceEvent>;

/** Totals for the roll-call board: "58/64 điểm cầu · 1.214 đại biểu". */
export const AttendanceTotals = z.object({
  invitedSites: z.number().int(),
  connectedSites: z.number().int(),
  mediaSites: z.number().int(),
  /** Every level: a linked site counts the delegates its hub reported for all levels below it. */
  delegates: z.number().int(),
  /** The sites below the linked sites (communes), when any site is linked; absent otherwise. */
  linked: z.object({ invitedSites: z.number().int(), connectedSites: z.number().int() }).optional(),
});
export type AttendanceTotals = z.infer<typeof AttendanceTotals>;

/**
 * The video codec the meeting's cameras publish and its program is sent in. VP8 by default; H.264
 * (constrained baseline, packetization-mode 1) when room systems over SIP that take only H.264
 * join: browsers then publish H.264 and the program reaches room systems as one H.264 stream,
 * without transcoding.
 */
export const VideoCodec = z.enum(['vp8', 'h264']);
export type VideoCodec = z.infer<typeof VideoCodec>;

/** The meeting itself. */
export const MeetingInfo = z.object({
  id: MeetingId,
  title: z.string().min(1).max(300),
  scheduledAt: Instant,
  hostSiteId: SiteId,
  chairName: z.string().max(200),
  status: MeetingStatus,
  techCheckAt: Instant.nullable(),
  liveAt: Instant.nullable(),
  endedAt: Instant.nullable(),
  /**
   * Before the meeting is live the chair's microphone is private: the moderators hear it, and only
   * the one site the chair or operator opened the technical check to on purpose (`techCheck:talkTo`).
   * Null: no site hears the host yet. Cleared when the meeting goes live (then every site hears it).
   */
  techCheckTalkTo: SiteId.nullable().default(null),
  /** Default time limit of a floor turn, in seconds (0 = no limit). */
  floorSeconds: z.number().int().min(0).max(3600),
  /** Connection cap of QĐ 157/2022: at most this many connections. */
  maxConnections: z.number().int().min(1).max(5000),
  /** The meeting's video codec ({@link VideoCodec}); absent means VP8. */
  videoCodec: VideoCodec.optional(),
});
export type MeetingInfo = z.infer<typeof MeetingInfo>;

/** The operator talking privately with one site (talk-back): both hear each other, nobody else does. */
export const TalkBack = z.object({ siteId: SiteId, operatorName: z.string() });
export type TalkBack = z.infer<typeof TalkBack>;

/**
 * The meeting is being recorded (every screen shows it). `failure` is set when the recorder stopped
 * on its own (crash, full disk): the recording is over, its finished segments are kept, and the
 * moderators see the alert until they start again or dismiss it (`recording:stop`).
 */
export const RecordingState = z.object({
  recordingId: z.string().min(1).max(64),
  startedAt: Instant,
  /** Who started it ("Chủ trì Nguyễn Văn A (chair)"). */
  by: z.string(),
  failure: z.object({ at: Instant, message: z.string() }).nullable(),
});
export type RecordingState = z.infer<typeof RecordingState>;

/** Whether the meeting is being recorded right now (started and not failed). */
export const isRecording = (r: RecordingState | null | undefined): boolean => !!r && r.failure === null;

/** Moderation that every screen must reflect: whose chat is muted, the talk-back line, recording. */
export const ModerationState = z.object({
  chatMutedSiteIds: z.array(SiteId),
  talkBack: TalkBack.nullable(),
  recording: RecordingState.nullable().default(null),
});
export type ModerationState = z.infer<typeof ModerationState>;

/** Moderation of a meeting that has none. */
export const emptyModeration = (): ModerationState => ({
  chatMutedSiteIds: [],
  talkBack: null,
  recording: null,
});

/** Everything a client needs to draw the meeting. Sent whole on join and re-sync. */
export const MeetingSnapshot = z.object({
  version: z.number().int().nonnegative(),
  meeting: MeetingInfo,
  sites: z.array(SiteState),
  participants: z.array(ParticipantState),
  agenda: AgendaState,
  queue: QueueState,
  stage: StageState,
  totals: AttendanceTotals,
  /** Report documents and the page every screen shows. */
  slides: SlidesState,
  /** Votes (biểu quyết) of the meeting, oldest first. */
  votes: z.array(VoteView).default([]),
  moderation: ModerationState.default(emptyModeration),
  /** The parent meeting this one relays (linked meetings), or null when not linked. */
  parent: ParentView.nullable().default(null),
});
export type MeetingSnapshot = z.infer<typeof MeetingSnapshot>;
