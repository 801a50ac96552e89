import { describe, expect, it } from 'vitest';
import vi from '../../i18n/vi.json';
import { ROOM_SHORTCUTS, roomCommandOf } from './roomKeys';
import { nextLayout } from './roomState';

const press = (key: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}) =>
  roomCommandOf({ key, ctrlKey: false, altKey: false, metaKey: false, ...mods });

describe('roomCommandOf()', () => {
  it('maps letters in either case and "?" to their commands', () => {
    expect(press('r')).toBe('request');
    expect(press('R')).toBe('request');
    expect(press('?')).toBe('help');
    expect(press('m')).toBe('mic');
    expect(press('s')).toBe('layout');
  });

  it('leaves keys with Ctrl, Alt or Meta to the browser, and unknown keys alone', () => {
    expect(press('r', { ctrlKey: true })).toBeNull();
    expect(press('f', { metaKey: true })).toBeNull();
    expect(press('m', { altKey: true })).toBeNull();
    expect(press('x')).toBeNull();
    expect(press('ArrowRight')).toBeNull();
  });

  it('gives every key to one command only, each with a help text', () => {
    const keys = ROOM_SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of ROOM_SHORTCUTS) expect(vi[s.label]).toBeTruthy();
  });
});

describe('nextLayout()', () => {
  it('cycles picture and slides → slides only → picture only → both', () => {
    expect(nextLayout('both')).toBe('slides');
    expect(nextLayout('slides')).toBe('program');
    expect(nextLayout('program')).toBe('both');
  });
});
