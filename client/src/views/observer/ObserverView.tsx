import { AudioUnlockBanner, NoticeList, ReconnectingBanner } from '../../components/Banners';
import { MeetingHeader } from '../../components/MeetingHeader';
import { ProgramStage, SlidesArea } from '../../components/ProgramStage';

/** A leader watching from a laptop: the program and the slides, nothing else. */
export function ObserverView() {
  return (
    <div className="layout layout--observer" data-testid="observer-view">
      <MeetingHeader />
      <ReconnectingBanner />
      <AudioUnlockBanner />
      <div className="observer">
        <ProgramStage className="stage--observer" />
        <SlidesArea className="slides--observer" />
      </div>
      <NoticeList />
    </div>
  );
}
