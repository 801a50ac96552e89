import { z } from 'zod';
import { Instant, JoinLinkId, MeetingId, SiteId } from './ids.js';
import { JoinRole } from './roles.js';
import { type AgendaItem, AgendaItemKind, type MeetingInfo, type SiteState, VideoCodec } from './state.js';

/** A bridge point in the organizer's directory (before being invited to a meeting). */
export const DirectorySite = z.object({
  id: SiteId,
  name: z.string().min(1).max(200),
  region: z.string().max(200),
  kind: z.enum(['central', 'city', 'province', 'commune', 'other']),
  /** Former provinces merged into this unit (Resolution 202/2025/QH15). */
  mergedFrom: z.array(z.string()),
  /** The directory entry this one belongs to (e.g. a commune's province). */
  parentId: SiteId.nullable(),
});
export type DirectorySite = z.infer<typeof DirectorySite>;

/** A join link as the organizer sees it (the token itself is only returned when issued). */
export const JoinLink = z.object({
  id: JoinLinkId,
  meetingId: MeetingId,
  role: JoinRole,
  siteId: SiteId.nullable(),
  displayName: z.string(),
  issuedAt: Instant,
  expiresAt: Instant,
  revokedAt: Instant.nullable(),
});
export type JoinLink = z.infer<typeof JoinLink>;

export const HttpSchemas = {
  login: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }).strict(),
  createMeeting: z
    .object({
      title: z.string().trim().min(1).max(300),
      scheduledAt: Instant,
      hostSiteId: SiteId,
      chairName: z.string().trim().max(200).default(''),
      floorSeconds: z.number().int().min(0).max(3600).default(180),
      maxConnections: z.number().int().min(1).max(5000).default(1500),
      invitedSiteIds: z.array(SiteId).max(1000).default([]),
      /** H.264 for meetings with room systems that take only H.264 (see VideoCodec). */
      videoCodec: VideoCodec.optional(),
    })
    .strict(),
  updateMeeting: z
    .object({
      title: z.string().trim().min(1).max(300).optional(),
      scheduledAt: Instant.optional(),
      chairName: z.string().trim().max(200).optional(),
      floorSeconds: z.number().int().min(0).max(3600).optional(),
      maxConnections: z.number().int().min(1).max(5000).optional(),
      /** Only while the meeting is scheduled: its media is set up in that codec at the first join. */
      videoCodec: VideoCodec.optional(),
    })
    .strict(),
  inviteSites: z.object({ siteIds: z.array(SiteId).max(1000) }).strict(),
  createSite: z
    .object({
      name: z.string().trim().min(1).max(200),
      region: z.string().trim().max(200).default(''),
      kind: z.enum(['central', 'city', 'province', 'commune', 'other']).default('other'),
      parentId: SiteId.nullable().default(null),
    })
    .strict(),
  agendaItem: z
    .object({
      title: z.string().trim().min(1).max(300),
      kind: AgendaItemKind.default('other'),
      presenter: z.string().trim().max(200).default(''),
      /** The invited bridge point that presents the item (brings up its deck and gets the floor). */
      presenterSiteId: SiteId.nullable().default(null),
      plannedMinutes: z.number().int().min(0).max(600).default(10),
    })
    .strict(),
  reorderAgenda: z.object({ itemIds: z.array(z.string().min(1).max(64)).max(200) }).strict(),
  issueLink: z
    .object({
      role: JoinRole,
      siteId: SiteId.optional(),
      displayName: z.string().trim().max(200).optional(),
      /** Validity in hours (default 72). */
      validHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 90)
        .default(72),
    })
    .strict(),
} as const;

export type LoginBody = z.input<typeof HttpSchemas.login>;
export type CreateMeetingBody = z.input<typeof HttpSchemas.createMeeting>;
export type UpdateMeetingBody = z.input<typeof HttpSchemas.updateMeeting>;
export type CreateSiteBody = z.input<typeof HttpSchemas.createSite>;
export type AgendaItemBody = z.input<typeof HttpSchemas.agendaItem>;
export type IssueLinkBody = z.input<typeof HttpSchemas.issueLink>;

/** Responses of the organizer HTTP API. Errors are `{ error: { code, message } }` with a 4xx/5xx status. */
export interface LoginResponse {
  token: string;
  expiresAt: number;
}
export interface MeetingSummary {
  meeting: MeetingInfo;
  sites: SiteState[];
  agenda: AgendaItem[];
}
export interface IssuedLink {
  link: JoinLink;
  token: string;
  /** Path of the client page that opens this link: `/join#<token>`. */
  url: string;
  /** Site links: how a SIP room system dials in (revoking the link revokes it). Absent when SIP is off. */
  sip?: { uri: string; username: string; password: string };
}
