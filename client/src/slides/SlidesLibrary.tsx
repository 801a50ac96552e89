import type { SlideDocument } from '@giaoban/shared';
import { useEffect, useId, useRef, useState } from 'react';
import { useMeeting } from '../state/hooks';
import { useStore } from '../state/store';
import { type SlidesKey, useSlidesI18n } from './i18n';
import { slides } from './slidesService';
import { slidesStore } from './slidesState';

const ACCEPT =
  '.pdf,.pptx,.odp,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.presentationml.presentation,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.presentation,application/vnd.oasis.opendocument.text';

/** A document's conversion status in words, with a progress bar while it converts. */
function DocumentStatus({ doc }: { doc: SlideDocument }) {
  const { t } = useSlidesI18n();
  switch (doc.status) {
    case 'queued':
      return <span className="slides__status">{t('slides.status.queued')}</span>;
    case 'converting':
      return (
        <span className="slides__status">
          {doc.pageCount > 0
            ? t('slides.status.convertingPages', { done: doc.pagesDone, count: doc.pageCount })
            : t('slides.status.converting')}
          <progress max={Math.max(1, doc.pageCount)} value={doc.pagesDone} />
        </span>
      );
    case 'ready':
      return <span className="slides__status">{t('slides.status.ready', { count: doc.pageCount })}</span>;
    case 'failed':
      return (
        <span className="slides__status slides__status--failed" role="status">
          {t('slides.status.failed')}: {t(`slides.failure.${doc.failure ?? 'converter'}` as SlidesKey)}
        </span>
      );
    default: {
      const never: never = doc.status;
      return never;
    }
  }
}

/** Upload control of the presenter: a file picker, the XHR's progress, a refusal in words. */
function UploadControl() {
  const { t } = useSlidesI18n();
  const upload = useStore(slidesStore, (s) => s.upload);
  const input = useRef<HTMLInputElement>(null);
  const hint = useId();
  return (
    <div className="slides__upload">
      <label className="btn btn--small">
        {t('slides.upload')}
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          aria-describedby={hint}
          className="slides__file"
          disabled={upload !== null && upload.error === null}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) slides.upload(file);
            e.target.value = '';
          }}
        />
      </label>
      <span id={hint} className="slides__hint">
        {t('slides.uploadHint')}
      </span>
      {upload ? (
        <div className="slides__uploading" role="status" data-testid="slides-upload">
          {upload.error ? (
            <>
              <span className="slides__status--failed">
                {upload.name}: {t(`slides.failure.${upload.error}` as SlidesKey)}
              </span>
              <button type="button" className="btn btn--small" onClick={() => slides.dismissUpload()}>
                ×
              </button>
            </>
          ) : (
            <>
              {t('slides.uploading', {
                name: upload.name,
                percent: upload.total ? Math.round((upload.loaded / upload.total) * 100) : 0,
              })}
              <progress max={Math.max(1, upload.total)} value={upload.loaded} />
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}

/**
 * The meeting's documents for the presenter and the moderators: status and progress of each,
 * a button to put a converted one on every screen, uploads, and (moderators) who presents.
 */
export function SlidesLibrary({ presenting }: { presenting: boolean }) {
  const { t } = useSlidesI18n();
  const documents = useMeeting((s) => s.snapshot?.slides?.documents ?? []);
  const showing = useMeeting((s) => s.snapshot?.slides?.showing?.documentId ?? null);
  const presenter = useMeeting((s) => s.snapshot?.slides?.presenter ?? null);
  const sites = useMeeting((s) => s.snapshot?.sites ?? []);
  const role = useMeeting((s) => s.self?.role);
  const items = useMeeting((s) => s.snapshot?.agenda.items ?? []);
  const moderator = role === 'chair' || role === 'operator';
  const presenterId = useId();
  const busy = documents.some((d) => d.status === 'queued' || d.status === 'converting');
  const uploading = useStore(slidesStore, (s) => s.upload !== null);
  const [open, setOpen] = useState(false);
  // Opens by itself while something uploads or converts, so its progress (and then its "present"
  // button) is in view; closing stays the user's choice.
  useEffect(() => {
    if (busy || uploading) setOpen(true);
  }, [busy, uploading]);

  return (
    <details
      className="slides__library"
      open={open}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>{t('slides.library', { count: documents.length })}</summary>
      {moderator ? (
        <div className="slides__presenter">
          <label htmlFor={presenterId}>{t('slides.presenter')}</label>
          <select
            id={presenterId}
            value={presenter?.kind === 'site' ? presenter.siteId : ''}
            onChange={(e) => void slides.setPresenter(e.target.value || null)}
          >
            <option value="">{t('slides.presenter.moderators')}</option>
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {documents.length === 0 ? <p className="slides__hint">{t('slides.noDocuments')}</p> : null}
      <ul className="slides__docs">
        {documents.map((doc) => (
          <li key={doc.id} className="slides__doc" data-testid="slides-document" data-status={doc.status}>
            <span className="slides__docname" title={doc.name}>
              {doc.name}
              {doc.agendaItemId ? (
                <small> · {items.find((i) => i.id === doc.agendaItemId)?.title ?? ''}</small>
              ) : null}
            </span>
            <DocumentStatus doc={doc} />
            {presenting && doc.status === 'ready' && doc.id !== showing ? (
              <button
                type="button"
                className="btn btn--small"
                aria-label={`${t('slides.show')}: ${doc.name}`}
                onClick={() => void slides.show(doc.id)}
              >
                {t('slides.show')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {presenting ? <UploadControl /> : null}
    </details>
  );
}
