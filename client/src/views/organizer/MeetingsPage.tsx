import { type MessageKey, useI18n } from '../../i18n/i18n';
import { api } from '../../services/api';
import { formatDateTime } from '../../state/format';
import { href } from './router';
import { apiErrorKey, useAsync } from './useAsync';

/** The organizer's meetings, newest first. */
export function MeetingsPage() {
  const { t, locale } = useI18n();
  const meetings = useAsync(() => api.meetings(), 'meetings');
  const list = [...(meetings.data ?? [])].sort((a, b) => b.meeting.scheduledAt - a.meeting.scheduledAt);
  return (
    <section className="org-page" aria-labelledby="meetings-title">
      <div className="org-page__head">
        <h1 id="meetings-title">{t('org.meetings.title')}</h1>
        <a className="btn btn--primary" href={href({ page: 'new' })}>
          {t('org.meetings.new')}
        </a>
      </div>
      {meetings.loading && !meetings.data ? <p className="empty">{t('common.loading')}</p> : null}
      {meetings.error ? (
        <p className="form-error" role="alert">
          {t(apiErrorKey(meetings.error) as MessageKey)}{' '}
          <button type="button" className="btn btn--small" onClick={meetings.reload}>
            {t('common.retry')}
          </button>
        </p>
      ) : null}
      {meetings.data && list.length === 0 ? <p className="empty">{t('org.meetings.none')}</p> : null}
      {list.length > 0 ? (
        <table className="table table--org">
          <thead>
            <tr>
              <th scope="col">{t('org.meeting.title')}</th>
              <th scope="col">{t('org.meeting.scheduledAt')}</th>
              <th scope="col">{t('org.meetings.status')}</th>
              <th scope="col" className="num">
                {t('org.meetings.sites')}
              </th>
              <th scope="col" className="num">
                {t('org.meetings.items')}
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map(({ meeting, sites, agenda }) => (
              <tr key={meeting.id}>
                <th scope="row">
                  <a href={href({ page: 'meeting', id: meeting.id })}>{meeting.title}</a>
                </th>
                <td>{formatDateTime(meeting.scheduledAt, locale)}</td>
                <td>
                  <span className={`pill pill--${meeting.status}`}>{t(`status.${meeting.status}`)}</span>
                </td>
                <td className="num">{sites.length}</td>
                <td className="num">{agenda.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
