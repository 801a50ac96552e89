import { useEffect, useRef, useState } from 'react';
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
import { ChatPanel } from '../../record/ChatPanel';
import { recordTranslate } from '../../record/i18n';
import { ModerationPanel } from '../../record/ModerationPanel';
import { RoomSystemCall } from '../../record/RoomSystemCall';
import { VotePanel } from '../../record/VotePanel';
import { useSlidesI18n } from '../../slides/i18n';
import { SlidesArea } from '../../slides/SlidesArea';
import { useMeeting } from '../../state/hooks';
import { ConclusionsPanel, useConclusionCount } from '../../workspace/ConclusionsPanel';
import { wsTranslate } from '../../workspace/i18n';
import { ParentLinkBanner, ParentPanel } from '../linked/ParentPanel';
import { RelayControls } from '../linked/RelayControls';
import { AgendaPanel } from './AgendaPanel';
import { FloorCard } from './FloorCard';
import { MeetingControls } from './MeetingControls';
import { Multiview } from './Multiview';
import { QueuePanel } from './QueuePanel';
import { RequestAlert } from './RequestAlert';
import { AttendanceTotalsBadge, RollCallBoard } from './RollCallBoard';

/** How long a tab the operator chose stays chosen before the meeting may move the console on. */
const MANUAL_CHOICE_MS = 5000;

/**
 * The panel tab that follows the meeting: the roll call before it starts, the speaking queue
 * once it is live — unless the operator just picked a tab or is typing in the panel, whose
 * action the switch must not interrupt.
 */
function useFollowingTab(status: string): [string, (id: string) => void] {
  const [tab, setTab] = useState<string>(status === 'live' ? 'queue' : 'rollcall');
  const chosenAt = useRef(0);
  useEffect(() => {
    if (status !== 'live') return;
    const typing = document.activeElement?.closest('input, textarea, select, [contenteditable="true"]');
    if (Date.now() - chosenAt.current < MANUAL_CHOICE_MS || typing) return;
    setTab('queue');
  }, [status]);
  const choose = (id: string) => {
    chosenAt.current = Date.now();
    setTab(id);
  };
  return [tab, choose];
}

/**
 * The chair's and operator's console: the program (sized to its picture) with what needs acting
 * on beside it — lifecycle, the floor, a waiting request — and the multiview below; the speaking
 * queue, the agenda, the roll call, slides and conclusions in the panel on the right.
 */
export function ConsoleView() {
  const { t, locale } = useI18n();
  const slidesText = useSlidesI18n().t;
  const conclusions = useConclusionCount();
  const status = useMeeting((s) => s.snapshot?.meeting.status ?? 'scheduled');
  const publishes = useMeeting((s) => s.media.publishes);
  const queued = useMeeting((s) => s.snapshot?.queue.requests.length ?? 0);
  const [tab, setTab] = useFollowingTab(status);

  return (
    <div className="layout layout--console" data-testid="console-view" data-tab={tab}>
      <MeetingHeader>
        <AttendanceTotalsBadge />
      </MeetingHeader>
      <ReconnectingBanner />
      <ParentLinkBanner />
      <AudioUnlockBanner />
      <DeviceProblemBanner />
      <main className="console">
        <div className="console__main">
          <div className="console__top">
            <ProgramStage className="stage--console" />
            <div className="console__now">
              <FloorCard />
              <ParentPanel showPage={false} />
              <RelayControls />
              <RequestAlert queueOpen={tab === 'queue'} onShowQueue={() => setTab('queue')} />
              {/* Last and pushed down: a request appearing above never moves these buttons. */}
              <MeetingControls />
            </div>
          </div>
          <Multiview />
        </div>
        <aside className="console__side" aria-label={t('console.side')}>
          {publishes ? <LocalControls /> : null}
          <Tabs
            label={t('console.panels')}
            selected={tab}
            onSelect={setTab}
            tabs={[
              {
                id: 'queue',
                // Counts only when there is something to count: five labels share one row.
                label: queued > 0 ? t('queue.tab', { count: queued }) : t('console.tab.queue'),
                content: <QueuePanel />,
                attention: queued > 0,
              },
              { id: 'agenda', label: t('agenda.title'), content: <AgendaPanel /> },
              { id: 'rollcall', label: t('rollcall.title'), content: <RollCallBoard /> },
              {
                id: 'slides',
                label: slidesText('slides.tab'),
                content: <SlidesArea className="slides--console" />,
              },
              {
                id: 'conclusions',
                label:
                  conclusions > 0
                    ? wsTranslate(locale, 'ws.panel.tab', { count: conclusions })
                    : t('console.tab.conclusions'),
                content: <ConclusionsPanel />,
              },
              {
                id: 'record',
                label: recordTranslate(locale, 'record.tab'),
                content: (
                  <>
                    <ModerationPanel />
                    <RoomSystemCall />
                    <VotePanel />
                    <ChatPanel />
                  </>
                ),
              },
            ]}
          />
        </aside>
      </main>
      <NoticeList />
    </div>
  );
}
