import {
  AudioUnlockBanner,
  DeviceProblemBanner,
  NoticeList,
  ReconnectingBanner,
} from '../../components/Banners';
import { LocalControls } from '../../components/LocalControls';
import { MeetingHeader } from '../../components/MeetingHeader';
import { ProgramStage } from '../../components/ProgramStage';
import { VideoView } from '../../components/VideoView';
import { useI18n } from '../../i18n/i18n';
import { ChatPanel } from '../../record/ChatPanel';
import { TalkBackNotice } from '../../record/ModerationPanel';
import { VotePanel } from '../../record/VotePanel';
import { LOCAL_CAMERA } from '../../services/streams';
import { SlidesArea, useSlidesShowing } from '../../slides/SlidesArea';
import { useMeeting } from '../../state/hooks';
import { useStore } from '../../state/store';
import { ParentLinkBanner, ParentPanel } from '../linked/ParentPanel';
import { DelegatesForm } from './DelegatesForm';
import { FloorRequestPanel } from './FloorRequestPanel';
import { RoomDisplay } from './RoomDisplay';
import { roomStore } from './roomState';
import { useTechnicianHost } from './technicianChannel';

/** Small mirrored preview of this room's own camera. */
export function SelfView() {
  const { t } = useI18n();
  const hasVideo = useMeeting((s) => s.media.hasLocalVideo);
  return (
    <VideoView
      streamKey={hasVideo ? LOCAL_CAMERA : null}
      label={t('self.preview')}
      testId="self-view"
      mirror
      className="selfview"
      placeholder={t('self.noCamera')}
    />
  );
}

/** Turns the room display on, full screen where the browser allows it (this click is the gesture it needs). */
function enterRoomDisplay(): void {
  roomStore.set({ room: true, dialog: null });
  void document.documentElement.requestFullscreen?.().catch(() => undefined);
}

/**
 * The bridge point's control panel: the program large (or the report slides, with the program
 * beside them, while a report is shown), the room's own picture, and the floor, microphone,
 * camera and attendance controls.
 */
function SiteControlView() {
  const { t } = useI18n();
  const slidesOn = useSlidesShowing();
  return (
    <div className="layout layout--site" data-testid="site-view">
      <MeetingHeader>
        <button
          type="button"
          className="btn btn--small"
          title={t('room.enterHint')}
          onClick={enterRoomDisplay}
        >
          {t('room.enter')}
        </button>
      </MeetingHeader>
      <ReconnectingBanner />
      <ParentLinkBanner />
      <AudioUnlockBanner />
      <DeviceProblemBanner />
      <main className={slidesOn ? 'site site--slides' : 'site'}>
        {slidesOn ? <SlidesArea className="slides--main" /> : <ProgramStage className="stage--site" />}
        <aside className="site__side" aria-label={t('site.side')}>
          {slidesOn ? <ProgramStage className="stage--site-side" /> : <SlidesArea className="slides--side" />}
          <div className="site__self">
            <SelfView />
            <LocalControls layout="column" />
          </div>
          <ParentPanel />
          <FloorRequestPanel />
          <DelegatesForm />
          <TalkBackNotice />
          <VotePanel />
          <ChatPanel />
        </aside>
      </main>
      <NoticeList />
    </div>
  );
}

/**
 * The bridge-point page: the room display for the room's large screen, or the control panel;
 * either way it serves a technician's window opened on the same computer.
 */
export function SiteView() {
  const room = useStore(roomStore, (s) => s.room);
  useTechnicianHost();
  return room ? <RoomDisplay /> : <SiteControlView />;
}
