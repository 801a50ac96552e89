import { z } from 'zod';
import { IsoDate } from './schedule.js';

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
  /** When the hub deletes it (retention), ISO instant; null when it is kept until deleted by hand. */
  expiresAt: z.string().nullable(),
});
export type RecordingEntry = z.infer<typeof RecordingEntry>;

/**
 * How long a meeting's recordings are kept, set by the organizer: the hub's default
 * (RECORDING_RETENTION_DAYS after each recording started), until the end of a day (Vietnam time),
 * or until deleted by hand.
 */
export const RecordingRetention = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('default') }),
  z.object({
    mode: z.literal('until'),
    /** The last day kept, `YYYY-MM-DD` in Vietnam (UTC+7); the recordings go at its end. */
    keepUntil: IsoDate,
  }),
  z.object({ mode: z.literal('forever') }),
]);
export type RecordingRetention = z.infer<typeof RecordingRetention>;

/** `GET /api/meetings/:id/recordings`: the recordings and how long they are kept. */
export const RecordingList = z.object({
  recordings: z.array(RecordingEntry),
  retention: z.object({
    /** The hub's default in days after a recording starts; 0 keeps recordings until deleted by hand. */
    defaultDays: z.number().int().nonnegative(),
    /** The meeting's own setting (`default` when the organizer set none). */
    meeting: RecordingRetention,
  }),
});
export type RecordingList = z.infer<typeof RecordingList>;

/** HTTP paths of a meeting's recordings (GET list, GET a segment, DELETE a recording). */
export const recordingPaths = {
  list: (meetingId: string) => `/api/meetings/${encodeURIComponent(meetingId)}/recordings`,
  segment: (meetingId: string, recordingId: string, file: string) =>
    `/api/meetings/${encodeURIComponent(meetingId)}/recordings/${encodeURIComponent(recordingId)}/${encodeURIComponent(file)}`,
  recording: (meetingId: string, recordingId: string) =>
    `/api/meetings/${encodeURIComponent(meetingId)}/recordings/${encodeURIComponent(recordingId)}`,
  /** PUT the meeting's retention (organizer). */
  retention: (meetingId: string) => `/api/meetings/${encodeURIComponent(meetingId)}/recording-retention`,
  /** GET the meeting's whole record as one ZIP: minutes, notice, attendance, chat, audit, recordings. */
  bundle: (meetingId: string) => `/api/meetings/${encodeURIComponent(meetingId)}/record.zip`,
};
