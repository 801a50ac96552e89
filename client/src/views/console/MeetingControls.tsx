import { ConfirmButton } from '../../components/ConfirmButton';
import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { useMeeting } from '../../state/hooks';

/** Open the tech check → go live → end: only the steps the meeting's lifecycle allows from here. */
export function MeetingControls() {
  const { t } = useI18n();
  const status = useMeeting((s) => s.snapshot?.meeting.status ?? 'scheduled');
  return (
    <fieldset className="meeting-controls" aria-label={t('meeting.controls')}>
      {status === 'scheduled' ? (
        <button type="button" className="btn btn--primary" onClick={() => void moderator.openTechCheck()}>
          {t('meeting.openTechCheck')}
        </button>
      ) : null}
      {status === 'techCheck' ? (
        <button type="button" className="btn btn--primary" onClick={() => void moderator.goLive()}>
          {t('meeting.goLive')}
        </button>
      ) : null}
      {status === 'techCheck' || status === 'live' ? (
        <ConfirmButton
          className="btn btn--danger"
          label={t('meeting.end')}
          onConfirm={() => void moderator.endMeeting()}
        />
      ) : null}
    </fieldset>
  );
}
