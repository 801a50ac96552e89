import type { AuditEntry } from '@giaoban/shared';
import { useEffect, useState } from 'react';
import { api } from '../services/api';
import { useRecordI18n } from './i18n';

/** "14:05:09 05/12/2026", Vietnam's local time like the exports. */
const timeOf = (at: number): string =>
  new Date(at).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour12: false });

/** Saves a downloaded export under the hub's file name. */
async function saveExport(meetingId: string, file: string): Promise<void> {
  const { blob, filename } = await api.download(meetingId, file);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The organizer's page of the audit log: every moderator and organizer action, oldest first, and the CSVs. */
export function AuditPanel({ meetingId }: { meetingId: string }) {
  const { t } = useRecordI18n();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.audit(meetingId).then(
      (r) => live && setEntries(r.entries),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [meetingId]);
  return (
    <section className="org-audit" aria-label={t('audit.title')} data-testid="audit-panel">
      <div className="org-form__actions">
        <button type="button" className="btn" onClick={() => void saveExport(meetingId, 'audit.csv')}>
          {t('audit.csv')}
        </button>
        <button type="button" className="btn" onClick={() => void saveExport(meetingId, 'chat.csv')}>
          {t('audit.chatCsv')}
        </button>
      </div>
      {error ? <p role="alert">{t('audit.error', { message: error })}</p> : null}
      {entries && entries.length === 0 ? <p>{t('audit.empty')}</p> : null}
      {entries && entries.length > 0 ? (
        <table className="org-table">
          <caption>{t('audit.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.target')}</th>
              <th scope="col">{t('audit.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: an append-only log: the position is the identity
              <tr key={i}>
                <td>{timeOf(e.at)}</td>
                <td>
                  {e.actorName} ({e.actorRole})
                </td>
                <td>{e.action}</td>
                <td>{e.target ?? ''}</td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
