import { lazy, Suspense } from 'react';
import { StatusScreen } from './components/StatusScreen';
import { useI18n } from './i18n/i18n';

// Two bundles: a meeting-room PC never loads the organizer pages, and organizers never load mediasoup.
const MeetingApp = lazy(() => import('./views/meeting/MeetingApp').then((m) => ({ default: m.MeetingApp })));
const OrganizerApp = lazy(() =>
  import('./views/organizer/OrganizerApp').then((m) => ({ default: m.OrganizerApp })),
);

function Loading() {
  const { t } = useI18n();
  return <StatusScreen busy title={t('common.loading')} />;
}

/** A join link (`/join#TOKEN`) opens the meeting in its role; every other address is for organizers. */
export function App() {
  return (
    <Suspense fallback={<Loading />}>
      {window.location.pathname.startsWith('/join') ? <MeetingApp /> : <OrganizerApp />}
    </Suspense>
  );
}
