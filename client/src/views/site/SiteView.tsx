import {
  AudioUnlockBanner,
  DeviceProblemBanner,
  NoticeList,
  ReconnectingBanner,
} from '../../components/Banners';
import { LocalControls } from '../../components/LocalControls';
import { MeetingHeader } from '../../components/MeetingHeader';
import { ProgramStage, SlidesArea } from '../../components/ProgramStage';
import { VideoView } from '../../components/VideoView';
import { useI18n } from '../../i18n/i18n';
import { LOCAL_CAMERA } from '../../services/streams';
import { useMeeting } from '../../state/hooks';
import { DelegatesForm } from './DelegatesForm';
import { FloorRequestPanel } from './FloorRequestPanel';

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

/**
 * The bridge-point view for a meeting-room screen: the program large, the slides area, the
 * room's own picture, and the floor, microphone, camera and attendance controls.
 */
export function SiteView() {
  const { t } = useI18n();
  return (
    <div className="layout layout--site" data-testid="site-view">
      <MeetingHeader />
      <ReconnectingBanner />
      <AudioUnlockBanner />
      <DeviceProblemBanner />
      <div className="site">
        <ProgramStage className="stage--site" />
        <aside className="site__side" aria-label={t('site.side')}>
          <SlidesArea className="slides--side" />
          <div className="site__self">
            <SelfView />
            <LocalControls layout="column" />
          </div>
          <FloorRequestPanel />
          <DelegatesForm />
        </aside>
      </div>
      <NoticeList />
    </div>
  );
}
