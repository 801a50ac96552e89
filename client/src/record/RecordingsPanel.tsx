import { type RecordingEntry, recordingPaths } from '@giaoban/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { localeStore } from '../i18n/i18n';
import { formatElapsed, formatNumber } from '../state/format';
import { useStore } from '../state/store';
import { useRecordI18n } from './i18n';
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

async function fetchJson<T>(method: string, path: string, token: string): Promise<T | null> {
  const res = await fetch(path, { method, headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? res.statusText);
  }
  return res.status === 204 ? null : ((await res.json()) as T);
}

/**
 * Playback of a meeting's recordings (organizers and the meeting's secretaries): a video player
 * over the finished segments, the chapter list beside it (agenda items, floor turns, pages) that
 * seeks to the right segment and second, a download link per segment, and deletion for the
 * organizer. `token` is the organizer's session or the secretary's join link.
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
  const [recordings, setRecordings] = useState<RecordingEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState<{ recordingId: string; index: number; at: number } | null>(null);
  const video = useRef<HTMLVideoElement>(null);

  const load = useCallback(() => {
    fetchJson<{ recordings: RecordingEntry[] }>('GET', recordingPaths.list(meetingId), token).then(
      (r) => setRecordings(r?.recordings ?? []),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [meetingId, token]);
  useEffect(load, [load]);

  const src = (recordingId: string, file: string) =>
    `${recordingPaths.segment(meetingId, recordingId, file)}?token=${encodeURIComponent(token)}`;

  /** Plays a recording from `seconds` into it: the segment that holds that second, at its offset. */
  const seek = (entry: RecordingEntry, seconds: number) => {
    const index = Math.max(
      0,
      entry.segments.findIndex((s) => seconds < s.endS),
    );
    const segment = entry.segments[index];
    if (!segment) return;
    setPlaying({ recordingId: entry.recordingId, index, at: Math.max(0, seconds - segment.startS) });
  };

  const current = recordings?.find((r) => r.recordingId === playing?.recordingId) ?? null;
  const segment = current && playing ? current.segments[playing.index] : undefined;

  useEffect(() => {
    const v = video.current;
    if (!v || !playing) return;
    const start = () => {
      v.currentTime = playing.at;
      void v.play().catch(() => {});
    };
    v.addEventListener('loadedmetadata', start, { once: true });
    return () => v.removeEventListener('loadedmetadata', start);
  }, [playing]);

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
            onEnded={() => {
              if (playing.index + 1 < current.segments.length)
                setPlaying({ ...playing, index: playing.index + 1, at: 0 });
            }}
          />
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
