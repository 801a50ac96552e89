import {
  type ConclusionChange,
  conclusionsArray,
  confirmationsMap,
  DOC_INSERT_MAX_BYTES,
  historyArray,
  utf8Bytes,
} from '@giaoban/shared';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import * as Y from 'yjs';
import { formatTime } from '../state/format';
import { useShared, useWorkspace } from './hooks';
import { useWsI18n } from './i18n';
import { workspace } from './workspaceService';
import { YTextArea } from './YTextArea';

/** One item's conclusions: each editable, with author, time and the chair's confirmation. */
export function ConclusionsTab({ doc, itemId }: { doc: Y.Doc; itemId: string }) {
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
