import type { ChatMessage, ChatMessageId, ParticipantId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { mergeMessage } from './chatMerge';
import en from './locale/en.json';
import vi from './locale/vi.json';

const message = (id: string, at: number, text = 'Xin chào'): ChatMessage => ({
  id: id as ChatMessageId,
  thread: null,
  authorId: 'p' as ParticipantId,
  authorRole: 'site',
  authorName: 'Huế',
  authorSiteId: null,
  text,
  at,
  deletedAt: null,
  deletedBy: null,
});

describe('mergeMessage()', () => {
  it('keeps messages oldest first whatever order they arrive in (history and live events overlap)', () => {
    const list = [message('b', 2), message('a', 1), message('b', 2)].reduce(
      mergeMessage,
      [] as ChatMessage[],
    );
    expect(list.map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('replaces a message by its deletion tombstone', () => {
    const list = mergeMessage([message('a', 1)], {
      ...message('a', 1, ''),
      deletedAt: 5,
      deletedBy: 'Kỹ thuật',
    });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ text: '', deletedBy: 'Kỹ thuật' });
  });
});

describe('record locale', () => {
  it('has every Vietnamese message in English too', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  });
});
