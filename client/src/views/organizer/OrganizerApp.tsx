import { LanguageSwitch } from '../../components/LanguageSwitch';
import { useI18n } from '../../i18n/i18n';
import { api, authStore } from '../../services/api';
import { useStore } from '../../state/store';
import { CalendarPage } from './CalendarPage';
import { LoginPage } from './LoginPage';
import { MeetingEditor } from './MeetingEditor';
import { MeetingsPage } from './MeetingsPage';
import { href, useRoute } from './router';
import { StatisticsPage } from './StatisticsPage';

/** The organizer's pages (ban tổ chức): sign in, meetings, one meeting's preparation. */
export function OrganizerApp() {
  const { t } = useI18n();
  const session = useStore(authStore, (s) => s.session);
  const route = useRoute();
  if (!session) return <LoginPage />;
  return (
    <div className="org" data-testid="organizer">
      <header className="org__header">
        <a className="brand" href={href({ page: 'meetings' })}>
          Giao Ban
        </a>
        <span className="org__role">{t('role.organizer')}</span>
        <nav aria-label={t('org.nav')}>
          <a href={href({ page: 'meetings' })}>{t('org.meetings.title')}</a>
          <a href={href({ page: 'calendar' })}>{t('org.calendar.nav')}</a>
          <a href={href({ page: 'statistics' })}>{t('org.stats.nav')}</a>
        </nav>
        <div className="org__tools">
          <LanguageSwitch />
          <button type="button" className="btn btn--small" onClick={api.logout}>
            {t('login.logout')}
          </button>
        </div>
      </header>
      <main className="org__main">
        {route.page === 'meetings' ? <MeetingsPage /> : null}
        {route.page === 'new' ? <MeetingEditor meetingId={null} /> : null}
        {route.page === 'calendar' ? <CalendarPage /> : null}
        {route.page === 'statistics' ? <StatisticsPage /> : null}
        {route.page === 'meeting' ? <MeetingEditor key={route.id} meetingId={route.id} /> : null}
      </main>
    </div>
  );
}
