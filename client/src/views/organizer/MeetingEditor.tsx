import type { MeetingSummary } from '@giaoban/shared';
import { useState } from 'react';
import { Tabs } from '../../components/Tabs';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { AuditPanel } from '../../record/AuditPanel';
import { recordTranslate } from '../../record/i18n';
import { RecordingsPanel } from '../../record/RecordingsPanel';
import { api, authStore } from '../../services/api';
import { useStore } from '../../state/store';
import { AgendaEditor } from './AgendaEditor';
import { ExportsPanel } from './ExportsPanel';
import { LinksPanel } from './LinksPanel';
import { MeetingDetailsForm } from './MeetingDetailsForm';
import { ParentLinkForm } from './ParentLinkForm';
import { href, navigate } from './router';
import { SitePicker } from './SitePicker';
import { apiErrorKey, useAsync } from './useAsync';

/** Prepares one meeting: details, invited sites, agenda, join links; its documents after. `meetingId` null creates one. */
export function MeetingEditor({ meetingId }: { meetingId: string | null }) {
  const { t, locale } = useI18n();
  const token = useStore(authStore, (s) => s.session?.token ?? '');
  const directory = useAsync(() => api.sites(), 'directory');
  const summary = useAsync<MeetingSummary | null>(
    () => (meetingId ? api.meeting(meetingId) : Promise.resolve(null)),
    `meeting:${meetingId}`,
  );
  const [tab, setTab] = useState('details');
  const failed = directory.error ?? summary.error;

  if (failed) {
    return (
      <section className="org-page">
        <p className="form-error" role="alert">
          {t(apiErrorKey(failed) as MessageKey)}{' '}
          <button
            type="button"
            className="btn btn--small"
            onClick={() => {
              directory.reload();
              summary.reload();
            }}
          >
            {t('common.retry')}
          </button>
        </p>
        <a href={href({ page: 'meetings' })}>{t('org.back')}</a>
      </section>
    );
  }
  if (!directory.data || (meetingId && !summary.data)) {
    return <p className="empty">{t('common.loading')}</p>;
  }

  const sites = directory.data;
  const data = summary.data;
  if (!data) {
    return (
      <section className="org-page" aria-labelledby="new-title">
        <div className="org-page__head">
          <h1 id="new-title">{t('org.meetings.new')}</h1>
        </div>
        <MeetingDetailsForm
          meeting={null}
          directory={sites}
          onSaved={(saved) =>
            saved?.meeting
              ? navigate({ page: 'meeting', id: saved.meeting.id })
              : navigate({ page: 'meetings' })
          }
        />
      </section>
    );
  }

  const { meeting } = data;
  return (
    <section className="org-page" aria-labelledby="meeting-title">
      <div className="org-page__head">
        <div>
          <a href={href({ page: 'meetings' })}>{t('org.back')}</a>
          <h1 id="meeting-title">{meeting.title}</h1>
        </div>
        <span className={`pill pill--${meeting.status}`}>{t(`status.${meeting.status}`)}</span>
      </div>
      <Tabs
        label={t('org.meeting.sections')}
        selected={tab}
        onSelect={setTab}
        tabs={[
          {
            id: 'details',
            label: t('org.meeting.details'),
            content: (
              <MeetingDetailsForm
                key={meeting.id}
                meeting={meeting}
                directory={sites}
                onSaved={summary.reload}
              />
            ),
          },
          {
            id: 'sites',
            label: t('org.sites.tab', { n: data.sites.length }),
            content: (
              <SitePicker
                key={data.sites.map((s) => s.id).join()}
                meetingId={meeting.id}
                hostSiteId={meeting.hostSiteId}
                directory={sites}
                invited={data.sites.map((s) => s.id)}
                onSaved={summary.reload}
                onDirectoryChanged={directory.reload}
              />
            ),
          },
          {
            id: 'agenda',
            label: t('org.agenda.tab', { n: data.agenda.length }),
            content: (
              <AgendaEditor
                meetingId={meeting.id}
                items={data.agenda}
                sites={data.sites}
                onChanged={summary.reload}
              />
            ),
          },
          {
            id: 'links',
            label: t('org.links.title'),
            content: <LinksPanel meetingId={meeting.id} sites={data.sites} />,
          },
          {
            id: 'parent',
            label: t('org.parent.title'),
            content: <ParentLinkForm meetingId={meeting.id} ended={meeting.status === 'ended'} />,
          },
          {
            id: 'exports',
            label: t('org.exports.title'),
            content: <ExportsPanel meetingId={meeting.id} ended={meeting.status === 'ended'} />,
          },
          {
            id: 'audit',
            label: recordTranslate(locale, 'audit.title'),
            content: <AuditPanel meetingId={meeting.id} />,
          },
          {
            id: 'recordings',
            label: recordTranslate(locale, 'recordings.title'),
            content: <RecordingsPanel meetingId={meeting.id} token={token} mayDelete />,
          },
        ]}
      />
    </section>
  );
}
