import { useEffect, useState } from 'react';
import { NoticeList } from '../../components/Banners';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { LocalControls } from '../../components/LocalControls';
import { useI18n } from '../../i18n/i18n';
import { useMeeting } from '../../state/hooks';
import { currentAgendaItem, siteById } from '../../state/selectors';
import { DelegatesForm } from './DelegatesForm';
import { FloorRequestPanel } from './FloorRequestPanel';
import { connectTechnicianRemote, type TechnicianRemote } from './technicianChannel';

/**
 * The technician's window (`/join?technician`), opened from the room display on a second monitor
 * of the same computer: the bridge point's controls — request the floor, microphone, camera,
 * declared delegates — acting through the room display's connection.
 */
export function TechnicianWindow() {
  const { t } = useI18n();
  const [remote, setRemote] = useState<TechnicianRemote | null>(null);
  const [present, setPresent] = useState(false);
  const [wasPresent, setWasPresent] = useState(false);
  const snapshot = useMeeting((s) => s.snapshot);
  const self = useMeeting((s) => s.self);
  const site = siteById(snapshot, self?.siteId ?? null);
  const item = currentAgendaItem(snapshot);

  useEffect(() => {
    const r = connectTechnicianRemote((now) => {
      setPresent(now);
      if (now) setWasPresent(true);
    });
    setRemote(r);
    return () => r.close();
  }, []);

  const ready = present && remote && snapshot && self?.role === 'site';
  return (
    <main className="technician" data-testid="technician-window">
      <header className="technician__top">
        <h1 className="technician__title">{t('remote.title')}</h1>
        <LanguageSwitch />
      </header>
      <p className={`technician__presence${ready ? '' : ' technician__presence--lost'}`} role="status">
        {ready
          ? t('remote.connected', { site: site?.name ?? '' })
          : t(wasPresent ? 'remote.lost' : 'remote.waiting')}
      </p>
      {ready ? (
        <>
          <p className="technician__meeting">{snapshot.meeting.title}</p>
          {item ? <p className="technician__item">{item.title}</p> : null}
          <LocalControls layout="column" actions={remote.actions} deviceDialog={false} />
          <FloorRequestPanel actions={remote.actions} />
          <DelegatesForm actions={remote.actions} />
        </>
      ) : null}
      <NoticeList />
    </main>
  );
}
