import { z } from 'zod';

/** A chapter of a recording: an agenda item opened, a floor turn (speaker and topic), a page shown. */
export const RecordingChapter = z.object({
  kind: z.enum(['agenda', 'floor', 'page']),
  /** Milliseconds since the recording started. */
  atMs: z.number().nonnegative(),
  label: z.string(),
  detail: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type RecordingChapter = z.infer<typeof RecordingChapter>;

/** One finished segment of a recording, its place in the recording in seconds. */
export const RecordingSegment = z.object({ file: z.string(), startS: z.number(), endS: z.number() });
export type RecordingSegment = z.infer<typeof RecordingSegment>;

/** One recording of a meeting as the playback routes list it: finished segments and chapters. */
export const RecordingEntry = z.object({
  recordingId: z.string(),
  startedAt: z.string().nullable(),
  segments: z.array(RecordingSegment),
  bytes: z.number().int().nonnegative(),
  chapters: z.array(RecordingChapter),
});
export type RecordingEntry = z.infer<typeof RecordingEntry>;

/** HTTP paths of a meeting's recordings (GET list, GET a segment, DELETE a recording). */
export const recordingPaths = {
  list: (meetingId: string) => `/api/meetings/${encodeURIComponent(meetingId)}/recordings`,
  segment: (meetingId: string, recordingId: string, file: string) =>
    `/api/meetings/${encodeURIComponent(meetingId)}/recordings/${encodeURIComponent(recordingId)}/${encodeURIComponent(file)}`,
  recording: (meetingId: string, recordingId: string) =>
    `/api/meetings/${encodeURIComponent(meetingId)}/recordings/${encodeURIComponent(recordingId)}`,
};
