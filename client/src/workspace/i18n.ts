import { useCallback } from 'react';
import { localeStore } from '../i18n/i18n';
import { useStore } from '../state/store';
import en from './locale/en.json';
import vi from './locale/vi.json';

/** Keys of the workspace's own messages (Vietnamese is the reference). */
export type WsKey = keyof typeof vi;
type Params = Record<string, string | number>;

const catalogs: Record<'vi' | 'en', Record<string, string>> = { vi, en };

/** Looks up a workspace message in the page's language (falls back to Vietnamese) and fills `{placeholders}`. */
export function wsTranslate(locale: 'vi' | 'en', key: WsKey, params?: Params): string {
  const template = catalogs[locale][key] ?? vi[key] ?? key;
  return params
    ? template.replace(/\{(\w+)\}/g, (w, n: string) => (n in params ? String(params[n]) : w))
    : template;
}

/** The workspace's translate function, following the page's language switch. */
export function useWsI18n(): { locale: 'vi' | 'en'; t: (key: WsKey, params?: Params) => string } {
  const locale = useStore(localeStore, (s) => s.locale);
  const t = useCallback((key: WsKey, params?: Params) => wsTranslate(locale, key, params), [locale]);
  return { locale, t };
}
