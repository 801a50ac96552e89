import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { diffText, mapOffset } from './YTextArea';

describe('diffText()', () => {
  it('finds the smallest edit of typing, deleting and replacing', () => {
    expect(diffText('abc', 'abXc')).toEqual({ at: 2, remove: 0, insert: 'X' });
    expect(diffText('abc', 'ac')).toEqual({ at: 1, remove: 1, insert: '' });
    expect(diffText('hello', 'help!')).toEqual({ at: 3, remove: 2, insert: 'p!' });
    expect(diffText('', 'Hà Nội')).toEqual({ at: 0, remove: 0, insert: 'Hà Nội' });
    expect(diffText('aaa', 'aaaa')).toEqual({ at: 3, remove: 0, insert: 'a' });
  });
});

describe('mapOffset()', () => {
  /** The delta a remote change produces on a Y.Text holding `initial`. */
  function delta(initial: string, change: (t: Y.Text) => void): Y.YTextEvent['delta'] {
    const a = new Y.Doc();
    a.getText('t').insert(0, initial);
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    let out: Y.YTextEvent['delta'] = [];
    b.getText('t').observe((e) => (out = e.delta));
    const before = Y.encodeStateVector(a);
    change(a.getText('t'));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, before));
    return out;
  }

  it('moves the caret by text inserted before it, not by text inserted at or after it', () => {
    const d = delta('abcdef', (t) => t.insert(2, 'XY'));
    expect(mapOffset(4, d)).toBe(6);
    expect(mapOffset(2, d)).toBe(2);
    expect(mapOffset(1, d)).toBe(1);
  });

  it('pulls the caret back by text deleted before it, and into a deleted range', () => {
    const d = delta('abcdef', (t) => t.delete(1, 3));
    expect(mapOffset(5, d)).toBe(2);
    expect(mapOffset(2, d)).toBe(1);
    expect(mapOffset(0, d)).toBe(0);
  });
});
