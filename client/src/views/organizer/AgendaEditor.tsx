import { type AgendaItem, AgendaItemKind, type SiteId } from '@giaoban/shared';
import { type FormEvent, useState } from 'react';
import { ConfirmButton } from '../../components/ConfirmButton';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useRecordI18n } from '../../record/i18n';
import { api } from '../../services/api';
import { moveItem } from '../../state/selectors';
import { apiErrorKey } from './useAsync';

const KINDS = AgendaItemKind.options;

interface Draft {
  title: string;
  kind: AgendaItem['kind'];
  presenter: string;
  /** The invited site that presents (brings up the item's deck and gets the floor); '' for none. */
  presenterSiteId: string;
  plannedMinutes: string;
}

/** A site the presenter may be chosen from. */
interface PresenterOption {
  id: string;
  name: string;
}

const draftOf = (item?: AgendaItem): Draft => ({
  title: item?.title ?? '',
  kind: item?.kind ?? 'report',
  presenter: item?.presenter ?? '',
  presenterSiteId: item?.presenterSiteId ?? '',
  plannedMinutes: String(item?.plannedMinutes ?? 10),
});

/** The editable fields of one agenda item. */
function ItemFields({
  prefix,
  draft,
  onChange,
  sites,
}: {
  prefix: string;
  draft: Draft;
  onChange: (d: Draft) => void;
  sites: readonly PresenterOption[];
}) {
  const { t } = useI18n();
  const { t: rt } = useRecordI18n();
  return (
    <>
      <div className="field field--wide">
        <label htmlFor={`${prefix}-title`}>{t('org.agenda.itemTitle')}</label>
        <input
          id={`${prefix}-title`}
          value={draft.title}
          maxLength={300}
          required
          onChange={(e) => onChange({ ...draft, title: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-kind`}>{t('org.agenda.kind')}</label>
        <select
          id={`${prefix}-kind`}
          value={draft.kind}
          onChange={(e) => onChange({ ...draft, kind: e.target.value as Draft['kind'] })}
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`agenda.kind.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-presenter`}>{t('org.agenda.presenter')}</label>
        <input
          id={`${prefix}-presenter`}
          value={draft.presenter}
          maxLength={200}
          onChange={(e) => onChange({ ...draft, presenter: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-psite`}>{rt('agenda.presenterSite')}</label>
        <select
          id={`${prefix}-psite`}
          value={draft.presenterSiteId}
          onChange={(e) => onChange({ ...draft, presenterSiteId: e.target.value })}
        >
          <option value="">{rt('agenda.presenterSite.none')}</option>
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field field--narrow">
        <label htmlFor={`${prefix}-min`}>{t('org.agenda.minutes')}</label>
        <input
          id={`${prefix}-min`}
          type="number"
          min={0}
          max={600}
          value={draft.plannedMinutes}
          onChange={(e) => onChange({ ...draft, plannedMinutes: e.target.value })}
        />
      </div>
    </>
  );
}

const bodyOf = (d: Draft) => ({
  title: d.title.trim(),
  kind: d.kind,
  presenter: d.presenter.trim(),
  presenterSiteId: d.presenterSiteId === '' ? null : (d.presenterSiteId as SiteId),
  plannedMinutes: Math.max(0, Math.round(Number(d.plannedMinutes) || 0)),
});

/** Writes the agenda: items with presenter and planned minutes; edit, remove, reorder. */
export function AgendaEditor({
  meetingId,
  items,
  onChanged,
  sites = [],
}: {
  meetingId: string;
  items: AgendaItem[];
  onChanged: () => void;
  /** The meeting's sites, for the presenting site of each item. */
  sites?: readonly PresenterOption[];
}) {
  const { t } = useI18n();
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [fresh, setFresh] = useState<Draft>(draftOf());
  const [error, setError] = useState<MessageKey | null>(null);
  const totalMinutes = items.reduce((sum, i) => sum + i.plannedMinutes, 0);

  const attempt = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      onChanged();
      return true;
    } catch (err) {
      setError(apiErrorKey(err) as MessageKey);
      return false;
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await attempt(() => api.addAgendaItem(meetingId, bodyOf(fresh)))) setFresh(draftOf());
  };

  const move = (index: number, delta: -1 | 1) => {
    const ids = moveItem(
      items.map((i) => i.id),
      index,
      delta,
    );
    void attempt(() => api.reorderAgenda(meetingId, ids));
  };

  return (
    <section className="agenda-editor" aria-label={t('org.agenda.title')} data-testid="agenda-editor">
      <p className="org-note">{t('org.agenda.total', { n: items.length, min: totalMinutes })}</p>
      {error ? (
        <p className="form-error" role="alert">
          {t(error)}
        </p>
      ) : null}
      <ol className="agenda-editor__list">
        {items.map((item, index) => {
          const draft = drafts[item.id] ?? draftOf(item);
          const changed = JSON.stringify(bodyOf(draft)) !== JSON.stringify(bodyOf(draftOf(item)));
          return (
            <li key={item.id} className="agenda-editor__item">
              <form
                className="org-form org-form--inline"
                aria-label={t('org.agenda.itemAria', { n: index + 1 })}
                onSubmit={(e) => {
                  e.preventDefault();
                  void attempt(() => api.updateAgendaItem(meetingId, item.id, bodyOf(draft))).then((ok) => {
                    if (ok) setDrafts(({ [item.id]: _, ...rest }) => rest);
                  });
                }}
              >
                <span className="agenda__num">{index + 1}</span>
                <ItemFields
                  prefix={`ai-${item.id}`}
                  draft={draft}
                  onChange={(d) => setDrafts({ ...drafts, [item.id]: d })}
                  sites={sites}
                />
                <div className="org-form__actions">
                  <button type="submit" className="btn btn--small btn--primary" disabled={!changed}>
                    {t('common.save')}
                  </button>
                  <button
                    type="button"
                    className="btn btn--small btn--icon"
                    aria-label={t('org.agenda.up', { n: index + 1 })}
                    disabled={index === 0}
                    onClick={() => move(index, -1)}
                  >
                    ▲
                  </button>
                  <button
                    type="button"
                    className="btn btn--small btn--icon"
                    aria-label={t('org.agenda.down', { n: index + 1 })}
                    disabled={index === items.length - 1}
                    onClick={() => move(index, 1)}
                  >
                    ▼
                  </button>
                  <ConfirmButton
                    className="btn btn--small btn--danger"
                    label={t('common.delete')}
                    onConfirm={() => void attempt(() => api.deleteAgendaItem(meetingId, item.id))}
                  />
                </div>
              </form>
            </li>
          );
        })}
      </ol>
      <form
        className="org-form org-form--inline agenda-editor__new"
        onSubmit={(e) => void add(e)}
        aria-label={t('org.agenda.add')}
      >
        <ItemFields prefix="ai-new" draft={fresh} onChange={setFresh} sites={sites} />
        <div className="org-form__actions">
          <button type="submit" className="btn btn--primary" disabled={!fresh.title.trim()}>
            {t('org.agenda.add')}
          </button>
        </div>
      </form>
    </section>
  );
}
