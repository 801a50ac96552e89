import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { RecordingStatus } from '../record/RecordingStatus';
import { useMeeting } from '../state/hooks';
import { currentAgendaItem } from '../state/selectors';
import { QualityIndicator } from './Indicators';
import { LanguageSwitch } from './LanguageSwitch';

/** The top bar of every meeting view: meeting, status, current item, link quality, language. */
export function MeetingHeader({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const self = useMeeting((s) => s.self);
  const item = currentAgendaItem(snapshot);
  const status = snapshot?.meeting.status ?? 'scheduled';
  return (
    <header className="mheader">
      <div className="mheader__id">
        <span className="brand brand--small">Giao Ban</span>
        <h1 className="mheader__title" data-testid="meeting-title">
          {snapshot?.meeting.title ?? ''}
        </h1>
        <span className={`pill pill--${status}`} data-testid="meeting-status">
          {t(`status.${status}`)}
        </span>
      </div>
      <div className="mheader__item" aria-live="polite">
        {item ? (
          <>
            <span className="mheader__label">{t('agenda.current')}</span> <span>{item.title}</span>
          </>
        ) : null}
      </div>
      <div className="mheader__tools">
        <RecordingStatus />
        {children}
        {self ? (
          <span className="mheader__self" title={t(`role.${self.role}`)}>
            {self.displayName === t(`role.${self.role}`)
              ? self.displayName
              : `${self.displayName} · ${t(`role.${self.role}`)}`}
          </span>
        ) : null}
        <QualityIndicator />
        <LanguageSwitch />
      </div>
    </header>
  );
}
