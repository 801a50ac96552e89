import type { RecordingChapter, RecordingEntry } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { pageAt, retentionForm, segmentAt, vietnamToday } from './playbackView';

const chapters: RecordingChapter[] = [
  { kind: 'agenda', atMs: 0, label: '1. Báo cáo', detail: { itemId: 'i1' } },
  { kind: 'page', atMs: 2000, label: 'Báo cáo.pdf — trang 1/3', detail: { documentId: 'd1', page: 1 } },
  { kind: 'floor', atMs: 3000, label: 'Huế', detail: { siteId: 'hue', topic: '' } },
  { kind: 'page', atMs: 5000, label: 'Báo cáo.pdf — trang 2/3', detail: { documentId: 'd1', page: 2 } },
  { kind: 'page', atMs: 9000, label: 'Thôi trình chiếu tài liệu', detail: {} },
];

describe('pageAt()', () => {
  it('is the last page shown at or before the time, none before the first page and after slides were hidden', () => {
    expect(pageAt(chapters, 0)).toBeNull();
    expect(pageAt(chapters, 1999)).toBeNull();
    expect(pageAt(chapters, 2000)).toMatchObject({ documentId: 'd1', page: 1 });
    expect(pageAt(chapters, 4999)).toMatchObject({ documentId: 'd1', page: 1 });
    expect(pageAt(chapters, 5000)).toEqual({ documentId: 'd1', page: 2, label: 'Báo cáo.pdf — trang 2/3' });
    expect(pageAt(chapters, 9000)).toBeNull();
  });
});

describe('segmentAt()', () => {
  const entry: RecordingEntry = {
    recordingId: 'r1',
    startedAt: null,
    bytes: 0,
    chapters: [],
    expiresAt: null,
    segments: [
      { file: 'seg-00000.mkv', startS: 0, endS: 2 },
      { file: 'seg-00001.mkv', startS: 2, endS: 4 },
    ],
  };
  it('finds the segment holding a second and the offset into it; past the end, the last segment', () => {
    expect(segmentAt(entry, 0)).toEqual({ index: 0, at: 0 });
    expect(segmentAt(entry, 2.5)).toEqual({ index: 1, at: 0.5 });
    expect(segmentAt(entry, 10)).toEqual({ index: 1, at: 8 });
    expect(segmentAt({ ...entry, segments: [] }, 1)).toBeNull();
  });
});

describe('retention form', () => {
  it('starts from the meeting setting; the date defaults to today in Vietnam', () => {
    expect(retentionForm({ mode: 'until', keepUntil: '2027-01-31' }, '2026-12-06')).toEqual({
      mode: 'until',
      keepUntil: '2027-01-31',
    });
    expect(retentionForm({ mode: 'default' }, '2026-12-06')).toEqual({
      mode: 'default',
      keepUntil: '2026-12-06',
    });
    expect(vietnamToday(Date.parse('2026-12-05T17:00:00Z'))).toBe('2026-12-06');
  });
});
