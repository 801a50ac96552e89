import { useEffect, useState } from 'react';
import type { MessageKey } from '../i18n/i18n';
import { formatTime } from '../state/format';
import { useMeeting } from '../state/hooks';
import { pushNotice } from '../state/meetingState';
import { useWorkspace } from './hooks';
import { useWsI18n } from './i18n';
import { confirmConclusion, followConclusions } from './workspaceService';
import './workspace.css';

/** Number of conclusions, for the console's tab label (keeps them followed while the console is open). */
export function useConclusionCount(): number {
  useEffect(() => followConclusions(), []);
  return useWorkspace((s) => s.conclusions.length);
}

/**
 * The chair's and operator's live view of the conclusions, read-only, by agenda item; the chair
 * confirms each one (the hub checks that it is the chair).
 */
export function ConclusionsPanel() {
  const { t, locale } = useWsI18n();
  const role = useMeeting((s) => s.self?.role ?? null);
  const items = useMeeting((s) => s.snapshot?.agenda.items ?? []);
  const conclusions = useWorkspace((s) => s.conclusions);
  const [busy, setBusy] = useState<string | null>(null);
  useEffect(() => followConclusions(), []);
  const isChair = role === 'chair';

  const toggle = async (id: string, confirmed: boolean) => {
    setBusy(id);
    const code = await confirmConclusion(id, confirmed);
    setBusy(null);
    if (code) pushNotice({ tone: 'error', key: `error.${code}` as MessageKey });
  };

  const groups = items
    .map((item, index) => ({ item, index, list: conclusions.filter((c) => c.agendaItemId === item.id) }))
    .filter((g) => g.list.length > 0);

  return (
    <section className="ws-panel" aria-label={t('ws.panel.title')} data-testid="conclusions-panel">
      <p className="ws-hint">{t('ws.panel.readOnly')}</p>
      {groups.length === 0 ? <p className="empty">{t('ws.panel.none')}</p> : null}
      {groups.map(({ item, index, list }) => (
        <div key={item.id} className="ws-panel__group">
          <h3 className="ws-panel__item">
            {index + 1}. {item.title}
          </h3>
          <ol className="ws-panel__list">
            {list.map((c, k) => (
              <li key={c.id} className={`ws-conclusion${c.confirmed ? ' ws-conclusion--confirmed' : ''}`}>
                <p className="ws-panel__text">
                  <span className="ws-panel__num">
                    {index + 1}.{k + 1}.
                  </span>{' '}
                  {c.text}
                </p>
                <div className="ws-conclusion__meta">
                  <span>{t('ws.conclusion.meta', { author: c.author, time: formatTime(c.at, locale) })}</span>
                  {c.confirmed ? (
                    <span
                      className="tag tag--ok"
                      title={t('ws.panel.confirmedBy', {
                        by: c.confirmedBy ?? '',
                        time: formatTime(c.confirmedAt ?? 0, locale),
                      })}
                    >
                      {t('ws.panel.confirmed')}
                    </span>
                  ) : null}
                  {isChair ? (
                    <button
                      type="button"
                      className={c.confirmed ? 'btn btn--small' : 'btn btn--small btn--primary'}
                      disabled={busy === c.id}
                      aria-label={`${c.confirmed ? t('ws.panel.unconfirm') : t('ws.panel.confirm')}: ${index + 1}.${k + 1}`}
                      onClick={() => void toggle(c.id, !c.confirmed)}
                    >
                      {c.confirmed ? t('ws.panel.unconfirm') : t('ws.panel.confirm')}
                    </button>
                  ) : null}
                </div>
              </li>
            ))}
          </ol>
        </div>
      ))}
    </section>
  );
}
