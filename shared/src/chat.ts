import { z } from 'zod';
import { Instant, ParticipantId, SiteId } from './ids.js';
import { Role } from './roles.js';

export const ChatMessageId = z.string().min(1).max(64).brand<'ChatMessageId'>();
export type ChatMessageId = z.infer<typeof ChatMessageId>;

/** Longest chat message, in characters (after NFC normalisation). */
export const MAX_CHAT_CHARS = 2000;

/** One chat message: to the whole meeting (`thread` null), or in one site's private thread with the operators. */
export const ChatMessage = z.object({
  id: ChatMessageId,
  /** Null: meeting-wide. A site id: the private thread between that site and the operators. */
  thread: SiteId.nullable(),
  authorId: ParticipantId,
  authorRole: Role,
  authorName: z.string(),
  authorSiteId: SiteId.nullable(),
  text: z.string(),
  at: Instant,
  /** Set when a moderator deleted it: the text is gone for everyone, the fact stays. */
  deletedAt: Instant.nullable(),
  deletedBy: z.string().nullable(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Payload schemas of the chat events. */
export const ChatSchemas = {
  send: z
    .object({
      text: z.string().max(MAX_CHAT_CHARS * 2),
      /** Null or omitted: the whole meeting; a site id: that site's private thread with the operators. */
      thread: SiteId.nullable().optional(),
    })
    .strict(),
  delete: z.object({ messageId: ChatMessageId }).strict(),
  mute: z.object({ siteId: SiteId, muted: z.boolean() }).strict(),
};
