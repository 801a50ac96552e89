import {
  ChatMessage,
  type ChatMessageId,
  MAX_CHAT_CHARS,
  type MeetingStatus,
  type ModerationState,
  type SiteId,
} from '@giaoban/shared';
import { z } from 'zod';
import type { Actor } from './Actor.js';
import { type Outcome, refuse, succeed } from './DomainError.js';
import { authorize, can } from './Permissions.js';
import { actorLabel } from './Vote.js';

/**
 * The chat is an append-only journal: a message, or the deletion of one by a moderator. Reading it
 * folds the deletions in, so a deleted text is gone for everyone while the fact stays on record.
 */
export const ChatJournalEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), message: ChatMessage }),
  z.object({
    kind: z.literal('deleted'),
    messageId: z.string(),
    at: z.number().int().nonnegative(),
    by: z.string(),
  }),
]);
/** See {@link ChatJournalEntry}. */
export type ChatJournalEntry = z.infer<typeof ChatJournalEntry>;

/** Chat is open from the technical check (sites fix their sound in writing) to the end of the meeting. */
const CHAT_OPEN: readonly MeetingStatus[] = ['techCheck', 'live'];

/**
 * Checks and builds a message. The text is NFC-normalised (Vietnamese typed on different systems
 * arrives composed or decomposed; stored composed, it compares and exports the same) and trimmed.
 * A meeting-wide message needs `sendChat`; a private thread is one site and the operators: a site
 * writes only in its own, an operator in any. A site whose chat a moderator muted may not post.
 */
export function composeMessage(
  input: {
    status: MeetingStatus;
    moderation: ModerationState;
    sites: readonly { id: SiteId }[];
    actor: Actor;
    text: string;
    thread: SiteId | null;
  },
  id: ChatMessageId,
  now: number,
): Outcome<ChatMessage> {
  const { actor, thread } = input;
  const allowed = authorize(actor, 'sendChat', { siteId: actor.siteId });
  if (!allowed.ok) return allowed;
  if (!CHAT_OPEN.includes(input.status))
    return refuse('INVALID_STATE', `the chat is closed while the meeting is ${input.status}`);
  if (thread !== null) {
    const mine = authorize(actor, 'chatPrivately', { siteId: thread });
    if (!mine.ok) return mine;
    if (!input.sites.some((s) => s.id === thread))
      return refuse('NOT_FOUND', `site ${thread} is not invited to this meeting`);
  }
  if (
    actor.siteId !== null &&
    input.moderation.chatMutedSiteIds.includes(actor.siteId) &&
    actor.role === 'site'
  )
    return refuse('FORBIDDEN', 'a moderator muted the chat of this bridge point');
  const text = input.text.normalize('NFC').trim();
  if (text.length === 0) return refuse('VALIDATION', 'the message is empty');
  if ([...text].length > MAX_CHAT_CHARS)
    return refuse('VALIDATION', `a message may hold at most ${MAX_CHAT_CHARS} characters`);
  return succeed({
    id,
    thread,
    authorId: actor.participantId,
    authorRole: actor.role,
    authorName: actor.displayName,
    authorSiteId: actor.siteId,
    text,
    at: now,
    deletedAt: null,
    deletedBy: null,
  });
}

/** Whether a person may read a message: the meeting-wide chat, or a private thread it is part of. */
export function mayRead(actor: Actor, message: Pick<ChatMessage, 'thread'>): boolean {
  if (!can(actor, 'readChat')) return false;
  if (message.thread === null) return true;
  return can(actor, 'chatPrivately', { siteId: message.thread }) || actor.role === 'organizer';
}

/** The messages of a journal, deletions applied, oldest first. */
export function foldChat(entries: readonly ChatJournalEntry[]): ChatMessage[] {
  const byId = new Map<string, ChatMessage>();
  for (const entry of entries) {
    if (entry.kind === 'message') byId.set(entry.message.id, entry.message);
    else {
      const m = byId.get(entry.messageId);
      if (m) byId.set(m.id, { ...m, text: '', deletedAt: entry.at, deletedBy: entry.by });
    }
  }
  return [...byId.values()];
}

/** A moderator deletes a message: NOT_FOUND when there is none, INVALID_STATE when it is gone already. */
export function deleteMessage(
  messages: readonly ChatMessage[],
  actor: Actor,
  messageId: ChatMessageId,
  now: number,
): Outcome<{ entry: ChatJournalEntry; message: ChatMessage }> {
  const allowed = authorize(actor, 'moderateChat');
  if (!allowed.ok) return allowed;
  const message = messages.find((m) => m.id === messageId);
  if (!message) return refuse('NOT_FOUND', `no message ${messageId}`);
  if (message.deletedAt !== null) return refuse('INVALID_STATE', 'the message was deleted already');
  const by = actorLabel(actor);
  return succeed({
    entry: { kind: 'deleted', messageId, at: now, by },
    message: { ...message, text: '', deletedAt: now, deletedBy: by },
  });
}

/** Mutes or unmutes one site's chat (the list stays sorted and without duplicates). */
export function setChatMuted(moderation: ModerationState, siteId: SiteId, muted: boolean): ModerationState {
  const others = moderation.chatMutedSiteIds.filter((id) => id !== siteId);
  return { ...moderation, chatMutedSiteIds: muted ? [...others, siteId].sort() : others };
}
