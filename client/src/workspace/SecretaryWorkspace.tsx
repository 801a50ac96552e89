import {
  type AgendaItem,
  type ConclusionChange,
  conclusionsArray,
  confirmationsMap,
  DOC_FIELD_MAX_BYTES,
  DOC_INSERT_MAX_BYTES,
  historyArray,
  minutesText,
  noticeMap,
  petitionsArray,
  utf8Bytes,
} from '@giaoban/shared';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import * as Y from 'yjs';
import { Tabs } from '../components/Tabs';
import { formatTime } from '../state/format';
import { useMeeting } from '../state/hooks';
import { useDoc, useShared, useWorkspace } from './hooks';
import { useWsI18n } from './i18n';
import { SaveIndicator } from './SaveIndicator';
import { downloadExport, workspace } from './workspaceService';
import { YTextArea } from './YTextArea';
import './workspace.css';

/** Which item the secretary writes against: the meeting's current one unless another was opened. */
function useSelectedItem(items: AgendaItem[], currentItemId: string | null) {
  const [picked, setPicked] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const selected = (follow ? currentItemId : picked) ?? picked ?? currentItemId ?? items[0]?.id ?? null;
  return {
    selected,
    follow,
    pick: (id: string) => {
      setPicked(id);
      setFollow(id === currentItemId);
    },
    followAgenda: () => setFollow(true),
  };
}

/** The agenda as a list of items to write against. */
function ItemList({
  items,
  currentItemId,
  selected,
  follow,
  onPick,
  onFollow,
}: {
  items: AgendaItem[];
  currentItemId: string | null;
  selected: string | null;
  follow: boolean;
  onPick: (id: string) => void;
  onFollow: () => void;
}) {
  const { t } = useWsI18n();
  return (
    <nav className="ws-items panel" aria-label={t('ws.items')}>
      <div className="ws-items__head">
        <h2 className="panel-title">{t('ws.items')}</h2>
        <button type="button" className="btn btn--small" aria-pressed={follow} onClick={onFollow}>
          {t('ws.follow')}
        </button>
      </div>
      {items.length === 0 ? <p className="empty">{t('ws.noItems')}</p> : null}
      <ol className="ws-items__list">
        {items.map((item, i) => (
          <li key={item.id}>
            <button
              type="button"
              className={`ws-items__item${item.id === selected ? ' ws-items__item--selected' : ''}`}
              aria-current={item.id === selected ? 'true' : undefined}
              onClick={() => onPick(item.id)}
            >
              <span className="ws-items__num">{i + 1}</span>
              <span className="ws-items__title">{item.title}</span>
              {item.id === currentItemId ? <span className="tag tag--floor">{t('ws.current')}</span> : null}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** One item's conclusions: each editable, with author, time and the chair's confirmation. */
function ConclusionsTab({ doc, itemId }: { doc: Y.Doc; itemId: string }) {
  const { t, locale } = useWsI18n();
  const list = conclusionsArray(doc, itemId);
  const confirmations = confirmationsMap(doc);
  const entries = useShared(list, () => list.toArray().filter((m) => m instanceof Y.Map));
  useShared(confirmations, () => confirmations.size);
  const history = historyArray(doc);
  const changes = useShared(history, () => history.toArray());
  const [draft, setDraft] = useState('');
  const [removing, setRemoving] = useState<{ id: string; n: number; text: string } | null>(null);
  const tooLarge = utf8Bytes(draft) > DOC_INSERT_MAX_BYTES;
  const add = (e: FormEvent) => {
    e.preventDefault();
    if (!draft.trim() || tooLarge) return;
    workspace.addConclusion(itemId, draft.trim());
    setDraft('');
  };
  return (
    <div className="ws-conclusions">
      {entries.length === 0 ? <p className="empty">{t('ws.conclusion.none')}</p> : null}
      <ol className="ws-conclusions__list" data-testid="conclusions">
        {entries.map((m, i) => {
          const id = String(m.get('id'));
          const text = m.get('text');
          const confirmed = confirmations.get(id);
          return (
            <li
              key={id}
              className={`ws-conclusion${confirmed ? ' ws-conclusion--confirmed' : ''}`}
              data-locked={confirmed ? 'true' : 'false'}
            >
              {text instanceof Y.Text ? (
                <YTextArea
                  text={text}
                  id={`conclusion-${id}`}
                  label={t('ws.conclusion.text', { n: i + 1 })}
                  rows={3}
                  readOnly={confirmed !== undefined}
                />
              ) : null}
              {confirmed ? (
                <p className="ws-hint ws-conclusion__lock">🔒 {t('ws.conclusion.locked')}</p>
              ) : null}
              <div className="ws-conclusion__meta">
                <span>
                  {t('ws.conclusion.meta', {
                    author: String(m.get('author') ?? ''),
                    time: formatTime(Number(m.get('at') ?? 0), locale),
                  })}
                </span>
                <span className={confirmed ? 'tag tag--ok' : 'tag'}>
                  {confirmed ? t('ws.conclusion.confirmed') : t('ws.conclusion.unconfirmed')}
                </span>
                {confirmed ? null : (
                  <button
                    type="button"
                    className="btn btn--small btn--danger"
                    onClick={() =>
                      setRemoving({ id, n: i + 1, text: text instanceof Y.Text ? text.toString() : '' })
                    }
                  >
                    {t('ws.conclusion.remove', { n: i + 1 })}
                  </button>
                )}
              </div>
              <ConclusionHistory changes={changes.filter((c) => c?.conclusionId === id)} />
            </li>
          );
        })}
      </ol>
      <UndoRemoval />
      {removing ? (
        <ConfirmRemoval
          n={removing.n}
          text={removing.text}
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            workspace.removeConclusion(itemId, removing.id);
            setRemoving(null);
          }}
        />
      ) : null}
      <form className="ws-form" onSubmit={add}>
        <label htmlFor="new-conclusion" className="ws-text__label">
          {t('ws.conclusion.new')}
        </label>
        <textarea
          id="new-conclusion"
          rows={3}
          value={draft}
          placeholder={t('ws.conclusion.placeholder')}
          onChange={(e) => setDraft(e.target.value)}
        />
        {tooLarge ? (
          <p className="ws-alert" role="alert">
            {t('ws.tooLarge', {
              size: Math.ceil(utf8Bytes(draft) / 1024),
              max: Math.floor(DOC_INSERT_MAX_BYTES / 1024),
            })}
          </p>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={!draft.trim() || tooLarge}>
          {t('ws.conclusion.add')}
        </button>
      </form>
    </div>
  );
}

/** Shortens a text for a one-line message. */
const excerpt = (text: string, max = 80): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The modal question before a conclusion is deleted (a real dialog: focus stays in it, Esc cancels). */
function ConfirmRemoval({
  n,
  text,
  onConfirm,
  onCancel,
}: {
  n: number;
  text: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useWsI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="remove-conclusion-title"
      aria-describedby="remove-conclusion-body"
      onCancel={onCancel}
    >
      <div className="dialog__body">
        <h2 id="remove-conclusion-title">{t('ws.conclusion.confirmRemove.title', { n })}</h2>
        <p id="remove-conclusion-body">{t('ws.conclusion.confirmRemove.body', { text: excerpt(text) })}</p>
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onCancel}>
            {t('ws.conclusion.confirmRemove.no')}
          </button>
          <button type="button" className="btn btn--danger" onClick={onConfirm}>
            {t('ws.conclusion.confirmRemove.yes')}
          </button>
        </div>
      </div>
    </dialog>
  );
}

/** After a deletion: what was deleted, and a button that brings it back. */
function UndoRemoval() {
  const { t } = useWsI18n();
  const undoable = useWorkspace((s) => s.undoable);
  if (!undoable) return null;
  return (
    <div className="ws-undo" role="status" data-testid="conclusion-removed">
      <span>{t('ws.conclusion.removed', { text: excerpt(undoable.text) })}</span>{' '}
      <button type="button" className="btn btn--small btn--primary" onClick={() => workspace.undoRemoval()}>
        {t('ws.conclusion.undo')}
      </button>{' '}
      <button type="button" className="btn btn--small" onClick={() => workspace.dismissUndo()}>
        {t('ws.conclusion.undoDismiss')}
      </button>
    </div>
  );
}

/** Who changed a conclusion, when, and its text afterwards (written by the hub). */
function ConclusionHistory({ changes }: { changes: ConclusionChange[] }) {
  const { t, locale } = useWsI18n();
  if (changes.length === 0) return null;
  return (
    <details className="ws-history">
      <summary>{t('ws.conclusion.history', { count: changes.length })}</summary>
      <ol>
        {changes.map((c) => (
          <li key={`${c.at}-${c.action}-${c.by}`}>
            {t(`ws.history.${c.action}`, { by: c.by, time: formatTime(c.at, locale) })}
            {c.text ? <q className="ws-history__text">{excerpt(c.text, 200)}</q> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** The petitions log: site, petition, answer, who answered. */
function PetitionsTab({ doc, items, itemId }: { doc: Y.Doc; items: AgendaItem[]; itemId: string | null }) {
  const { t } = useWsI18n();
  const sites = useMeeting((s) => s.snapshot?.sites ?? []);
  const list = petitionsArray(doc);
  const entries = useShared(list, () => list.toArray().filter((m) => m instanceof Y.Map));
  const [site, setSite] = useState('');
  const [text, setText] = useState('');
  const tooLarge = utf8Bytes(text) > DOC_INSERT_MAX_BYTES;
  const add = (e: FormEvent) => {
    e.preventDefault();
    if (!site || !text.trim() || tooLarge) return;
    workspace.addPetition(itemId, site, text.trim());
    setText('');
  };
  return (
    <div className="ws-petitions">
      {entries.length === 0 ? <p className="empty">{t('ws.petition.none')}</p> : null}
      <ol className="ws-petitions__list">
        {entries.map((m, i) => {
          const id = String(m.get('id'));
          const petition = m.get('petition');
          const answer = m.get('answer');
          const item = items.find((x) => x.id === m.get('itemId'));
          return (
            <li key={id} className="ws-petition">
              <h3 className="ws-petition__head">
                {t('ws.petition.entry', { n: i + 1, site: String(m.get('site') ?? '') })}
                {item ? (
                  <span className="ws-petition__item">{t('ws.petition.item', { title: item.title })}</span>
                ) : null}
              </h3>
              {petition instanceof Y.Text ? (
                <YTextArea text={petition} id={`petition-${id}`} label={t('ws.petition.text')} rows={2} />
              ) : null}
              {answer instanceof Y.Text ? (
                <YTextArea text={answer} id={`answer-${id}`} label={t('ws.petition.answer')} rows={2} />
              ) : null}
              <MapField
                map={m as Y.Map<string>}
                field="answeredBy"
                id={`answered-${id}`}
                label={t('ws.petition.answeredBy')}
              />
              <button
                type="button"
                className="btn btn--small btn--danger"
                onClick={() => workspace.removePetition(id)}
              >
                {t('ws.petition.remove', { n: i + 1 })}
              </button>
            </li>
          );
        })}
      </ol>
      <form className="ws-form" onSubmit={add}>
        <div className="field">
          <label htmlFor="petition-site">{t('ws.petition.site')}</label>
          <select id="petition-site" value={site} onChange={(e) => setSite(e.target.value)}>
            <option value="" />
            {sites.map((s) => (
              <option key={s.id} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <label htmlFor="petition-text" className="ws-text__label">
          {t('ws.petition.text')}
        </label>
        <textarea id="petition-text" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
        {tooLarge ? (
          <p className="ws-alert" role="alert">
            {t('ws.tooLarge', {
              size: Math.ceil(utf8Bytes(text) / 1024),
              max: Math.floor(DOC_INSERT_MAX_BYTES / 1024),
            })}
          </p>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={!site || !text.trim() || tooLarge}>
          {t('ws.petition.add')}
        </button>
      </form>
    </div>
  );
}

/** A one-line text field bound to a key of a Y.Map (last writer wins: short header fields). */
function MapField({
  map,
  field,
  id,
  label,
  placeholder,
  multiline = false,
}: {
  map: Y.Map<string> | Y.Map<unknown>;
  field: string;
  id: string;
  label: string;
  placeholder?: string;
  multiline?: boolean;
}) {
  const { t } = useWsI18n();
  const value = useShared(map as Y.Map<unknown>, () => String(map.get(field) ?? ''));
  const [tooLarge, setTooLarge] = useState<number | null>(null);
  const set = (v: string) => {
    const size = utf8Bytes(v);
    // Refused visibly: the field keeps its stored value and says why the entry was not taken.
    if (size > DOC_FIELD_MAX_BYTES) {
      setTooLarge(size);
      return;
    }
    setTooLarge(null);
    (map as Y.Map<unknown>).set(field, v);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea
          id={id}
          rows={3}
          value={value}
          placeholder={placeholder}
          onChange={(e) => set(e.target.value)}
        />
      ) : (
        <input id={id} value={value} placeholder={placeholder} onChange={(e) => set(e.target.value)} />
      )}
      {tooLarge !== null ? (
        <p className="ws-alert" role="alert" data-testid={`${id}-too-large`}>
          {t('ws.field.tooLarge', {
            size: Math.ceil(tooLarge / 1024),
            max: Math.floor(DOC_FIELD_MAX_BYTES / 1024),
          })}
        </p>
      ) : null}
    </div>
  );
}

const EXPORTS = [
  'minutes.docx',
  'minutes.pdf',
  'notice.docx',
  'notice.pdf',
  'attendance.docx',
  'attendance.pdf',
  'attendance.csv',
] as const;

/** Export buttons; drafts until the meeting has ended. */
export function ExportPanel() {
  const { t } = useWsI18n();
  const meetingId = useMeeting((s) => s.snapshot?.meeting.id ?? null);
  const ended = useMeeting((s) => s.snapshot?.meeting.status === 'ended');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (file: string) => {
    if (!meetingId) return;
    setBusy(file);
    setError(null);
    try {
      await downloadExport(meetingId, file);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="ws-exports" aria-label={t('ws.export.title')}>
      <h3 className="panel-title">{t('ws.export.title')}</h3>
      <p className="ws-hint">{ended ? t('ws.export.final') : t('ws.export.draft')}</p>
      <div className="ws-exports__buttons">
        {EXPORTS.map((file) => (
          <button
            key={file}
            type="button"
            className="btn"
            disabled={busy !== null}
            aria-busy={busy === file}
            onClick={() => void run(file)}
          >
            {busy === file ? t('ws.export.busy', { file }) : t(`ws.export.${file}`)}
          </button>
        ))}
      </div>
      {error ? (
        <p className="ws-alert" role="alert">
          {t('ws.export.failed', { message: error })}
        </p>
      ) : null}
    </section>
  );
}

/** The notice's header fields and the exports. */
function NoticeTab({ doc }: { doc: Y.Doc }) {
  const { t } = useWsI18n();
  const notice = noticeMap(doc);
  return (
    <div className="ws-notice">
      <MapField
        map={notice}
        field="issuer"
        id="notice-issuer"
        label={t('ws.notice.issuer')}
        placeholder={t('ws.notice.issuerHint')}
      />
      <MapField
        map={notice}
        field="number"
        id="notice-number"
        label={t('ws.notice.number')}
        placeholder={t('ws.notice.numberHint')}
      />
      <MapField
        map={notice}
        field="place"
        id="notice-place"
        label={t('ws.notice.place')}
        placeholder={t('ws.notice.placeHint')}
      />
      <MapField
        map={notice}
        field="recipients"
        id="notice-recipients"
        label={t('ws.notice.recipients')}
        multiline
      />
      <ExportPanel />
    </div>
  );
}

/**
 * The secretary workspace: the agenda on the left (following the current item unless another is
 * opened); on the right the item's minutes, its conclusions, the petitions log and the notice,
 * with the saved / saving / offline state always in view.
 */
export function SecretaryWorkspace({ aside }: { aside?: ReactNode }) {
  const { t } = useWsI18n();
  const meetingId = useMeeting((s) => s.snapshot?.meeting.id ?? null);
  const items = useMeeting((s) => s.snapshot?.agenda.items ?? []);
  const currentItemId = useMeeting((s) => s.snapshot?.agenda.currentItemId ?? null);
  const doc = useDoc();
  const { selected, follow, pick, followAgenda } = useSelectedItem(items, currentItemId);
  const [tab, setTab] = useState('minutes');

  useEffect(() => {
    if (meetingId) void workspace.open(meetingId);
  }, [meetingId]);
  useEffect(() => () => workspace.close(), []);

  const index = items.findIndex((i) => i.id === selected);
  const item = items[index];
  const conclusions = doc && selected ? conclusionsArray(doc, selected) : null;
  const conclusionCount = useShared(conclusions, () => conclusions?.length ?? 0);
  const petitions = doc ? petitionsArray(doc) : null;
  const petitionCount = useShared(petitions, () => petitions?.length ?? 0);

  return (
    <div className="ws" data-testid="secretary-workspace">
      <div className="ws-side">
        {aside}
        <ItemList
          items={items}
          currentItemId={currentItemId}
          selected={selected}
          follow={follow}
          onPick={pick}
          onFollow={followAgenda}
        />
      </div>
      <section className="ws-main panel" aria-label={t('ws.title')}>
        <div className="ws-main__head">
          <h2 className="panel-title">{item ? `${index + 1}. ${item.title}` : t('ws.title')}</h2>
          <SaveIndicator />
        </div>
        {doc && item ? (
          <Tabs
            label={t('ws.title')}
            selected={tab}
            onSelect={setTab}
            tabs={[
              {
                id: 'minutes',
                label: t('ws.tab.minutes'),
                content: (
                  <YTextArea
                    key={`${item.id}:${doc.clientID}`}
                    text={minutesText(doc, item.id)}
                    id="minutes-editor"
                    label={t('ws.minutes.label', { n: index + 1, title: item.title })}
                    placeholder={t('ws.minutes.placeholder')}
                    rows={18}
                  />
                ),
              },
              {
                id: 'conclusions',
                label: t('ws.tab.conclusions', { count: conclusionCount }),
                content: <ConclusionsTab key={`${item.id}:${doc.clientID}`} doc={doc} itemId={item.id} />,
              },
              {
                id: 'petitions',
                label: t('ws.tab.petitions', { count: petitionCount }),
                content: <PetitionsTab doc={doc} items={items} itemId={item.id} />,
              },
              { id: 'notice', label: t('ws.tab.notice'), content: <NoticeTab doc={doc} /> },
            ]}
          />
        ) : items.length === 0 ? (
          <p className="empty">{t('ws.noItems')}</p>
        ) : (
          <p className="empty">{t('ws.save.loading')}</p>
        )}
      </section>
    </div>
  );
}
