import { ConfirmButton } from '../../components/ConfirmButton';
import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { useMeeting } from '../../state/hooks';

/**
 * Before the meeting is live nobody at a bridge point hears the chair; a moderator opens the
 * chair's microphone to one site on purpose, to check its sound, and closes it again.
 */
function TalkToSite() {
  const { t } = useI18n();
  const talkTo = useMeeting((s) => s.snapshot?.meeting.techCheckTalkTo ?? null);
  const sites = useMeeting((s) => s.snapshot?.sites ?? []);
  return (
    <label className="meeting-controls__talk-to">
      {t('meeting.talkTo')}
      <select value={talkTo ?? ''} onChange={(e) => void moderator.talkTo(e.target.value || null)}>
        <option value="">{t('meeting.talkTo.none')}</option>
        {sites
          .filter((site) => !site.isHost)
          .map((site) => (
            <option key={site.id} value={site.id}>
              {site.name}
            </option>
          ))}
      </select>
    </label>
  );
}

/** Open the tech check → go live → end: only the steps the meeting's lifecycle allows from here. */
export function MeetingControls() {
  const { t } = useI18n();
  const status = useMeeting((s) => s.snapshot?.meeting.status ?? 'scheduled');
  return (
    <fieldset className="meeting-controls" aria-label={t('meeting.controls')}>
      {status === 'scheduled' || status === 'techCheck' ? <TalkToSite /> : null}
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
