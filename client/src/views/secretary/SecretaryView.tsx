import { AudioUnlockBanner, NoticeList, ReconnectingBanner } from '../../components/Banners';
import { MeetingHeader } from '../../components/MeetingHeader';
import { ProgramStage } from '../../components/ProgramStage';
import { SecretaryWorkspace } from '../../workspace/SecretaryWorkspace';

/**
 * The secretary's page: the program in small, and the collaborative workspace — minutes and
 * conclusions per agenda item, the petitions log, the notice and its exports.
 */
export function SecretaryView() {
  return (
    <div className="layout layout--secretary" data-testid="secretary-view">
      <MeetingHeader />
      <ReconnectingBanner />
      <AudioUnlockBanner />
      <SecretaryWorkspace aside={<ProgramStage className="stage--small" />} />
      <NoticeList />
    </div>
  );
}
