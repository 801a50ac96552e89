import type { ChatMessage } from '@giaoban/shared';

/** Puts a message in its place (a deletion's tombstone replaces it), oldest first; pure. */
export function mergeMessage(messages: readonly ChatMessage[], message: ChatMessage): ChatMessage[] {
  const others = messages.filter((m) => m.id !== message.id);
  return [...others, message].sort((a, b) => a.at - b.at);
}
