import { AudioUnlockBanner, NoticeList, ReconnectingBanner } from '../../components/Banners';
import { MeetingHeader } from '../../components/MeetingHeader';
import { ProgramStage } from '../../components/ProgramStage';
import { useRecordI18n } from '../../record/i18n';
import { RecordingsPanel } from '../../record/RecordingsPanel';
import { session } from '../../services/session';
import { useMeeting } from '../../state/hooks';
import { SecretaryWorkspace } from '../../workspace/SecretaryWorkspace';

/**
 * The secretary's page: the program in small, and the collaborative workspace — minutes and
 * conclusions per agenda item, the petitions log, the notice and its exports.
 */
export function SecretaryView() {
  const { t } = useRecordI18n();
  const meetingId = useMeeting((s) => s.snapshot?.meeting.id ?? null);
  const token = session.joinToken;
  return (
    <div className="layout layout--secretary" data-testid="secretary-view">
      <MeetingHeader />
      <ReconnectingBanner />
      <AudioUnlockBanner />
      <SecretaryWorkspace aside={<ProgramStage className="stage--small" />} />
      {meetingId && token ? (
        <details className="panel recordings-details">
          <summary>{t('recordings.title')}</summary>
          <RecordingsPanel meetingId={meetingId} token={token} mayDelete={false} />
        </details>
      ) : null}
      <NoticeList />
    </div>
  );
}
