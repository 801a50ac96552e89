import { useCallback } from 'react';
import { localeStore } from '../i18n/i18n';
import { useStore } from '../state/store';
import en from './locale/en.json';
import vi from './locale/vi.json';

/** Keys of the meeting record's own messages: votes, chat, moderation, audit (Vietnamese is the reference). */
export type RecordKey = keyof typeof vi;
type Params = Record<string, string | number>;

const catalogs: Record<'vi' | 'en', Record<string, string>> = { vi, en };

/** Looks up a message in the page's language (falls back to Vietnamese) and fills `{placeholders}`. */
export function recordTranslate(locale: 'vi' | 'en', key: RecordKey, params?: Params): string {
  const template = catalogs[locale][key] ?? vi[key] ?? key;
  return params
    ? template.replace(/\{(\w+)\}/g, (w, n: string) => (n in params ? String(params[n]) : w))
    : template;
}

/** The record panels' translate function, following the page's language switch. */
export function useRecordI18n(): { t: (key: RecordKey, params?: Params) => string } {
  const locale = useStore(localeStore, (s) => s.locale);
  const t = useCallback((key: RecordKey, params?: Params) => recordTranslate(locale, key, params), [locale]);
  return { t };
}
