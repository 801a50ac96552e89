import { DeviceProblemBanner, NoticeList, ReconnectingBanner } from '../../components/Banners';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { LocalControls } from '../../components/LocalControls';
import { useI18n } from '../../i18n/i18n';
import { formatDateTime } from '../../state/format';
import { useMeeting } from '../../state/hooks';
import { DelegatesForm } from '../site/DelegatesForm';
import { SelfView } from '../site/SiteView';

/** "Hội nghị chưa bắt đầu": connected early; a site can check its camera, sound and declare delegates. */
export function WaitingRoom() {
  const { t, locale } = useI18n();
  const meeting = useMeeting((s) => s.snapshot?.meeting ?? null);
  const self = useMeeting((s) => s.self);
  const publishes = useMeeting((s) => s.media.publishes);
  return (
    <main className="waiting" data-testid="waiting-room">
      <div className="status-screen__top">
        <span className="brand">Giao Ban</span>
        <LanguageSwitch />
      </div>
      <ReconnectingBanner />
      <DeviceProblemBanner />
      <div className="waiting__card" role="status">
        <h1>{t('waiting.title')}</h1>
        {meeting ? (
          <>
            <p className="waiting__meeting">{meeting.title}</p>
            <p>{t('waiting.scheduled', { at: formatDateTime(meeting.scheduledAt, locale) })}</p>
          </>
        ) : null}
        <p className="waiting__hint">{t('waiting.hint', { name: self?.displayName ?? '' })}</p>
      </div>
      {publishes ? (
        <div className="waiting__check">
          <SelfView />
          <div className="waiting__controls">
            <LocalControls layout="column" />
            {self?.role === 'site' ? <DelegatesForm /> : null}
          </div>
        </div>
      ) : null}
      <NoticeList />
    </main>
  );
}
