import { DOC_CONCLUSION_LOCKED, DOC_MISSING_UPDATES } from '@giaoban/shared';
import { useEffect, useState } from 'react';
import type { Refusal, SyncStatus } from './DocSync';
import { useWorkspace } from './hooks';
import { useWsI18n } from './i18n';
import { workspace } from './workspaceService';

/** After this long without the hub's confirmation, the page says for how long the edits are not saved. */
export const UNSAVED_WARNING_MS = 3000;

/** Seconds since `since`, re-rendered every second while it is set. */
function useSecondsSince(since: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  return since === null ? 0 : Math.max(0, Math.floor((now - since) / 1000));
}

/** The words of a status: what is saved, and for how long something is not. */
function useLabel(status: SyncStatus): { label: string; late: boolean } {
  const { t } = useWsI18n();
  const seconds = useSecondsSince(status.unsavedSince);
  const late = status.unsavedSince !== null && seconds * 1000 >= UNSAVED_WARNING_MS;
  switch (status.state) {
    case 'saved':
      return { label: t('ws.save.saved'), late: false };
    case 'unsaved':
      return { label: t('ws.save.unsaved', { seconds }), late: true };
    case 'saving':
      return late
        ? { label: t('ws.save.late', { seconds, count: status.pending }), late }
        : { label: t('ws.save.saving', { count: status.pending }), late };
    case 'offline':
      if (status.pending === 0 && status.unsavedSince === null)
        return { label: t('ws.save.offlineClean'), late };
      return late
        ? { label: t('ws.save.offlineLate', { seconds, count: status.pending }), late }
        : { label: t('ws.save.offline', { count: status.pending }), late };
    case 'loading':
      return { label: t('ws.save.loading'), late: false };
  }
}

/** A refusal in the page's language when the hub's reason is one the page knows. */
function refusalText(t: ReturnType<typeof useWsI18n>['t'], refused: Refusal): string {
  if (refused.message.startsWith(DOC_CONCLUSION_LOCKED)) return t('ws.refused.locked');
  if (refused.message.includes(DOC_MISSING_UPDATES)) return t('ws.refused.missing');
  return t('ws.refused', { code: refused.code, message: refused.message });
}

/**
 * Saved / saving / offline / not saved, announced to screen readers: "saved" only when the hub's
 * state vector covers everything this page has; a few seconds after an edit the hub has not
 * confirmed, it says for how long. Also any change the hub refused, and a failing local store.
 */
export function SaveIndicator() {
  const { t } = useWsI18n();
  const status = useWorkspace((s) => s.status);
  const { label, late } = useLabel(status);
  return (
    <div className="ws-save">
      <span
        className={`ws-save__state ws-save__state--${status.state}${late ? ' ws-save__state--late' : ''}`}
        role="status"
        aria-live="polite"
        data-testid="save-state"
        data-state={status.state}
        data-late={late ? 'true' : 'false'}
      >
        {label}
      </span>
      {status.localStoreFailed ? (
        <div className="ws-alert" role="alert" data-testid="local-store-failed">
          {t('ws.save.localFailed')}
        </div>
      ) : null}
      {status.refused ? (
        <div className="ws-alert" role="alert" data-testid="save-refused">
          {refusalText(t, status.refused)}{' '}
          <button type="button" className="btn btn--small" onClick={() => workspace.dismissRefusal()}>
            {t('ws.refused.dismiss')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
