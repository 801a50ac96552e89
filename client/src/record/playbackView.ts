import type { RecordingChapter, RecordingEntry, RecordingRetention } from '@giaoban/shared';

/** The slide page on screen at a moment of a recording (from its page chapters). */
export interface PageAt {
  documentId: string;
  page: number;
  /** The chapter's label ("Báo cáo.pdf — trang 2/4"). */
  label: string;
}

/**
 * The page that was shown `atMs` into the recording: the last page chapter at or before that time,
 * or null before the first one and after slides were taken off the screen (a page chapter without a
 * document).
 */
export function pageAt(chapters: readonly RecordingChapter[], atMs: number): PageAt | null {
  let found: RecordingChapter | null = null;
  for (const c of chapters) {
    if (c.kind !== 'page') continue;
    if (c.atMs > atMs) continue;
    if (!found || c.atMs >= found.atMs) found = c;
  }
  const documentId = found?.detail?.documentId;
  const page = Number(found?.detail?.page);
  if (!found || typeof documentId !== 'string' || !Number.isInteger(page) || page < 1) return null;
  return { documentId, page, label: found.label };
}

/** Where a second of the recording is: the segment that holds it and the offset into that segment. */
export function segmentAt(entry: RecordingEntry, seconds: number): { index: number; at: number } | null {
  if (entry.segments.length === 0) return null;
  const found = entry.segments.findIndex((s) => seconds < s.endS);
  const index = found === -1 ? entry.segments.length - 1 : found;
  const segment = entry.segments[index];
  if (!segment) return null;
  return { index, at: Math.max(0, seconds - segment.startS) };
}

/** The retention form's state from the meeting's setting (the date input holds a day even when unused). */
export function retentionForm(
  meeting: RecordingRetention,
  today: string,
): { mode: RecordingRetention['mode']; keepUntil: string } {
  return { mode: meeting.mode, keepUntil: meeting.mode === 'until' ? meeting.keepUntil : today };
}

/** The day `YYYY-MM-DD` in Vietnam (UTC+7) of an instant: the earliest "keep until" the hub accepts. */
export function vietnamToday(now: number): string {
  return new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);
}
