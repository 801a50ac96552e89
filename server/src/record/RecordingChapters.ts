import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a chapter marks: an agenda item opened, a floor turn (speaker and topic), a slide page shown. */
export type ChapterKind = 'agenda' | 'floor' | 'page';

/** One chapter, its time relative to the recording's start. */
export interface Chapter {
  readonly kind: ChapterKind;
  /** Milliseconds since the recording started. */
  readonly atMs: number;
  /** What a reader sees in the chapter list (item title, speaking site, deck and page). */
  readonly label: string;
  /** Machine-readable details (siteId, topic, itemId, documentId, page). */
  readonly detail?: Readonly<Record<string, string | number>>;
}

/** The chapters file beside the segments (chapters.json). */
export interface ChaptersFile {
  readonly recordingId: string;
  readonly startedAt: string;
  readonly chapters: readonly Chapter[];
}

export const CHAPTERS_FILE = 'chapters.json';

/**
 * The chapter list of one recording, written beside the segments after every mark (to a temporary
 * file, then renamed), so a crash leaves the chapters of everything already on disk.
 */
export class RecordingChapters {
  readonly #dir: string;
  readonly #recordingId: string;
  readonly #startedAtMs: number;
  readonly #now: () => number;
  readonly #chapters: Chapter[] = [];
  #writing: Promise<void> = Promise.resolve();

  constructor(dir: string, recordingId: string, startedAtMs: number, now: () => number = Date.now) {
    this.#dir = dir;
    this.#recordingId = recordingId;
    this.#startedAtMs = startedAtMs;
    this.#now = now;
  }

  /** The chapters so far, in order. */
  get chapters(): readonly Chapter[] {
    return this.#chapters;
  }

  /** Adds a chapter at the current time and writes the file; resolves once it is on disk. */
  mark(kind: ChapterKind, label: string, detail?: Chapter['detail']): Promise<void> {
    const atMs = Math.max(0, this.#now() - this.#startedAtMs);
    this.#chapters.push(detail ? { kind, atMs, label, detail } : { kind, atMs, label });
    return this.flush();
  }

  /** Writes the file as it stands now (writes are serialised, the last one wins). */
  flush(): Promise<void> {
    const file: ChaptersFile = {
      recordingId: this.#recordingId,
      startedAt: new Date(this.#startedAtMs).toISOString(),
      chapters: [...this.#chapters],
    };
    const path = join(this.#dir, CHAPTERS_FILE);
    this.#writing = this.#writing.then(async () => {
      await writeFile(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`);
      await rename(`${path}.tmp`, path);
    });
    return this.#writing;
  }
}
