import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SEGMENT_LIST } from './MeetingRecorder.js';
import { CHAPTERS_FILE, type Chapter } from './RecordingChapters.js';

/** One recording on disk, as the playback routes list it. */
export interface RecordingEntry {
  readonly recordingId: string;
  /** When it started (chapters.json; the folder's last change when that file is missing). */
  readonly startedAt: string | null;
  /** Finished segments, in order (complete, playable files). */
  readonly segments: readonly { readonly file: string; readonly startS: number; readonly endS: number }[];
  readonly bytes: number;
  readonly chapters: readonly Chapter[];
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const SEGMENT = /^seg-\d{5}\.mkv$/;

/**
 * The recordings of a meeting, one folder each under `<root>/<meetingId>/<recordingId>/`: what the
 * playback routes list (finished segments from segments.csv, chapters.json), serve and delete.
 * Only names it produced itself are accepted, so no request can reach outside the folder.
 */
export class RecordingLibrary {
  constructor(private readonly root: string) {}

  /** The folder a new recording of this meeting writes to. */
  folderOf(meetingId: string, recordingId: string): string {
    if (!ID.test(meetingId) || !ID.test(recordingId)) throw new Error('RecordingLibrary | bad id');
    return join(this.root, meetingId, recordingId);
  }

  /** The meetings that have a recording folder (the retention sweep walks them). */
  async meetings(): Promise<string[]> {
    const ids = await readdir(this.root).catch(() => [] as string[]);
    return ids.filter((id) => ID.test(id));
  }

  /** Every recording of a meeting, oldest first. */
  async list(meetingId: string): Promise<RecordingEntry[]> {
    if (!ID.test(meetingId)) return [];
    const ids = await readdir(join(this.root, meetingId)).catch(() => [] as string[]);
    const entries = await Promise.all(ids.filter((id) => ID.test(id)).map((id) => this.read(meetingId, id)));
    return entries
      .filter((e): e is RecordingEntry => e !== null)
      .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
  }

  /** One recording, or null when there is none. */
  async read(meetingId: string, recordingId: string): Promise<RecordingEntry | null> {
    if (!ID.test(meetingId) || !ID.test(recordingId)) return null;
    const dir = join(this.root, meetingId, recordingId);
    const list = await readFile(join(dir, SEGMENT_LIST), 'utf8').catch(() => null);
    const chaptersText = await readFile(join(dir, CHAPTERS_FILE), 'utf8').catch(() => null);
    if (list === null && chaptersText === null) return null;
    const segments = (list ?? '')
      .split('\n')
      .map((line) => line.split(','))
      .filter(([file]) => file !== undefined && SEGMENT.test(file.trim()))
      .map(([file, start, end]) => ({
        file: (file as string).trim(),
        startS: Number(start ?? 0),
        endS: Number(end ?? 0),
      }));
    let bytes = 0;
    for (const s of segments) bytes += (await stat(join(dir, s.file)).catch(() => null))?.size ?? 0;
    const parsed = chaptersText
      ? (JSON.parse(chaptersText) as { startedAt?: string; chapters?: Chapter[] })
      : { chapters: [] };
    const startedAt = parsed.startedAt ?? (await stat(dir).catch(() => null))?.mtime.toISOString() ?? null;
    return {
      recordingId,
      startedAt,
      segments,
      bytes,
      chapters: parsed.chapters ?? [],
    };
  }

  /** The path of a finished segment to serve, or null (unknown meeting, recording or file name). */
  async segmentPath(meetingId: string, recordingId: string, file: string): Promise<string | null> {
    if (!SEGMENT.test(file)) return null;
    const entry = await this.read(meetingId, recordingId);
    if (!entry?.segments.some((s) => s.file === file)) return null;
    return join(this.root, meetingId, recordingId, file);
  }

  /** The chapters file of a recording (for the export bundle), or null when it has none. */
  async chaptersPath(meetingId: string, recordingId: string): Promise<string | null> {
    if (!ID.test(meetingId) || !ID.test(recordingId)) return null;
    const path = join(this.root, meetingId, recordingId, CHAPTERS_FILE);
    return (await stat(path).catch(() => null))?.isFile() ? path : null;
  }

  /**
   * Deletes a recording's folder (segments, chapters, SDP). Whether this call deleted it: the folder
   * is first renamed out of the library (atomic), so when two hub instances share the folder and
   * both remove the same recording, exactly one gets true (and writes the audit entry).
   */
  async remove(meetingId: string, recordingId: string): Promise<boolean> {
    if (!ID.test(meetingId) || !ID.test(recordingId)) return false;
    const dir = join(this.root, meetingId, recordingId);
    // A name the library never lists (`.` is not in ID), in the same folder, so rename is atomic.
    const doomed = join(this.root, meetingId, `.deleting.${recordingId}.${process.pid}.${Date.now()}`);
    try {
      await rename(dir, doomed);
    } catch {
      return false;
    }
    await rm(doomed, { recursive: true, force: true });
    return true;
  }
}
