import { describe, expect, it } from 'vitest';
import recordEn from '../record/locale/en.json';
import recordVi from '../record/locale/vi.json';
import slidesEn from '../slides/locale/en.json';
import slidesVi from '../slides/locale/vi.json';
import workspaceEn from '../workspace/locale/en.json';
import workspaceVi from '../workspace/locale/vi.json';
import appEn from './en.json';
import appVi from './vi.json';

type Catalog = Record<string, string>;

/** Every locale module of the client: the app's own and each feature's (Vietnamese first). */
const modules: ReadonlyArray<{ name: string; vi: Catalog; en: Catalog }> = [
  { name: 'i18n', vi: appVi, en: appEn },
  { name: 'workspace', vi: workspaceVi, en: workspaceEn },
  { name: 'slides', vi: slidesVi, en: slidesEn },
  { name: 'record', vi: recordVi, en: recordEn },
];

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const missing = (from: Catalog, to: Catalog) => Object.keys(from).filter((key) => !(key in to));

describe.each(modules)('locale module $name', ({ vi, en }) => {
  it('every Vietnamese key has an English message', () => {
    expect(missing(vi, en)).toEqual([]);
  });

  it('every English key has a Vietnamese message', () => {
    expect(missing(en, vi)).toEqual([]);
  });

  it('both languages use the same placeholders and no message is empty', () => {
    for (const [key, text] of Object.entries(vi)) {
      expect(text.trim(), `vi ${key}`).not.toBe('');
      expect((en[key] ?? '').trim(), `en ${key}`).not.toBe('');
      expect(placeholders(en[key] ?? ''), key).toEqual(placeholders(text));
    }
  });
});

describe('locale modules', () => {
  it('the list above names every locale folder of the client', () => {
    const files = Object.keys(import.meta.glob('../**/{vi,en}.json'));
    const listed = new Set(
      ['./vi.json', './en.json'].concat(
        modules
          .filter((m) => m.name !== 'i18n')
          .flatMap((m) => [`../${m.name}/locale/vi.json`, `../${m.name}/locale/en.json`]),
      ),
    );
    expect(files.filter((f) => !listed.has(f))).toEqual([]);
    expect(files).toHaveLength(modules.length * 2);
  });
});
