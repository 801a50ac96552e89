import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type AgendaItemId,
  type DocumentId,
  type DocumentKind,
  type JoinLinkId,
  type MeetingId,
  type ParticipantId,
  roleOfLink,
  type SlideDocument,
} from '@giaoban/shared';
import type { MeetingService } from '../app/MeetingService.js';
import type { TokenService } from '../auth/tokens.js';
import { type Actor, type DocumentProgress, DomainError, Slides } from '../domain/index.js';
import { log } from '../log/log.js';
import type { Store } from '../store/Store.js';
import { Converter } from './Converter.js';
import type { DocumentConfig } from './DocumentConfig.js';
import { DocumentError } from './DocumentError.js';
import { DocumentStore } from './DocumentStore.js';
import { detectDocumentKind } from './FileType.js';

/** An upload as the HTTP edge hands it over: the raw body stream and what the query said. */
export interface DocumentUpload {
  meetingId: string;
  /** Organizer session token or join-link token (Bearer). */
  token: string;
  filename: string;
  agendaItemId: string | null;
  body: NodeJS.ReadableStream;
  /** Content-Length when the client sent one, so an oversize file is refused before it is read. */
  contentLength: number | null;
}

export interface DocumentServiceDeps {
  config: DocumentConfig;
  meetings: MeetingService;
  store: Store;
  tokens: TokenService;
  /** The organizer's user name for a valid session token; throws UNAUTHENTICATED. */
  authenticateOrganizer: (token: string) => string;
}

interface Target {
  meetingId: string;
  documentId: DocumentId;
}

/** One conversion of one content hash; documents uploaded with the same bytes wait on it together. */
interface Job {
  hash: string;
  kind: DocumentKind;
  file: string;
  targets: Target[];
  started: boolean;
}

/** How long a page-access check is remembered, and for how many (token, document) pairs at most. */
const GRANT_MS = 60_000;
const GRANT_KEEP = 20_000;

/** Progress is reported at most this often (each report is a meeting change for every client). */
const PROGRESS_EVERY_MS = 700;

/**
 * Report documents: receives uploads (organizers before the meeting, the presenter during it),
 * checks them as hostile input (size, real type, archive bombs), converts each content hash
 * once — one conversion at a time by default — and serves page images to the meeting's
 * participants. Status and pages done reach every client as `documents:progress` changes.
 */
export class DocumentService {
  readonly #config: DocumentConfig;
  readonly #files: DocumentStore;
  readonly #converter: Converter;
  readonly #jobs = new Map<string, Job>();
  readonly #queue: Job[] = [];
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  /** Recently granted page access: `${documentId}|${token}` → blob and page count. */
  readonly #grants = new Map<string, { hash: string; pageCount: number; until: number }>();

  constructor(private readonly deps: DocumentServiceDeps) {
    this.#config = deps.config;
    this.#files = new DocumentStore(deps.config.dir);
    this.#converter = new Converter(deps.config);
  }

  /** Prepares the store (and clears what an interrupted run left behind). */
  async init(): Promise<void> {
    await this.#files.init();
  }

  /**
   * After a restart: documents this hub accepted (their link is in its own folder) whose
   * conversion was queued or running can never finish — their uploads were cleared by init() —
   * so they are marked failed for the user to upload again instead of showing "converting"
   * forever. Documents another instance accepted are left to it (with a documents folder shared
   * between instances, an instance's restart would fail the others' running conversions).
   */
  async recoverInterrupted(): Promise<void> {
    for (const record of await this.deps.store.meetings.list()) {
      for (const doc of record.slides.documents) {
        if (doc.status !== 'queued' && doc.status !== 'converting') continue;
        if (!(await this.#files.lookup(doc.id))) continue;
        await this.#files.unlink(doc.id);
        await this.#report([{ meetingId: record.meeting.id, documentId: doc.id }], {
          status: 'failed',
          pagesDone: 0,
          pageCount: 0,
          aspect: null,
          failure: 'converter',
          error: 'The hub restarted before this document was converted: upload it again.',
        });
      }
    }
  }

  /** The disk store, for tests that check nothing is left behind. */
  get files(): DocumentStore {
    return this.#files;
  }

  /**
   * Receives, checks and registers an upload; conversion continues in the background. A refused
   * file leaves nothing: no stored bytes, no document in the meeting.
   */
  async upload(input: DocumentUpload): Promise<SlideDocument> {
    const actor = await this.#principal(input.token, input.meetingId);
    const record = await this.deps.meetings.get(input.meetingId);
    if (record.meeting.status === 'ended') throw new DomainError('INVALID_STATE', 'The meeting has ended');
    const may = Slides.mayUpload(record.slides, actor);
    if (!may.ok) throw may.error;
    const name = cleanName(input.filename);
    if (input.agendaItemId !== null && !record.agenda.items.some((i) => i.id === input.agendaItemId)) {
      throw new DomainError('NOT_FOUND', `No agenda item ${input.agendaItemId}`);
    }
    if (input.contentLength !== null && input.contentLength > this.#config.maxBytes) throw this.#tooLarge();

    const received = await this.#receive(input.body);
    let handedOver = false;
    try {
      const kind = await detectDocumentKind(await readFile(received.file), {
        maxEntries: this.#config.maxZipEntries,
        maxUnpackedBytes: this.#config.maxUnpackedBytes,
        maxRatio: this.#config.maxUnpackRatio,
      });
      const converted = await this.#files.converted(received.hash);
      const doc: SlideDocument = {
        id: randomBytes(9).toString('base64url') as DocumentId,
        name,
        kind,
        sizeBytes: received.size,
        agendaItemId: input.agendaItemId as AgendaItemId | null,
        uploadedBy: actor.displayName,
        uploadedAt: Date.now(),
        status: converted ? 'ready' : 'queued',
        pageCount: converted?.pageCount ?? 0,
        pagesDone: converted?.pageCount ?? 0,
        aspect: converted?.aspect ?? null,
        failure: null,
        error: null,
      };
      await this.#files.link({ documentId: doc.id, meetingId: input.meetingId, hash: received.hash });
      try {
        await this.deps.meetings.run(input.meetingId, actor, { type: 'documents:add', document: doc });
      } catch (err) {
        await this.#files.unlink(doc.id);
        throw err;
      }
      log.info('DocumentService.upload()', 'document received', {
        meetingId: input.meetingId,
        documentId: doc.id,
        kind,
        bytes: received.size,
        cached: converted !== null,
      });
      if (!converted) {
        handedOver = this.#enqueue(received.hash, kind, received.file, {
          meetingId: input.meetingId,
          documentId: doc.id,
        });
      }
      return doc;
    } finally {
      if (!handedOver) await rm(received.file, { force: true });
    }
  }

  /** The documents of a meeting, for anyone in it. */
  async list(meetingId: string, token: string): Promise<SlideDocument[]> {
    await this.#principal(token, meetingId);
    return (await this.deps.meetings.get(meetingId)).slides.documents;
  }

  /** Removes a document from a meeting (organizers); its pages go when no other meeting shows them. */
  async remove(meetingId: string, documentId: string, token: string): Promise<void> {
    const actor = await this.#principal(token, meetingId);
    await this.deps.meetings.run(meetingId, actor, {
      type: 'documents:remove',
      documentId: documentId as DocumentId,
    });
    await this.#files.unlink(documentId);
    for (const key of this.#grants.keys()) if (key.startsWith(`${documentId}|`)) this.#grants.delete(key);
  }

  /**
   * The file of one page image (or its thumbnail), for a participant of the document's meeting
   * (join token) or an organizer. Only converted documents and existing pages are served. A
   * granted (token, document) pair is remembered for a minute: a page turn makes every client
   * fetch a page, and checking the link and loading the meeting each time would cost the store
   * a full record per viewer (a revoked link keeps its pages for at most that minute).
   */
  async pageFile(
    documentId: string,
    variant: 'pages' | 'thumbs',
    page: number,
    token: string,
  ): Promise<string> {
    const key = `${documentId}|${token}`;
    let grant = this.#grants.get(key);
    if (!grant || grant.until < Date.now()) {
      this.#grants.delete(key);
      const link = await this.#files.lookup(documentId);
      if (!link) throw new DomainError('NOT_FOUND', 'No such document');
      await this.#principal(token, link.meetingId);
      const record = await this.deps.meetings.get(link.meetingId);
      const doc = record.slides.documents.find((d) => d.id === documentId);
      if (doc?.status !== 'ready') throw new DomainError('NOT_FOUND', 'No such document');
      grant = { hash: link.hash, pageCount: doc.pageCount, until: Date.now() + GRANT_MS };
      this.#grants.set(key, grant);
      // Oldest first: a Map keeps insertion order.
      for (const old of this.#grants.keys()) {
        if (this.#grants.size <= GRANT_KEEP) break;
        this.#grants.delete(old);
      }
    }
    if (!Number.isInteger(page) || page < 1 || page > grant.pageCount) {
      throw new DomainError('NOT_FOUND', 'No such page');
    }
    return this.#files.pageFile(grant.hash, variant, page);
  }

  /** Stops running conversions (their processes are killed) and waits for them; idempotent. */
  async close(): Promise<void> {
    this.#queue.length = 0;
    this.#abort.abort();
    await Promise.allSettled([...this.#running]);
  }

  /** Who a token stands for in a meeting: an organizer, or a join link of this very meeting. */
  async #principal(token: string, meetingId: string): Promise<Actor> {
    if (!token)
      throw new DomainError('UNAUTHENTICATED', 'Sign in or use a join link (Authorization: Bearer <token>)');
    if (this.deps.tokens.verifyOrganizer(token)) {
      const username = this.deps.authenticateOrganizer(token);
      return {
        participantId: `organizer:${username}` as ParticipantId,
        role: 'organizer',
        siteId: null,
        displayName: username,
      };
    }
    const claims = this.deps.tokens.verifyJoin(token);
    if (!claims) throw new DomainError('UNAUTHENTICATED', 'This link is invalid or has expired');
    const link = await this.deps.store.links.get(claims.sub as JoinLinkId);
    if (!link || link.meetingId !== claims.mid || link.revokedAt !== null) {
      throw new DomainError('UNAUTHENTICATED', 'This link has been revoked');
    }
    if (link.meetingId !== (meetingId as MeetingId))
      throw new DomainError('FORBIDDEN', 'This link is for another meeting');
    return {
      participantId: `link:${link.id}` as ParticipantId,
      role: roleOfLink(link.role),
      siteId: link.siteId,
      displayName: link.displayName,
    };
  }

  #tooLarge(): DocumentError {
    return new DocumentError(
      'size',
      `The file is larger than ${Math.round(this.#config.maxBytes / 1024 / 1024)} MB.`,
    );
  }

  /** Streams the body to `incoming/`, hashing it and stopping at the size limit. */
  async #receive(body: NodeJS.ReadableStream): Promise<{ file: string; hash: string; size: number }> {
    const file = this.#files.incomingPath();
    const hash = createHash('sha256');
    let size = 0;
    const max = this.#config.maxBytes;
    const tooLarge = () => this.#tooLarge();
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > max) {
          callback(tooLarge());
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      await rm(file, { force: true });
      if (err instanceof DocumentError) throw err;
      throw new DomainError('VALIDATION', 'The upload was interrupted');
    }
    if (size === 0) {
      await rm(file, { force: true });
      throw new DocumentError('type', 'The file is empty.');
    }
    return { file, hash: hash.digest('hex'), size };
  }

  /** Queues a conversion; returns true when the job took the file (false: it joined a running one). */
  #enqueue(hash: string, kind: DocumentKind, file: string, target: Target): boolean {
    const existing = this.#jobs.get(hash);
    if (existing) {
      existing.targets.push(target);
      if (existing.started) void this.#report([target], { ...IN_PROGRESS });
      return false;
    }
    const job: Job = { hash, kind, file, targets: [target], started: false };
    this.#jobs.set(hash, job);
    this.#queue.push(job);
    this.#pump();
    return true;
  }

  #pump(): void {
    while (this.#running.size < this.#config.concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift() as Job;
      const run = this.#convert(job).finally(() => {
        this.#running.delete(run);
        this.#pump();
      });
      this.#running.add(run);
    }
  }

  async #convert(job: Job): Promise<void> {
    job.started = true;
    const started = Date.now();
    await this.#report(job.targets, { ...IN_PROGRESS });
    let lastReport = 0;
    let lastDone = -1;
    try {
      const conversion = await this.#converter.convert(
        job.file,
        job.kind,
        ({ pagesDone, pageCount, aspect }) => {
          if (pagesDone === lastDone || Date.now() - lastReport < PROGRESS_EVERY_MS) return;
          lastDone = pagesDone;
          lastReport = Date.now();
          void this.#report(job.targets, { ...IN_PROGRESS, pagesDone, pageCount, aspect });
        },
        this.#abort.signal,
      );
      let stored: Awaited<ReturnType<DocumentStore['commit']>>;
      try {
        stored = await this.#files.commit(job.hash, conversion);
      } finally {
        await conversion.dispose();
      }
      await this.#finish(job);
      log.info('DocumentService.convert()', 'converted', {
        kind: job.kind,
        pages: stored.pageCount,
        ms: Date.now() - started,
        documents: job.targets.length,
      });
      await this.#report(job.targets, {
        status: 'ready',
        pagesDone: stored.pageCount,
        pageCount: stored.pageCount,
        aspect: stored.aspect,
        failure: null,
        error: null,
      });
    } catch (err) {
      const failure =
        err instanceof DocumentError
          ? err
          : new DocumentError('converter', 'The conversion failed unexpectedly.');
      if (!(err instanceof DocumentError)) log.error('DocumentService.convert()', 'conversion crashed', err);
      else
        log.warn('DocumentService.convert()', 'conversion failed', {
          reason: err.reason,
          error: err.message,
        });
      for (const t of job.targets) await this.#files.unlink(t.documentId);
      await this.#finish(job);
      await this.#report(job.targets, {
        status: 'failed',
        pagesDone: 0,
        pageCount: 0,
        aspect: null,
        failure: failure.reason,
        error: failure.message,
      });
    } finally {
      await this.#finish(job);
    }
  }

  /** Forgets a job and its upload before its outcome is announced, so clients never see leftovers. */
  async #finish(job: Job): Promise<void> {
    if (this.#jobs.get(job.hash) === job) this.#jobs.delete(job.hash);
    await rm(job.file, { force: true });
  }

  async #report(targets: readonly Target[], progress: DocumentProgress): Promise<void> {
    for (const t of targets) {
      await this.deps.meetings.system(t.meetingId, {
        type: 'documents:progress',
        documentId: t.documentId,
        progress,
      });
    }
  }
}

const IN_PROGRESS: DocumentProgress = {
  status: 'converting',
  pagesDone: 0,
  pageCount: 0,
  aspect: null,
  failure: null,
  error: null,
};

/** A display name from an uploaded file name: no path, no control characters, at most 200 characters. */
export function cleanName(raw: string): string {
  const base = path.posix.basename(raw.replaceAll('\\', '/'));
  const clean = [...base]
    .filter((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code >= 0x20 && code !== 0x7f;
    })
    .join('')
    .trim()
    .normalize('NFC');
  return clean.slice(0, 200) || 'document';
}
