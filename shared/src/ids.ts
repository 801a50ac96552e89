import { z } from 'zod';

/** Branded ids: a SiteId cannot be passed where a MeetingId is expected. */
export const MeetingId = z.string().min(1).max(64).brand<'MeetingId'>();
export type MeetingId = z.infer<typeof MeetingId>;
export const SiteId = z.string().min(1).max(64).brand<'SiteId'>();
export type SiteId = z.infer<typeof SiteId>;
export const ParticipantId = z.string().min(1).max(64).brand<'ParticipantId'>();
export type ParticipantId = z.infer<typeof ParticipantId>;
export const AgendaItemId = z.string().min(1).max(64).brand<'AgendaItemId'>();
export type AgendaItemId = z.infer<typeof AgendaItemId>;
export const FloorRequestId = z.string().min(1).max(64).brand<'FloorRequestId'>();
export type FloorRequestId = z.infer<typeof FloorRequestId>;
export const JoinLinkId = z.string().min(1).max(64).brand<'JoinLinkId'>();
export type JoinLinkId = z.infer<typeof JoinLinkId>;
export const DocumentId = z.string().min(1).max(64).brand<'DocumentId'>();
export type DocumentId = z.infer<typeof DocumentId>;

/** ISO-8601 instant as sent on the wire (milliseconds since epoch). */
export const Instant = z.number().int().nonnegative();
export type Instant = z.infer<typeof Instant>;
