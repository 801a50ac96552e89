import { useState } from 'react';
import {
  AudioUnlockBanner,
  DeviceProblemBanner,
  NoticeList,
  ReconnectingBanner,
} from '../../components/Banners';
import { LocalControls } from '../../components/LocalControls';
import { MeetingHeader } from '../../components/MeetingHeader';
import { ProgramStage } from '../../components/ProgramStage';
import { Tabs } from '../../components/Tabs';
import { useI18n } from '../../i18n/i18n';
import { useSlidesI18n } from '../../slides/i18n';
import { SlidesArea } from '../../slides/SlidesArea';
import { useMeeting } from '../../state/hooks';
import { ConclusionsPanel, useConclusionCount } from '../../workspace/ConclusionsPanel';
import { wsTranslate } from '../../workspace/i18n';
import { AgendaPanel } from './AgendaPanel';
import { FloorCard } from './FloorCard';
import { MeetingControls } from './MeetingControls';
import { Multiview } from './Multiview';
import { QueuePanel } from './QueuePanel';
import { AttendanceTotalsBadge, RollCallBoard } from './RollCallBoard';

/**
 * The chair's and operator's console: program and multiview on the left; the floor, the
 * speaking queue, the agenda and the roll call on the right.
 */
export function ConsoleView() {
  const { t, locale } = useI18n();
  const slidesText = useSlidesI18n().t;
  const conclusions = useConclusionCount();
  const status = useMeeting((s) => s.snapshot?.meeting.status ?? 'scheduled');
  const publishes = useMeeting((s) => s.media.publishes);
  const queued = useMeeting((s) => s.snapshot?.queue.requests.length ?? 0);
  const [tab, setTab] = useState<string>(status === 'live' ? 'queue' : 'rollcall');

  return (
    <div className="layout layout--console" data-testid="console-view">
      <MeetingHeader>
        <AttendanceTotalsBadge />
      </MeetingHeader>
      <ReconnectingBanner />
      <AudioUnlockBanner />
      <DeviceProblemBanner />
      <div className="console">
        <div className="console__main">
          <ProgramStage className="stage--console" />
          <Multiview />
        </div>
        <aside className="console__side" aria-label={t('console.side')}>
          <MeetingControls />
          {publishes ? <LocalControls /> : null}
          <FloorCard />
          <Tabs
            label={t('console.panels')}
            selected={tab}
            onSelect={setTab}
            tabs={[
              { id: 'queue', label: t('queue.tab', { count: queued }), content: <QueuePanel /> },
              { id: 'agenda', label: t('agenda.title'), content: <AgendaPanel /> },
              { id: 'rollcall', label: t('rollcall.title'), content: <RollCallBoard /> },
              {
                id: 'slides',
                label: slidesText('slides.tab'),
                content: <SlidesArea className="slides--console" />,
              },
              {
                id: 'conclusions',
                label: wsTranslate(locale, 'ws.panel.tab', { count: conclusions }),
                content: <ConclusionsPanel />,
              },
            ]}
          />
        </aside>
      </div>
      <NoticeList />
    </div>
  );
}
