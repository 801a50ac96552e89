import { stat } from 'node:fs/promises';
import { isRecording, type MeetingId, type SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import type { MeetingService } from '../app/MeetingService.js';
import { audioWanted, type MeetingRecord } from '../domain/index.js';
import { errorText, type MediaLogger } from '../media/logger.js';
import type { MeetingMedia } from '../media/MeetingMedia.js';
import { MeetingRecorder } from './MeetingRecorder.js';
import type { RecordingLibrary } from './RecordingLibrary.js';

/** What the service needs from the hub. */
export interface RecordingServiceOptions {
  readonly meetings: MeetingService;
  /** The meeting's media on this instance (MediaRegistry.get). */
  readonly media: (meetingId: MeetingId) => Promise<MeetingMedia>;
  /** Whether this instance holds the meeting's media: only the holder records (always true on one hub). */
  readonly holds: (meetingId: MeetingId) => boolean;
  readonly library: RecordingLibrary;
  /** Seconds per segment (at most this much is lost on a crash). Default 60. */
  readonly segmentSeconds?: number;
  readonly ffmpeg?: string;
  readonly logger: MediaLogger;
}

/** How often a running recording re-checks which microphones the meeting hears (a mic published late). */
const MIC_REFRESH_MS = 1000;

/** A microphone heard by everyone, as a listener with no room of its own (an observer) hears it. */
const LISTENER = { role: 'observer', siteId: null } as const;

interface Running {
  readonly recordingId: string;
  readonly recorder: MeetingRecorder;
  readonly media: MeetingMedia;
  /** The last state chapters were taken from. */
  last: MeetingRecord;
  readonly timer: NodeJS.Timeout;
}

/**
 * Keeps one MeetingRecorder per recorded meeting in step with the domain: the meeting's
 * `moderation.recording` starts and stops it (the chair's or operator's command, the meeting's
 * end), the microphones the meeting hears are its audio (a continuous mix whose sources follow the
 * floor, so a floor change never restarts the file), and agenda items, floor turns and page turns
 * become chapters. A recorder that dies is reported back to the domain (`recording:failed`), which
 * every page shows. With several hub instances only the one holding the meeting's media records.
 */
export class RecordingService {
  readonly #o: RecordingServiceOptions;
  readonly #running = new Map<MeetingId, Running>();
  readonly #chains = new Map<MeetingId, Promise<void>>();
  #closed = false;
  /** Closed with the service (the retention sweeper): set by the wiring. */
  readonly #closers: (() => void)[] = [];

  constructor(options: RecordingServiceOptions) {
    this.#o = options;
    options.meetings.onChanged({
      changed: (meetingId, _batch, record) => this.#enqueue(meetingId, () => this.#follow(meetingId, record)),
    });
  }

  /** The running recorder of a meeting (tests, stats). */
  recorderOf(meetingId: MeetingId): MeetingRecorder | undefined {
    return this.#running.get(meetingId)?.recorder;
  }

  /** Resolves once every change seen so far has been followed (tests). */
  async settled(meetingId: MeetingId): Promise<void> {
    await this.#chains.get(meetingId);
  }

  /** Runs `close` when the service closes (the retention sweeper's clock). */
  onClose(close: () => void): void {
    this.#closers.push(close);
  }

  /** Stops every recording (each closes its current segment properly). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const close of this.#closers.splice(0)) close();
    await Promise.allSettled([...this.#chains.values()]);
    await Promise.allSettled([...this.#running.keys()].map((id) => this.#stop(id)));
  }

  #enqueue(meetingId: MeetingId, task: () => Promise<void>): void {
    const next = (this.#chains.get(meetingId) ?? Promise.resolve())
      .then(task)
      .catch((e: unknown) =>
        this.#o.logger.error(`RecordingService | could not follow the meeting [meetingId:${meetingId}]`, e),
      );
    this.#chains.set(meetingId, next);
    void next.finally(() => {
      if (this.#chains.get(meetingId) === next) this.#chains.delete(meetingId);
    });
  }

  /** Starts, stops or feeds the meeting's recorder so it matches `record`. */
  async #follow(meetingId: MeetingId, record: MeetingRecord): Promise<void> {
    const recording = record.moderation.recording;
    const wanted =
      !this.#closed && record.meeting.status === 'live' && isRecording(recording) && this.#o.holds(meetingId)
        ? (recording?.recordingId ?? null)
        : null;
    const running = this.#running.get(meetingId);
    if (running && running.recordingId !== wanted) await this.#stop(meetingId);
    if (wanted === null) return;
    const current = this.#running.get(meetingId);
    if (!current) {
      await this.#start(meetingId, wanted, record);
      return;
    }
    await this.#markChapters(current, record);
    current.last = record;
    await current.recorder.setMics(micsHeard(current.media, record));
  }

  async #start(meetingId: MeetingId, recordingId: string, record: MeetingRecord): Promise<void> {
    const media = await this.#o.media(meetingId);
    const dir = await this.#freshFolder(meetingId, recordingId);
    let recorder: MeetingRecorder;
    try {
      recorder = await MeetingRecorder.start({
        recordingId,
        router: media.edgeRouter,
        program: media.program.producer,
        mics: micsHeard(media, record),
        audio: 'mix',
        dir,
        ...(this.#o.segmentSeconds !== undefined ? { segmentSeconds: this.#o.segmentSeconds } : {}),
        ...(this.#o.ffmpeg ? { ffmpeg: this.#o.ffmpeg } : {}),
        logger: this.#o.logger,
      });
    } catch (e) {
      this.#o.logger.error(`RecordingService | recorder did not start [meetingId:${meetingId}]`, e);
      await this.#fail(meetingId, recordingId, `không khởi động được bộ ghi: ${errorText(e)}`);
      return;
    }
    const timer = setInterval(() => {
      const r = this.#running.get(meetingId);
      if (r?.recorder === recorder) void recorder.setMics(micsHeard(media, r.last)).catch(() => {});
    }, MIC_REFRESH_MS);
    timer.unref();
    const running: Running = { recordingId, recorder, media, last: record, timer };
    this.#running.set(meetingId, running);
    recorder.on('failed', (failure) => {
      if (this.#running.get(meetingId) !== running) return;
      clearInterval(timer);
      this.#running.delete(meetingId);
      void this.#fail(meetingId, recordingId, failure.message);
    });
    // The meeting's router went away (its worker died and the media was rebuilt): close this part
    // properly and go on recording on the new router, in a new folder.
    media.once('close', () => {
      if (this.#running.get(meetingId) !== running) return;
      this.#enqueue(meetingId, async () => {
        await this.#stop(meetingId);
        await this.#follow(meetingId, await this.#o.meetings.get(meetingId));
      });
    });
    this.#o.logger.info(
      `RecordingService | recording started [meetingId:${meetingId}] [recording:${recordingId}] [dir:${dir}]`,
    );
    await recorder.chapters.flush();
    await this.#markChapters(running, record, true);
  }

  async #stop(meetingId: MeetingId): Promise<void> {
    const running = this.#running.get(meetingId);
    if (!running) return;
    this.#running.delete(meetingId);
    clearInterval(running.timer);
    const segments = await running.recorder.stop();
    this.#o.logger.info(
      `RecordingService | recording stopped [meetingId:${meetingId}] [recording:${running.recordingId}] [segments:${segments.length}]`,
    );
  }

  async #fail(meetingId: MeetingId, recordingId: string, message: string): Promise<void> {
    await this.#o.meetings
      .system(meetingId, { type: 'recording:failed', recordingId, message })
      .catch((e: unknown) =>
        this.#o.logger.error(`RecordingService | could not report the failure [meetingId:${meetingId}]`, e),
      );
  }

  /**
   * The recording's folder; a recording that goes on after a restart, a takeover by another
   * instance or a rebuilt router writes a new part beside it (`<id>-2`, …), never over it.
   */
  async #freshFolder(meetingId: MeetingId, recordingId: string): Promise<string> {
    for (let part = 1; ; part++) {
      const dir = this.#o.library.folderOf(meetingId, part === 1 ? recordingId : `${recordingId}-${part}`);
      if (!(await stat(dir).catch(() => null))) return dir;
    }
  }

  /** Chapters for what changed since the last state: an agenda item, a floor turn, a page. */
  async #markChapters(running: Running, record: MeetingRecord, first = false): Promise<void> {
    const last = first ? null : running.last;
    const chapters = running.recorder.chapters;
    const itemId = record.agenda.currentItemId;
    if (itemId !== null && itemId !== last?.agenda.currentItemId) {
      const index = record.agenda.items.findIndex((i) => i.id === itemId);
      const item = record.agenda.items[index];
      if (item) await chapters.mark('agenda', `${index + 1}. ${item.title}`, { itemId });
    }
    const floor = record.queue.floor;
    const before = last?.queue.floor;
    if (floor && (before?.siteId !== floor.siteId || before.grantedAt !== floor.grantedAt)) {
      const site = siteName(record, floor.siteId);
      await chapters.mark('floor', floor.topic ? `${site}: ${floor.topic}` : site, {
        siteId: floor.siteId,
        topic: floor.topic,
      });
    }
    const page = record.slides.showing;
    const shown = last?.slides.showing;
    if (page && (shown?.documentId !== page.documentId || shown.page !== page.page)) {
      const doc = record.slides.documents.find((d) => d.id === page.documentId);
      await chapters.mark('page', `${doc?.name ?? page.documentId} — trang ${page.page}/${page.pageCount}`, {
        documentId: page.documentId,
        page: page.page,
      });
    } else if (!page && shown) {
      // Slides taken off the screen: playback stops showing the last page from here on.
      await chapters.mark('page', 'Thôi trình chiếu tài liệu');
    }
  }
}

function siteName(record: MeetingRecord, siteId: SiteId): string {
  return record.sites.find((s) => s.id === siteId)?.name ?? siteId;
}

/** The microphones everyone hears now (the chair's, the floor holder's, any a moderator opened). */
function micsHeard(media: MeetingMedia, record: MeetingRecord): ms.Producer[] {
  return media
    .micProducers()
    .filter(
      (rp) =>
        rp.siteId !== null &&
        audioWanted(record, LISTENER, rp.siteId) &&
        !record.sites.find((s) => s.id === rp.siteId)?.selfMuted,
    )
    .map((rp) => rp.producer);
}
