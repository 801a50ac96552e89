import { useCallback } from 'react';
import { createStore, useStore } from '../state/store';
import en from './en.json';
import vi from './vi.json';

/** Languages of the UI; Vietnamese is the default. */
export type Locale = 'vi' | 'en';
/** Every message key (the Vietnamese file is the reference). */
export type MessageKey = keyof typeof vi;
/** Values substituted for `{name}` placeholders. */
export type MessageParams = Record<string, string | number>;

const catalogs: Record<Locale, Record<string, string>> = { vi, en };
const STORAGE_KEY = 'giaoban.locale';

function initialLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === 'vi' || saved === 'en') return saved;
  } catch {
    // storage may be unavailable (privacy mode); fall back to the default
  }
  return 'vi';
}

/** The chosen language, persisted in localStorage. */
export const localeStore = createStore<{ locale: Locale }>({ locale: initialLocale() });

/** Switches the UI language and remembers the choice. */
export function setLocale(locale: Locale): void {
  localeStore.set({ locale });
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // not persisted; the switch still applies to this page
  }
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** Looks up a message and fills its placeholders (pure). Falls back to Vietnamese, then to the key. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = catalogs[locale][key] ?? catalogs.vi[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Translation function type handed to components. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** The current locale and a translate function bound to it; re-renders on a language switch. */
export function useI18n(): { locale: Locale; t: Translate } {
  const locale = useStore(localeStore, (s) => s.locale);
  const t = useCallback<Translate>((key, params) => translate(locale, key, params), [locale]);
  return { locale, t };
}
