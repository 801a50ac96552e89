import { describe, expect, it } from 'vitest';
import en from './en.json';
import { translate } from './i18n';
import vi from './vi.json';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('locale files', () => {
  it('English has exactly the Vietnamese keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  });

  it('every message uses the same placeholders in both languages', () => {
    for (const [key, text] of Object.entries(vi)) {
      expect(placeholders((en as Record<string, string>)[key] ?? ''), key).toEqual(placeholders(text));
    }
  });

  it('no message is empty', () => {
    for (const [key, text] of [...Object.entries(vi), ...Object.entries(en)])
      expect(text.trim(), key).not.toBe('');
  });
});

describe('translate()', () => {
  it('fills placeholders', () => {
    expect(translate('vi', 'site.floor.yours', { time: '2:41' })).toBe(
      'Bạn đang được phát biểu — 2:41 còn lại',
    );
    expect(translate('en', 'site.floor.yours', { time: '2:41' })).toBe('You have the floor — 2:41 left');
  });
  it('leaves unknown placeholders visible rather than blank', () => {
    expect(translate('en', 'site.floor.yours')).toBe('You have the floor — {time} left');
  });
});
