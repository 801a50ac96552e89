import type { ChatMessage, SiteId, VoteCounting, VoteId, VoteTally } from '@giaoban/shared';
import type { MessageKey } from '../i18n/i18n';
import { errorCodeOf } from '../services/request';
import { session } from '../services/session';
import { meetingStore, pushNotice } from '../state/meetingState';
import { createStore } from '../state/store';
import { mergeMessage } from './chatMerge';

/** What the record panels hold: the chat this device may read and the moderators' live tally (serialisable). */
export interface RecordState {
  messages: ChatMessage[];
  tallies: VoteTally[];
}

/** The chat and the live tally; filled from the hub's events. */
export const recordStore = createStore<RecordState>({ messages: [], tallies: [] });

let following = false;

/** Follows the chat (and, for moderators, the tally) from now on; safe to call from every panel. */
export function followRecord(moderator: boolean): void {
  if (following) return;
  following = true;
  session.on('chat:message', (m) =>
    recordStore.set((s) => ({ ...s, messages: mergeMessage(s.messages, m) })),
  );
  session.on('chat:deleted', (m) =>
    recordStore.set((s) => ({ ...s, messages: mergeMessage(s.messages, m) })),
  );
  session.on('vote:tally', (tallies) => recordStore.set({ tallies }));
  // A new connection has none of the chat rooms of the last one: read (and follow) again on every join.
  let joined = meetingStore.get().phase === 'joined';
  meetingStore.subscribe(() => {
    const now = meetingStore.get().phase === 'joined';
    if (now && !joined) void reloadRecord(moderator);
    joined = now;
  });
  void reloadRecord(moderator);
}

/** Reads the chat history (and the tally) again: after a (re)join, so nothing missed is lost. */
export async function reloadRecord(moderator: boolean): Promise<void> {
  try {
    const messages = await session.request('chat:history', {});
    recordStore.set((s) => ({ ...s, messages: messages.reduce(mergeMessage, s.messages) }));
    if (moderator) recordStore.set({ tallies: await session.request('vote:tally', {}) });
  } catch {
    // Not joined yet: the next panel mount or rejoin reads it.
  }
}

async function run<T>(task: () => Promise<T>): Promise<T | null> {
  try {
    return await task();
  } catch (error) {
    pushNotice({ tone: 'error', key: `error.${errorCodeOf(error)}` as MessageKey });
    return null;
  }
}

/** Votes, chat and sound moderation, each checked again by the hub. */
export const recordActions = {
  openVote: (question: string, options: string[], counting: VoteCounting, secret: boolean) =>
    run(() =>
      session.request('vote:open', {
        question,
        counting,
        secret,
        ...(options.length >= 2 ? { options } : {}),
      }),
    ),
  closeVote: (voteId: VoteId) => run(() => session.request('vote:close', { voteId })),
  castChoice: (voteId: VoteId, choice: number) => run(() => session.request('vote:cast', { voteId, choice })),
  castCounts: (voteId: VoteId, counts: number[]) =>
    run(() => session.request('vote:cast', { voteId, counts })),
  sendChat: (text: string, thread: SiteId | null) =>
    run(async () => {
      const message = await session.request('chat:send', { text, thread });
      recordStore.set((s) => ({ ...s, messages: mergeMessage(s.messages, message) }));
      return message;
    }),
  deleteChat: (message: ChatMessage) => run(() => session.request('chat:delete', { messageId: message.id })),
  muteChat: (siteId: SiteId, muted: boolean) => run(() => session.request('chat:mute', { siteId, muted })),
  muteAll: () => run(() => session.request('mic:muteAll', {})),
  talkBack: (siteId: SiteId | null) => run(() => session.request('talkback:set', { siteId })),
  startRecording: () => run(() => session.request('recording:start', {})),
  stopRecording: () => run(() => session.request('recording:stop', {})),
};
