import type { DirectorySite } from '@giaoban/shared';
import { type FormEvent, useMemo, useState } from 'react';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { api } from '../../services/api';
import { filterSites, type KindFilter, toggleAll } from './directoryFilter';
import { apiErrorKey } from './useAsync';

interface Props {
  meetingId: string;
  hostSiteId: string;
  directory: DirectorySite[];
  invited: string[];
  onSaved: () => void;
  onDirectoryChanged: () => void;
}

const KINDS: KindFilter[] = ['all', 'central', 'city', 'province', 'commune', 'other'];

/** Adds a site to the directory (e.g. a commune of a province). */
function NewSiteForm({ directory, onCreated }: { directory: DirectorySite[]; onCreated: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<DirectorySite['kind']>('commune');
  const [parentId, setParent] = useState('');
  const [error, setError] = useState<MessageKey | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.createSite({ name: name.trim(), kind, parentId: (parentId || null) as never });
      setName('');
      setError(null);
      onCreated();
    } catch (err) {
      setError(apiErrorKey(err) as MessageKey);
    }
  };
  return (
    <details className="newsite">
      <summary>{t('org.sites.add')}</summary>
      <form className="org-form org-form--inline" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="ns-name">{t('org.sites.name')}</label>
          <input
            id="ns-name"
            value={name}
            required
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="ns-kind">{t('org.sites.kind')}</label>
          <select
            id="ns-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as DirectorySite['kind'])}
          >
            {KINDS.filter((k) => k !== 'all').map((k) => (
              <option key={k} value={k}>
                {t(`org.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ns-parent">{t('org.sites.parent')}</label>
          <select id="ns-parent" value={parentId} onChange={(e) => setParent(e.target.value)}>
            <option value="">{t('org.sites.noParent')}</option>
            {directory
              .filter((s) => s.kind !== 'commune')
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
          </select>
        </div>
        <button type="submit" className="btn" disabled={!name.trim()}>
          {t('org.sites.addSubmit')}
        </button>
        {error ? (
          <p className="form-error" role="alert">
            {t(error)}
          </p>
        ) : null}
      </form>
    </details>
  );
}

/** Chooses the invited sites from the directory: search (without diacritics), filter by kind, select all. */
export function SitePicker({
  meetingId,
  hostSiteId,
  directory,
  invited,
  onSaved,
  onDirectoryChanged,
}: Props) {
  const { t } = useI18n();
  const [selected, setSelected] = useState<Set<string>>(() => new Set([...invited, hostSiteId]));
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<KindFilter>('all');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const shown = useMemo(() => filterSites(directory, query, kind), [directory, query, kind]);
  const allShown = shown.length > 0 && shown.every((s) => selected.has(s.id));
  const dirty = selected.size !== invited.length || invited.some((id) => !selected.has(id));

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await api.inviteSites(meetingId, [...selected]);
      onSaved();
    } catch (err) {
      setError(apiErrorKey(err) as MessageKey);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="picker" aria-label={t('org.sites.title')} data-testid="site-picker">
      <div className="picker__bar">
        <div className="field">
          <label htmlFor="site-search">{t('org.sites.search')}</label>
          <input
            id="site-search"
            type="search"
            value={query}
            placeholder={t('org.sites.searchHint')}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="site-kind">{t('org.sites.kind')}</label>
          <select id="site-kind" value={kind} onChange={(e) => setKind(e.target.value as KindFilter)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`org.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={allShown}
            onChange={(e) => setSelected(toggleAll(selected, shown, e.target.checked))}
          />
          <span>{t('org.sites.selectAllShown', { count: shown.length })}</span>
        </label>
        <span className="picker__count" aria-live="polite" data-testid="picker-count">
          {t('org.sites.selected', { n: selected.size, total: directory.length })}
        </span>
        <button
          type="button"
          className="btn btn--primary"
          disabled={!dirty || saving}
          onClick={() => void save()}
        >
          {t('org.sites.save')}
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {t(error)}
        </p>
      ) : null}
      <ul className="picker__list">
        {shown.map((s) => (
          <li key={s.id}>
            <label className="check picker__item">
              <input
                type="checkbox"
                checked={selected.has(s.id)}
                disabled={s.id === hostSiteId}
                onChange={(e) => {
                  const next = new Set(selected);
                  if (e.target.checked) next.add(s.id);
                  else next.delete(s.id);
                  setSelected(next);
                }}
              />
              <span className="picker__name">
                {s.name}
                {s.id === hostSiteId ? <span className="tag tag--host">{t('rollcall.host')}</span> : null}
              </span>
              <span className="picker__meta">
                {t(`org.kind.${s.kind}`)}
                {s.mergedFrom.length
                  ? ` · ${t('org.sites.mergedFrom', { list: s.mergedFrom.join(', ') })}`
                  : ''}
              </span>
            </label>
          </li>
        ))}
      </ul>
      {shown.length === 0 ? <p className="empty">{t('org.sites.noMatch')}</p> : null}
      <NewSiteForm directory={directory} onCreated={onDirectoryChanged} />
    </section>
  );
}
