import { AudioUnlockBanner, NoticeList, ReconnectingBanner } from '../../components/Banners';
import { MeetingHeader } from '../../components/MeetingHeader';
import { ProgramStage, SlidesArea } from '../../components/ProgramStage';
import { useSlidesShowing } from '../../slides/SlidesArea';
import { ParentLinkBanner } from '../linked/ParentPanel';

/**
 * A leader watching from a laptop: the program and the slides, nothing else. While a report is
 * shown the slides get the larger column, so its body text stays readable.
 */
export function ObserverView() {
  const slidesOn = useSlidesShowing();
  return (
    <div className="layout layout--observer" data-testid="observer-view">
      <MeetingHeader />
      <ReconnectingBanner />
      <ParentLinkBanner />
      <AudioUnlockBanner />
      <main className={slidesOn ? 'observer observer--slides' : 'observer'}>
        <ProgramStage className="stage--observer" />
        <SlidesArea className="slides--observer" />
      </main>
      <NoticeList />
    </div>
  );
}
