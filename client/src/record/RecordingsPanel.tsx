import {
  type RecordingEntry,
  type RecordingList,
  type RecordingRetention,
  recordingPaths,
  slidePaths,
} from '@giaoban/shared';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { localeStore } from '../i18n/i18n';
import { formatElapsed, formatNumber } from '../state/format';
import { useStore } from '../state/store';
import { useRecordI18n } from './i18n';
import { pageAt, retentionForm, segmentAt, vietnamToday } from './playbackView';
import './recording.css';

/** "14:05 05/12/2026", Vietnam's local time like the exports. */
const timeOf = (iso: string | null): string =>
  iso
    ? new Date(iso).toLocaleString('vi-VN', {
        timeZone: 'Asia/Ho_Chi_Minh',
        hour12: false,
        hour: '2-digit',
        minute: '2-digit',
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
      })
    : '—';

async function fetchJson<T>(method: string, path: string, token: string, body?: unknown): Promise<T | null> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? res.statusText);
  }
  return res.status === 204 ? null : ((await res.json()) as T);
}

/**
 * Playback of a meeting's recordings (organizers and the meeting's secretaries): a video player
 * over the finished segments with the slide page that was on screen beside it (following playback
 * and seeks), the chapter list (agenda items, floor turns, pages) that seeks to the right segment
 * and second, each recording's expiry, a download link per segment and the whole record as a ZIP;
 * for the organizer, deletion and how long the meeting's recordings are kept. `token` is the
 * organizer's session or the secretary's join link.
 */
export function RecordingsPanel({
  meetingId,
  token,
  mayDelete,
}: {
  meetingId: string;
  token: string;
  mayDelete: boolean;
}) {
  const { t } = useRecordI18n();
  const locale = useStore(localeStore, (s) => s.locale);
  const [list, setList] = useState<RecordingList | null>(null);
  const recordings = list?.recordings ?? null;
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState<{ recordingId: string; index: number; at: number } | null>(null);
  /** Seconds into the playing recording (its segment's start plus the video's time). */
  const [position, setPosition] = useState(0);
  const [brokenPage, setBrokenPage] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);

  const load = useCallback(() => {
    fetchJson<RecordingList>('GET', recordingPaths.list(meetingId), token).then(
      (r) => setList(r),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [meetingId, token]);
  useEffect(load, [load]);

  const withToken = (path: string) => `${path}?token=${encodeURIComponent(token)}`;
  const src = (recordingId: string, file: string) =>
    withToken(recordingPaths.segment(meetingId, recordingId, file));

  /** Plays a recording from `seconds` into it: the segment that holds that second, at its offset. */
  const seek = (entry: RecordingEntry, seconds: number) => {
    const at = segmentAt(entry, seconds);
    if (!at) return;
    setPlaying({ recordingId: entry.recordingId, ...at });
    setPosition(seconds);
  };

  const current = recordings?.find((r) => r.recordingId === playing?.recordingId) ?? null;
  const segment = current && playing ? current.segments[playing.index] : undefined;
  const slide = current ? pageAt(current.chapters, position * 1000) : null;
  const slideKey = slide ? `${slide.documentId}/${slide.page}` : null;
  /** Follows the video (playing, or moved by its own controls): the time in the whole recording. */
  const follow = () => {
    const v = video.current;
    if (v && segment) setPosition(segment.startS + v.currentTime);
  };

  useEffect(() => {
    const v = video.current;
    if (!v || !playing) return;
    const start = () => {
      v.currentTime = playing.at;
      void v.play().catch(() => {});
    };
    // A chapter in the segment already loaded: no new metadata will come, seek now.
    if (v.readyState >= HTMLMediaElement.HAVE_METADATA) {
      start();
      return;
    }
    v.addEventListener('loadedmetadata', start, { once: true });
    return () => v.removeEventListener('loadedmetadata', start);
  }, [playing]);

  const expiry = (entry: RecordingEntry) => {
    const meeting = list?.retention.meeting;
    if (!entry.expiresAt) return t('recordings.keptForever');
    // The organizer's own last day reads as that day, not as the midnight after it.
    if (meeting?.mode === 'until')
      return t('recordings.expiresDay', { day: meeting.keepUntil.split('-').reverse().join('/') });
    return t('recordings.expires', { time: timeOf(entry.expiresAt) });
  };

  const remove = async (entry: RecordingEntry) => {
    try {
      await fetchJson('DELETE', recordingPaths.recording(meetingId, entry.recordingId), token);
      if (playing?.recordingId === entry.recordingId) setPlaying(null);
      load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <section className="recordings" aria-label={t('recordings.title')} data-testid="recordings-panel">
      <h3>{t('recordings.title')}</h3>
      {error ? <p role="alert">{t('recordings.error', { message: error })}</p> : null}
      <p>
        <a href={withToken(recordingPaths.bundle(meetingId))} download>
          {t('recordings.bundle')}
        </a>
      </p>
      {mayDelete && list ? (
        <RetentionForm
          key={JSON.stringify(list.retention.meeting)}
          meeting={list.retention.meeting}
          defaultDays={list.retention.defaultDays}
          onSave={async (retention) => {
            try {
              setList(
                await fetchJson<RecordingList>('PUT', recordingPaths.retention(meetingId), token, retention),
              );
              setError(null);
            } catch (e) {
              setError(e instanceof Error ? e.message : String(e));
            }
          }}
        />
      ) : null}
      {recordings && recordings.length === 0 ? <p>{t('recordings.none')}</p> : null}
      {current && segment && playing ? (
        <div className="recordings__player">
          {/* A recording has no captions: it is the meeting's own sound and picture. */}
          {/* biome-ignore lint/a11y/useMediaCaption: no caption track exists for a live recording */}
          <video
            ref={video}
            key={`${current.recordingId}/${segment.file}`}
            src={src(current.recordingId, segment.file)}
            controls
            aria-label={t('recordings.player')}
            onTimeUpdate={follow}
            onSeeked={follow}
            onEnded={() => {
              if (playing.index + 1 < current.segments.length)
                setPlaying({ ...playing, index: playing.index + 1, at: 0 });
            }}
          />
          <figure
            className="recordings__slide"
            aria-label={t('recordings.slide')}
            data-testid="recording-slide"
          >
            {slide && slideKey !== brokenPage ? (
              <img
                key={slideKey}
                src={withToken(slidePaths.page(slide.documentId, slide.page))}
                alt={t('recordings.slide.image', { label: slide.label })}
                data-document={slide.documentId}
                data-page={slide.page}
                onError={() => setBrokenPage(slideKey)}
              />
            ) : null}
            <figcaption>
              {slide
                ? slideKey === brokenPage
                  ? t('recordings.slide.missing', { label: slide.label })
                  : slide.label
                : t('recordings.slide.none')}
            </figcaption>
          </figure>
        </div>
      ) : null}
      {recordings?.map((entry) => (
        <article key={entry.recordingId} className="recordings__item">
          <h4>
            {t('recordings.item', {
              time: timeOf(entry.startedAt),
              segments: entry.segments.length,
              size: `${formatNumber(Math.round(entry.bytes / 1e6), locale)} MB`,
            })}
          </h4>
          <p className="recordings__expiry">{expiry(entry)}</p>
          <nav aria-label={t('recordings.chapters')}>
            <ol className="recordings__chapters">
              {entry.chapters.map((c) => (
                <li key={`${c.kind}-${c.atMs}-${c.label}`}>
                  <button
                    type="button"
                    className="btn btn--small"
                    aria-label={t('recordings.seek', { time: formatElapsed(c.atMs), label: c.label })}
                    onClick={() => seek(entry, c.atMs / 1000)}
                  >
                    {formatElapsed(c.atMs)} · {c.label}
                  </button>
                </li>
              ))}
            </ol>
          </nav>
          <ul className="recordings__segments">
            {entry.segments.map((s, i) => (
              <li key={s.file}>
                <button type="button" className="btn btn--small" onClick={() => seek(entry, s.startS)}>
                  {formatElapsed(s.startS * 1000)}
                </button>{' '}
                <a href={src(entry.recordingId, s.file)} download={s.file}>
                  {t('recordings.download', { n: i + 1 })}
                </a>
              </li>
            ))}
          </ul>
          {mayDelete ? (
            <button type="button" className="btn btn--danger" onClick={() => void remove(entry)}>
              {t('recordings.delete', { time: timeOf(entry.startedAt) })}
            </button>
          ) : null}
        </article>
      ))}
    </section>
  );
}

/** The organizer's "keep until" setting for the meeting's recordings. */
function RetentionForm({
  meeting,
  defaultDays,
  onSave,
}: {
  meeting: RecordingRetention;
  defaultDays: number;
  onSave: (retention: RecordingRetention) => Promise<void>;
}) {
  const { t } = useRecordI18n();
  const today = vietnamToday(Date.now());
  const [form, setForm] = useState(() => retentionForm(meeting, today));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void onSave(form.mode === 'until' ? { mode: 'until', keepUntil: form.keepUntil } : { mode: form.mode });
  };
  const option = (mode: RecordingRetention['mode'], label: string) => (
    <label>
      <input
        type="radio"
        name="recording-retention"
        value={mode}
        checked={form.mode === mode}
        onChange={() => setForm({ ...form, mode })}
      />{' '}
      {label}
    </label>
  );
  return (
    <form className="recordings__retention" onSubmit={submit}>
      <fieldset>
        <legend>{t('recordings.retention')}</legend>
        {option(
          'default',
          t('recordings.retention.default', {
            days:
              defaultDays > 0
                ? t('recordings.retention.defaultDays', { n: defaultDays })
                : t('recordings.retention.defaultNever'),
          }),
        )}
        <span className="recordings__until">
          {option('until', t('recordings.retention.until'))}{' '}
          <input
            type="date"
            aria-label={t('recordings.retention.untilDate')}
            min={today}
            value={form.keepUntil}
            onChange={(e) => setForm({ mode: 'until', keepUntil: e.target.value })}
          />
        </span>
        {option('forever', t('recordings.retention.forever'))}
        <button type="submit" className="btn btn--small">
          {t('recordings.retention.save')}
        </button>
      </fieldset>
    </form>
  );
}
