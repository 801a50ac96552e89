import { type FormEvent, useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { formatNumber } from '../../state/format';
import { useMeeting } from '../../state/hooks';
import { siteById } from '../../state/selectors';
import { localSiteActions, type SiteActions } from './siteActions';

/** Declares how many delegates are present in the room (attendance counts delegates, not devices). */
export function DelegatesForm({
  actions = localSiteActions,
  autoFocus = false,
}: {
  actions?: SiteActions;
  autoFocus?: boolean;
}) {
  const { t, locale } = useI18n();
  const declared = useMeeting((s) => siteById(s.snapshot, s.self?.siteId ?? null)?.declaredDelegates ?? 0);
  const [value, setValue] = useState(String(declared || ''));
  useEffect(() => setValue(declared ? String(declared) : ''), [declared]);
  const n = Number(value);
  const valid = value !== '' && Number.isInteger(n) && n >= 0 && n <= 10_000;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid) void actions.declareDelegates(n);
  };

  return (
    <form className="panel delegates" onSubmit={submit} aria-label={t('site.delegates.title')}>
      <label htmlFor="delegates">{t('site.delegates.label')}</label>
      <div className="delegates__row">
        <input
          id="delegates"
          type="number"
          inputMode="numeric"
          min={0}
          max={10000}
          // biome-ignore lint/a11y/noAutofocus: opened on purpose by the technician's shortcut
          autoFocus={autoFocus}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="btn" disabled={!valid || n === declared}>
          {t('site.delegates.save')}
        </button>
      </div>
      <p className="delegates__now" data-testid="declared-delegates">
        {t('site.delegates.now', { n: formatNumber(declared, locale) })}
      </p>
    </form>
  );
}
