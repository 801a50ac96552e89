import { useCallback } from 'react';
import { localeStore } from '../i18n/i18n';
import { useStore } from '../state/store';
import en from './locale/en.json';
import vi from './locale/vi.json';

/** Keys of the slides area's own messages (Vietnamese is the reference). */
export type SlidesKey = keyof typeof vi;
type Params = Record<string, string | number>;

const catalogs: Record<'vi' | 'en', Record<string, string>> = { vi, en };

/** Looks up a slides message in the page's language (falls back to Vietnamese) and fills `{placeholders}`. */
export function slidesTranslate(locale: 'vi' | 'en', key: SlidesKey, params?: Params): string {
  const template = catalogs[locale][key] ?? vi[key] ?? key;
  return params
    ? template.replace(/\{(\w+)\}/g, (w, n: string) => (n in params ? String(params[n]) : w))
    : template;
}

/** The slides area's translate function, following the page's language switch. */
export function useSlidesI18n(): { t: (key: SlidesKey, params?: Params) => string } {
  const locale = useStore(localeStore, (s) => s.locale);
  const t = useCallback((key: SlidesKey, params?: Params) => slidesTranslate(locale, key, params), [locale]);
  return { t };
}
