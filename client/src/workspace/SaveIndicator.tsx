import { useWorkspace } from './hooks';
import { useWsI18n } from './i18n';
import { workspace } from './workspaceService';

/** Saved / saving / offline, announced to screen readers; and any change the hub refused. */
export function SaveIndicator() {
  const { t } = useWsI18n();
  const status = useWorkspace((s) => s.status);
  const label =
    status.state === 'saved'
      ? t('ws.save.saved')
      : status.state === 'saving'
        ? t('ws.save.saving', { count: status.pending })
        : status.state === 'offline'
          ? status.pending > 0
            ? t('ws.save.offline', { count: status.pending })
            : t('ws.save.offlineClean')
          : t('ws.save.loading');
  return (
    <div className="ws-save">
      <span
        className={`ws-save__state ws-save__state--${status.state}`}
        role="status"
        aria-live="polite"
        data-testid="save-state"
        data-state={status.state}
      >
        {label}
      </span>
      {status.refused ? (
        <div className="ws-alert" role="alert" data-testid="save-refused">
          {t('ws.refused', { code: status.refused.code, message: status.refused.message })}{' '}
          <button type="button" className="btn btn--small" onClick={() => workspace.dismissRefusal()}>
            {t('ws.refused.dismiss')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
