import { useState } from 'react';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { api } from '../../services/api';

/** What a meeting exports, in the order the organizer needs them. */
const FILES = [
  'minutes.docx',
  'minutes.pdf',
  'notice.docx',
  'notice.pdf',
  'attendance.docx',
  'attendance.pdf',
  'attendance.csv',
] as const;

/** Saves a downloaded file under the hub's (Vietnamese) file name. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The meeting's documents for the organizer: the minutes (biên bản), the conclusion notice and the attendance report. */
export function ExportsPanel({ meetingId, ended }: { meetingId: string; ended: boolean }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (file: string) => {
    setBusy(file);
    setError(null);
    try {
      const { blob, filename } = await api.download(meetingId, file);
      save(blob, filename);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="org-exports" aria-label={t('org.exports.title')} data-testid="exports-panel">
      <p>{t(ended ? 'org.exports.final' : 'org.exports.draft')}</p>
      <div className="org-form__actions">
        {FILES.map((file) => (
          <button
            key={file}
            type="button"
            className="btn"
            disabled={busy !== null}
            aria-busy={busy === file}
            onClick={() => void run(file)}
          >
            {busy === file ? t('org.exports.busy') : t(`org.exports.${file}` as MessageKey)}
          </button>
        ))}
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {t('org.exports.failed', { message: error })}
        </p>
      ) : null}
    </section>
  );
}
