import { isModerator } from '@giaoban/shared';
import { useEffect } from 'react';
import { AudioOutput } from '../../components/AudioOutput';
import { StatusScreen } from '../../components/StatusScreen';
import { useI18n } from '../../i18n/i18n';
import { takeJoinToken } from '../../services/joinToken';
import type { RequestError } from '../../services/request';
import { session } from '../../services/session';
import { formatDateTime } from '../../state/format';
import { useMeeting } from '../../state/hooks';
import { meetingStore } from '../../state/meetingState';
import { ConsoleView } from '../console/ConsoleView';
import { ObserverView } from '../observer/ObserverView';
import { SecretaryView } from '../secretary/SecretaryView';
import { SiteView } from '../site/SiteView';
import { TechnicianWindow } from '../site/TechnicianWindow';
import { isTechnicianWindow } from '../site/technicianChannel';
import { WaitingRoom } from './WaitingRoom';

/** Why the page is not in the meeting: a clear message and a way on. */
function ClosedScreen() {
  const { t } = useI18n();
  const reason = useMeeting((s) => s.closedReason ?? 'joinFailed');
  const canRetry = reason === 'replaced' || reason === 'limit' || reason === 'joinFailed';
  return (
    <StatusScreen
      tone={reason === 'meetingEnded' ? 'neutral' : 'error'}
      title={t(`closed.${reason}.title`)}
      testId="closed-screen"
      actions={
        <>
          {canRetry ? (
            <button type="button" className="btn btn--primary" onClick={() => session.retry()}>
              {t(reason === 'replaced' ? 'closed.rejoinHere' : 'common.retry')}
            </button>
          ) : null}
          {reason === 'protocolMismatch' ? (
            <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
              {t('closed.reload')}
            </button>
          ) : null}
        </>
      }
    >
      <p>{t(`closed.${reason}.body`)}</p>
    </StatusScreen>
  );
}

/** Picks the view of the role the join link carries. */
function RoleView() {
  const role = useMeeting((s) => s.self?.role ?? 'observer');
  switch (role) {
    case 'chair':
    case 'operator':
      return <ConsoleView />;
    case 'site':
      return <SiteView />;
    case 'secretary':
      return <SecretaryView />;
    case 'observer':
    case 'organizer':
      return <ObserverView />;
    default: {
      const never: never = role;
      return never;
    }
  }
}

/**
 * The meeting page a join link opens; `/join?technician` is a technician's window of the same
 * computer, which holds no connection of its own (the link allows one) and relays to the room display.
 */
export function MeetingApp() {
  return isTechnicianWindow() ? <TechnicianWindow /> : <MeetingPage />;
}

/** Connects, then shows the waiting room, the role's view, or why not. */
function MeetingPage() {
  const { t, locale } = useI18n();
  const phase = useMeeting((s) => s.phase);
  const hasSnapshot = useMeeting((s) => s.snapshot !== null);
  const status = useMeeting((s) => s.snapshot?.meeting.status ?? null);
  const role = useMeeting((s) => s.self?.role ?? null);
  const endedAt = useMeeting((s) => s.snapshot?.meeting.endedAt ?? null);

  useEffect(() => {
    // The serialisable state and the request function, for support staff and browser tests
    // (the page can already do anything its link allows; the server checks every request).
    (globalThis as { giaoban?: unknown }).giaoban = {
      state: () => meetingStore.get(),
      request: (event: string, payload: unknown) =>
        session.request(event as never, payload as never).then(
          (data) => ({ ok: true, data }),
          (error: RequestError) => ({ ok: false, error: { code: error.code, message: error.message } }),
        ),
    };
    const token = takeJoinToken();
    if (token) session.start(token);
    else meetingStore.set({ phase: 'closed', closedReason: 'noToken' });
    return () => session.stop();
  }, []);

  let content: React.ReactNode;
  if (phase === 'closed') content = <ClosedScreen />;
  else if (!hasSnapshot || phase === 'idle') {
    content = (
      <StatusScreen
        busy
        title={t(phase === 'reconnecting' ? 'conn.lost' : 'conn.connecting')}
        testId="connecting-screen"
      >
        <p>{t('conn.connectingBody')}</p>
      </StatusScreen>
    );
  } else if (status === 'ended' && role !== 'secretary') {
    // Secretaries keep their workspace after the end: they finalise conclusions and export the notice.
    content = (
      <StatusScreen title={t('ended.title')} testId="ended-screen">
        <p>{endedAt ? t('ended.at', { at: formatDateTime(endedAt, locale) }) : t('ended.body')}</p>
      </StatusScreen>
    );
  } else if (status === 'scheduled' && role && !isModerator(role) && role !== 'secretary') {
    content = <WaitingRoom />;
  } else content = <RoleView />;

  return (
    <>
      {content}
      <AudioOutput />
    </>
  );
}
