import { randomUUID } from 'node:crypto';
import type { ChatMessage, ChatMessageId, MeetingId, SiteId } from '@giaoban/shared';
import { type Actor, auditEntry, Chat, ChatJournalEntry, unwrap } from '../domain/index.js';
import { log } from '../log/log.js';
import type { Store } from '../store/Store.js';
import type { AuditTrail } from './AuditTrail.js';
import type { MeetingService } from './MeetingService.js';

/**
 * The meeting's chat: meeting-wide messages and each site's private thread with the operators.
 * Messages live in the store's `chat` journal, appended before they are acknowledged or shown, so
 * they survive a hub restart; the rules are the domain's (Chat.ts).
 */
export class ChatService {
  constructor(
    private readonly store: Store,
    private readonly meetings: Pick<MeetingService, 'get'>,
    private readonly audit: AuditTrail,
    private readonly clock: () => number = Date.now,
    private readonly newId: () => string = () => randomUUID(),
  ) {}

  /** Every message of the meeting (deletions applied), oldest first, for exports. */
  async all(meetingId: string): Promise<ChatMessage[]> {
    const raw = await this.store.readJournal(meetingId as MeetingId, 'chat');
    const entries: ChatJournalEntry[] = [];
    for (const row of raw) {
      const parsed = ChatJournalEntry.safeParse(row);
      if (parsed.success) entries.push(parsed.data);
      else log.warn('ChatService.all()', 'stored chat entry is invalid', { meetingId });
    }
    return Chat.foldChat(entries);
  }

  /** The messages this person may read. */
  async history(meetingId: string, actor: Actor): Promise<ChatMessage[]> {
    return (await this.all(meetingId)).filter((m) => Chat.mayRead(actor, m));
  }

  /** Checks, stores and returns a new message; refusals throw DomainError. */
  async send(meetingId: string, actor: Actor, text: string, thread: SiteId | null): Promise<ChatMessage> {
    const record = await this.meetings.get(meetingId);
    const message = unwrap(
      Chat.composeMessage(
        {
          status: record.meeting.status,
          moderation: record.moderation,
          sites: record.sites,
          actor,
          text,
          thread,
        },
        this.newId() as ChatMessageId,
        this.clock(),
      ),
    );
    const entry: ChatJournalEntry = { kind: 'message', message };
    await this.store.appendJournal(meetingId as MeetingId, 'chat', entry);
    return message;
  }

  /** A moderator deletes a message: a tombstone is stored, and the deletion is audited. */
  async delete(meetingId: string, actor: Actor, messageId: ChatMessageId): Promise<ChatMessage> {
    const now = this.clock();
    const { entry, message } = unwrap(Chat.deleteMessage(await this.all(meetingId), actor, messageId, now));
    await this.store.appendJournal(meetingId as MeetingId, 'chat', entry);
    await this.audit.append(
      meetingId,
      auditEntry(
        actor,
        now,
        'chat:delete',
        messageId,
        `${message.authorName}: ${(await this.#text(meetingId, messageId)).slice(0, 200)}`,
      ),
    );
    return message;
  }

  /** The text a message had before it was deleted (kept in the journal, shown to nobody but the audit). */
  async #text(meetingId: string, messageId: string): Promise<string> {
    const raw = await this.store.readJournal(meetingId as MeetingId, 'chat');
    for (const row of raw) {
      const parsed = ChatJournalEntry.safeParse(row);
      if (parsed.success && parsed.data.kind === 'message' && parsed.data.message.id === messageId)
        return parsed.data.message.text;
    }
    return '';
  }
}
