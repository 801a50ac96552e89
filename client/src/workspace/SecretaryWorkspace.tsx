import {
  type AgendaItem,
  conclusionsArray,
  DOC_FIELD_MAX_BYTES,
  DOC_INSERT_MAX_BYTES,
  minutesText,
  noticeMap,
  petitionsArray,
  utf8Bytes,
} from '@giaoban/shared';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import * as Y from 'yjs';
import { Tabs } from '../components/Tabs';
import { useMeeting } from '../state/hooks';
import { ConclusionsTab } from './ConclusionsTab';
import { useDoc, useShared } from './hooks';
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
    <main className="ws" data-testid="secretary-workspace">
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
    </main>
  );
}
