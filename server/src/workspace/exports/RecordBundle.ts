import type { Writable } from 'node:stream';
import type { RecordingLibrary } from '../../record/RecordingLibrary.js';
import type { ExportedFile, ExportFile } from './ExportService.js';
import { ZipStream } from './ZipStream.js';

/**
 * The record's documents in the bundle: DOCX and CSV (the PDFs are the same documents converted by
 * LibreOffice, seconds each; they stay single downloads).
 */
export const BUNDLE_FILES = [
  'minutes.docx',
  'notice.docx',
  'attendance.docx',
  'attendance.csv',
  'chat.csv',
  'audit.csv',
] as const satisfies readonly ExportFile[];

/** The folder of the recordings inside the bundle: `recordings/<recordingId>/seg-00000.mkv`, chapters.json. */
export const RECORDINGS_FOLDER = 'recordings';

/** What a bundle holds, gathered before anything is sent (so a refusal is still a clean HTTP error). */
export interface RecordBundle {
  readonly documents: readonly ExportedFile[];
  /** Each recording's files on disk and their names in the bundle. */
  readonly recordings: readonly { readonly name: string; readonly path: string }[];
}

/**
 * Gathers the meeting's record: its rendered documents and, when `withRecordings`, every
 * recording's finished segments (Matroska, as recorded) and chapters.json.
 */
export async function gatherRecordBundle(
  meetingId: string,
  render: (meetingId: string, file: ExportFile) => Promise<ExportedFile>,
  library: RecordingLibrary,
  withRecordings: boolean,
): Promise<RecordBundle> {
  const documents: ExportedFile[] = [];
  for (const file of BUNDLE_FILES) documents.push(await render(meetingId, file));
  const recordings: { name: string; path: string }[] = [];
  if (withRecordings) {
    for (const r of await library.list(meetingId)) {
      for (const s of r.segments) {
        const path = await library.segmentPath(meetingId, r.recordingId, s.file);
        if (path) recordings.push({ name: `${RECORDINGS_FOLDER}/${r.recordingId}/${s.file}`, path });
      }
      const chapters = await library.chaptersPath(meetingId, r.recordingId);
      if (chapters)
        recordings.push({ name: `${RECORDINGS_FOLDER}/${r.recordingId}/chapters.json`, path: chapters });
    }
  }
  return { documents, recordings };
}

/** Streams the bundle as a ZIP to `out` (stored entries; the video is read from disk as it goes). */
export async function writeRecordBundle(bundle: RecordBundle, out: Writable): Promise<number> {
  const zip = new ZipStream(out);
  for (const d of bundle.documents) await zip.addBuffer(d.filename, d.bytes);
  for (const r of bundle.recordings) await zip.addFile(r.name, r.path);
  await zip.finish();
  return zip.bytes;
}
