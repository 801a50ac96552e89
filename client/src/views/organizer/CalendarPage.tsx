import type { DirectorySite, MeetingDeadlines, Recurrence } from '@giaoban/shared';
import { type FormEvent, useState } from 'react';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { ApiError, api } from '../../services/api';
import { fromVietnamDateTimeInput, toVietnamDateTimeInput, vietnamMorning } from '../../state/format';
import { layOutDays, noticeKey } from './calendarView';
import { href } from './router';
import { scheduleApi } from './scheduleApi';
import { apiErrorKey, useAsync } from './useAsync';

const DAY = 86_400_000;
const WINDOW_DAYS = 14;

/** Monday 00:00 (Vietnam) of the week holding `at`. */
function weekStart(at: number): number {
  const vn = new Date(at + 7 * 3600_000);
  const day = (vn.getUTCDay() + 6) % 7;
  return Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth(), vn.getUTCDate() - day) - 7 * 3600_000;
}

/**
 * The organizer's calendar (lịch hội nghị): two weeks of meetings per bridge point with holidays
 * and days off, booking with clash detection and recurring briefings, and the conclusion-notice
 * tracker (5 working days, overdue flagged).
 */
export function CalendarPage() {
  const { t, locale } = useI18n();
  const [from, setFrom] = useState(() => weekStart(Date.now()));
  const [siteId, setSiteId] = useState('');
  const to = from + WINDOW_DAYS * DAY;
  const sites = useAsync(() => api.sites(), 'sites');
  const entries = useAsync(
    () => scheduleApi.bookings(from, to, siteId || undefined),
    `bookings:${from}:${siteId}`,
  );
  const years = [...new Set([new Date(from).getUTCFullYear(), new Date(to).getUTCFullYear()])];
  const holidays = useAsync(
    () =>
      Promise.all(years.map((y) => scheduleApi.holidays(y))).then((ys) => ys.flatMap((y) => y.exceptions)),
    `holidays:${years.join(',')}`,
  );
  const days = layOutDays(from, WINDOW_DAYS, entries.data ?? [], holidays.data ?? []);
  // The calendar is laid out in Vietnamese days and hours, wherever the browser is.
  const time = new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  const dayName = new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    weekday: 'short',
    day: '2-digit',
    month: '2-digit',
    timeZone: 'Asia/Ho_Chi_Minh',
  });

  return (
    <section className="org-page" aria-labelledby="calendar-title">
      <div className="org-page__head">
        <h1 id="calendar-title">{t('org.calendar.title')}</h1>
      </div>
      <div className="org-calendar__tools">
        <label htmlFor="cal-site">{t('org.calendar.site')}</label>
        <select id="cal-site" value={siteId} onChange={(e) => setSiteId(e.target.value)}>
          <option value="">{t('org.calendar.allSites')}</option>
          {(sites.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn--small" onClick={() => setFrom(from - WINDOW_DAYS * DAY)}>
          {t('org.calendar.prev')}
        </button>
        <button type="button" className="btn btn--small" onClick={() => setFrom(from + WINDOW_DAYS * DAY)}>
          {t('org.calendar.next')}
        </button>
      </div>
      {entries.error ? (
        <p className="form-error" role="alert">
          {t(apiErrorKey(entries.error) as MessageKey)}
        </p>
      ) : null}
      <ol className="org-calendar" aria-label={t('org.calendar.days')}>
        {days.map((d) => (
          <li
            key={d.date}
            className={`org-calendar__day${d.off ? ' org-calendar__day--off' : ''}`}
            data-testid={`day-${d.date}`}
          >
            <div className="org-calendar__date">
              <strong>{dayName.format(Date.parse(`${d.date}T05:00:00Z`))}</strong>
              {d.holiday?.off ? <span className="pill">{d.holiday.name}</span> : null}
              {d.off && !d.holiday ? (
                <span className="org-calendar__offword">{t('org.calendar.dayOff')}</span>
              ) : null}
            </div>
            {d.entries.length === 0 ? null : (
              <ul className="org-calendar__entries">
                {d.entries.map((e) => (
                  <li key={e.meetingId}>
                    <span className="org-calendar__time">
                      {time.format(e.start)}–{time.format(e.end)}
                    </span>{' '}
                    <a href={href({ page: 'meeting', id: e.meetingId })}>{e.title}</a>{' '}
                    <span className={`pill pill--${e.status}`}>{t(`status.${e.status}`)}</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      <BookingForm sites={sites.data ?? []} onBooked={entries.reload} />
      <NoticeTracker />
    </section>
  );
}

/** Books a meeting or a recurring briefing; a clash is shown with the hub's reason. */
function BookingForm({ sites, onBooked }: { sites: readonly DirectorySite[]; onBooked: () => void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState('');
  const [at, setAt] = useState(() => toVietnamDateTimeInput(vietnamMorning(Date.now(), 7)));
  const [minutes, setMinutes] = useState(120);
  const [host, setHost] = useState('');
  const [invited, setInvited] = useState<string[]>([]);
  const [every, setEvery] = useState<'' | Recurrence['every']>('');
  const [count, setCount] = useState(4);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const hostId = host || sites[0]?.id || '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const scheduledAt = fromVietnamDateTimeInput(at);
    if (scheduledAt === null) return;
    setBusy(true);
    setResult(null);
    try {
      const booked = await scheduleApi.book({
        title,
        scheduledAt,
        plannedMinutes: minutes,
        hostSiteId: hostId as never,
        invitedSiteIds: invited.filter((s) => s !== hostId) as never,
        ...(every ? { recurrence: { every, count } } : {}),
      });
      setResult({ ok: true, text: t('org.book.booked', { n: booked.meetingIds.length }) });
      onBooked();
    } catch (err) {
      const clash = err instanceof ApiError && err.code === 'CONFLICT';
      setResult({
        ok: false,
        text: clash ? `${t('org.book.clash')} ${err.message}` : t(apiErrorKey(err) as MessageKey),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="org-form" aria-labelledby="book-title" onSubmit={(e) => void submit(e)}>
      <h2 id="book-title">{t('org.book.title')}</h2>
      <div className="field field--wide">
        <label htmlFor="b-title">{t('org.meeting.title')}</label>
        <input
          id="b-title"
          value={title}
          required
          maxLength={300}
          onChange={(e) => setTitle(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="b-at">{t('org.meeting.scheduledAtVietnam')}</label>
        <input id="b-at" type="datetime-local" value={at} required onChange={(e) => setAt(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="b-minutes">{t('org.book.minutes')}</label>
        <input
          id="b-minutes"
          type="number"
          min={1}
          max={1440}
          value={minutes}
          onChange={(e) => setMinutes(Number(e.target.value))}
        />
      </div>
      <div className="field">
        <label htmlFor="b-host">{t('org.meeting.host')}</label>
        <select id="b-host" value={hostId} onChange={(e) => setHost(e.target.value)}>
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field field--wide">
        <label htmlFor="b-invited">{t('org.book.invited')}</label>
        <select
          id="b-invited"
          multiple
          size={6}
          value={invited}
          onChange={(e) => setInvited([...e.target.selectedOptions].map((o) => o.value))}
        >
          {sites
            .filter((s) => s.id !== hostId)
            .map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="b-repeat">{t('org.book.recurrence')}</label>
        <select id="b-repeat" value={every} onChange={(e) => setEvery(e.target.value as typeof every)}>
          <option value="">{t('org.book.once')}</option>
          <option value="month">{t('org.book.monthly')}</option>
          <option value="quarter">{t('org.book.quarterly')}</option>
        </select>
      </div>
      {every ? (
        <div className="field">
          <label htmlFor="b-count">{t('org.book.count')}</label>
          <input
            id="b-count"
            type="number"
            min={2}
            max={24}
            value={count}
            onChange={(e) => setCount(Number(e.target.value))}
          />
        </div>
      ) : null}
      <div className="org-form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy || !title.trim()}>
          {t('org.book.submit')}
        </button>
      </div>
      {result ? (
        <p className={result.ok ? 'form-ok' : 'form-error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      ) : null}
    </form>
  );
}

/** Ended meetings against their notice deadline; overdue ones are flagged and listed first. */
function NoticeTracker() {
  const { t, locale } = useI18n();
  const deadlines = useAsync(() => scheduleApi.deadlines(), 'deadlines');
  const [refs, setRefs] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const order = { overdue: 0, pending: 1, issuedLate: 2, issued: 3, notEnded: 4 } as const;
  const rows = (deadlines.data ?? [])
    .filter((d) => d.notice.state !== 'notEnded')
    .sort((a, b) => order[a.notice.state] - order[b.notice.state] || b.scheduledAt - a.scheduledAt);
  const dateFmt = new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'Asia/Ho_Chi_Minh',
  });

  const issue = async (d: MeetingDeadlines) => {
    setError(null);
    try {
      await scheduleApi.issueNotice(d.meetingId, refs[d.meetingId] ?? '');
      deadlines.reload();
    } catch (err) {
      setError(t(apiErrorKey(err) as MessageKey));
    }
  };

  return (
    <section aria-labelledby="notice-title" className="org-notices">
      <h2 id="notice-title">{t('org.notice.title')}</h2>
      <p className="hint">{t('org.notice.hint')}</p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p className="empty">{t('org.notice.none')}</p>
      ) : (
        <table className="table table--org">
          <thead>
            <tr>
              <th scope="col">{t('org.notice.meeting')}</th>
              <th scope="col">{t('org.notice.due')}</th>
              <th scope="col">{t('org.notice.stateCol')}</th>
              <th scope="col">{t('org.notice.reference')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.meetingId} data-testid={`notice-${d.meetingId}`}>
                <th scope="row">
                  <a href={href({ page: 'meeting', id: d.meetingId })}>{d.title}</a>
                  {d.documents.some((x) => x.late) ? (
                    <span className="pill pill--warn">
                      {t('org.notice.lateDocs', { n: d.documents.filter((x) => x.late).length })}
                    </span>
                  ) : null}
                </th>
                <td>{d.notice.dueAt === null ? '' : dateFmt.format(d.notice.dueAt)}</td>
                <td>
                  <span className={`pill pill--notice-${d.notice.state}`}>
                    {t(noticeKey(d.notice.state))}
                  </span>
                  {d.notice.state === 'pending' && d.notice.workingDaysLeft !== null ? (
                    <span> {t('org.notice.daysLeft', { n: d.notice.workingDaysLeft })}</span>
                  ) : null}
                </td>
                <td>
                  {d.notice.issue ? (
                    d.notice.issue.reference
                  ) : (
                    <span className="org-notices__issue">
                      <input
                        aria-label={`${t('org.notice.reference')} — ${d.title}`}
                        value={refs[d.meetingId] ?? ''}
                        maxLength={200}
                        onChange={(e) => setRefs({ ...refs, [d.meetingId]: e.target.value })}
                      />
                      <button
                        type="button"
                        className="btn btn--small"
                        disabled={!(refs[d.meetingId] ?? '').trim()}
                        onClick={() => void issue(d)}
                      >
                        {t('org.notice.issue')}
                      </button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
