import type { AgendaItem } from '@giaoban/shared';
import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { formatElapsed } from '../../state/format';
import { useMeeting, useNow } from '../../state/hooks';
import { agendaElapsedMs } from '../../state/selectors';

/** "12:05 / 15:00", marked late once the planned time is passed. */
function ItemTiming({ item, skew, now }: { item: AgendaItem; skew: number; now: number }) {
  const { t } = useI18n();
  const elapsed = agendaElapsedMs(item, now, skew);
  const planned = item.plannedMinutes * 60_000;
  if (elapsed === null)
    return <span className="agenda__time">{t('agenda.planned', { min: item.plannedMinutes })}</span>;
  const over = planned > 0 && elapsed > planned;
  return (
    <span className={over ? 'agenda__time agenda__time--over' : 'agenda__time'} data-testid="agenda-elapsed">
      {t('agenda.elapsedOfPlanned', { elapsed: formatElapsed(elapsed), planned: formatElapsed(planned) })}
    </span>
  );
}

/** The agenda (chương trình): current item with elapsed vs planned time; advance or open an item. */
export function AgendaPanel({ readOnly = false }: { readOnly?: boolean }) {
  const { t } = useI18n();
  const agenda = useMeeting((s) => s.snapshot?.agenda ?? null);
  const skew = useMeeting((s) => s.clockSkewMs);
  const now = useNow(1000);
  if (!agenda) return null;
  const currentIndex = agenda.items.findIndex((i) => i.id === agenda.currentItemId);
  const hasNext = currentIndex < agenda.items.length - 1;

  return (
    <section className="agenda" aria-label={t('agenda.title')} data-testid="agenda-panel">
      {!readOnly ? (
        <button
          type="button"
          className="btn btn--primary agenda__advance"
          disabled={!hasNext}
          onClick={() => void moderator.advanceAgenda()}
        >
          {currentIndex < 0 ? t('agenda.start') : t('agenda.next')}
        </button>
      ) : null}
      {agenda.items.length === 0 ? <p className="empty">{t('agenda.empty')}</p> : null}
      <ol className="agenda__list">
        {agenda.items.map((item, index) => {
          const state =
            item.id === agenda.currentItemId ? 'current' : item.endedAt !== null ? 'done' : 'upcoming';
          return (
            <li
              key={item.id}
              className={`agenda__item agenda__item--${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              <span className="agenda__num">{index + 1}</span>
              <div className="agenda__text">
                <strong>{item.title}</strong>
                {item.presenter ? <span className="agenda__presenter">{item.presenter}</span> : null}
                <ItemTiming item={item} skew={skew} now={now} />
              </div>
              {!readOnly && state !== 'current' ? (
                <button
                  type="button"
                  className="btn btn--small"
                  aria-label={t('agenda.openAria', { title: item.title })}
                  onClick={() => void moderator.openAgendaItem(item.id)}
                >
                  {t('agenda.open')}
                </button>
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
