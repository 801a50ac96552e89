import { type Locale, setLocale, useI18n } from '../i18n/i18n';

const LOCALES: Locale[] = ['vi', 'en'];

/** Switches the UI language (remembered on this computer). */
export function LanguageSwitch() {
  const { locale, t } = useI18n();
  return (
    <fieldset className="lang-switch" aria-label={t('lang.switch')}>
      {LOCALES.map((l) => (
        <button
          key={l}
          type="button"
          className="lang-switch__btn"
          aria-pressed={locale === l}
          lang={l}
          title={t(l === 'vi' ? 'lang.vi' : 'lang.en')}
          // The name starts with what the button shows ("VI"), so speech input can say it too.
          aria-label={`${l.toUpperCase()} — ${t(l === 'vi' ? 'lang.vi' : 'lang.en')}`}
          onClick={() => setLocale(l)}
        >
          {l.toUpperCase()}
        </button>
      ))}
    </fieldset>
  );
}
