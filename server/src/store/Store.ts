import type { DirectorySite, JoinLink, JoinLinkId, MeetingId, SiteId } from '@giaoban/shared';
import type { MeetingRecord } from '../domain/MeetingRecord.js';

/** Meetings, each saved whole with an optimistic version check. */
export interface MeetingRepository {
  /** The stored record, or null when there is no such meeting. */
  get(id: MeetingId): Promise<MeetingRecord | null>;
  /** Every stored meeting, in creation order. */
  list(): Promise<MeetingRecord[]>;
  /** Stores a new meeting; rejects with DomainError CONFLICT when the id is taken. */
  create(record: MeetingRecord): Promise<void>;
  /**
   * Replaces a meeting if the stored version is still `expectedVersion`; rejects with DomainError
   * CONFLICT when another writer got there first, NOT_FOUND when the meeting does not exist.
   */
  save(record: MeetingRecord, expectedVersion: number): Promise<void>;
}

/** The organizer's directory of bridge points (seeded with the provinces, extended by hand). */
export interface DirectoryRepository {
  /** Every site, in the order first put. */
  list(): Promise<DirectorySite[]>;
  /** One site, or null. */
  get(id: SiteId): Promise<DirectorySite | null>;
  /** Creates or replaces a site (keeps its position when replacing). */
  put(site: DirectorySite): Promise<void>;
}

/** Issued join links; revocation is a `put` with `revokedAt` set, so it survives restarts. */
export interface LinkRepository {
  /** Creates or replaces a link. */
  put(link: JoinLink): Promise<void>;
  /** One link, or null. */
  get(id: JoinLinkId): Promise<JoinLink | null>;
  /** The links of one meeting, in the order issued. */
  listByMeeting(meetingId: MeetingId): Promise<JoinLink[]>;
}

/** The append-only logs kept beside a meeting's record: chat, audit log, parent link, recording retention. */
export type JournalName = 'chat' | 'audit' | 'parentLink' | 'recordingRetention';

/**
 * Storage of the hub, behind one interface with one contract suite (server/test/store) so the
 * in-memory and the Redis implementations are interchangeable at the composition root.
 * Values are copied in and out: a caller can never change stored state by mutating what it holds.
 */
export interface Store {
  readonly meetings: MeetingRepository;
  readonly directory: DirectoryRepository;
  readonly links: LinkRepository;
  /** Appends an opaque update to a meeting's document log (for CRDT documents such as live minutes). */
  appendDocUpdate(meetingId: MeetingId, docName: string, update: Uint8Array): Promise<void>;
  /** Every update of a document, in append order (empty when none). */
  readDocUpdates(meetingId: MeetingId, docName: string): Promise<Uint8Array[]>;
  /**
   * Replaces the first `replacedCount` updates of a document's log with `merged` (their merge), in one
   * atomic step that keeps every update appended after them, so restart replay stays short.
   * Rejects with CONFLICT when the log holds fewer than `replacedCount` updates (it was compacted
   * meanwhile). Optional: a store without it keeps the whole log, which is correct, only slower to replay.
   */
  compactDocUpdates?(
    meetingId: MeetingId,
    docName: string,
    merged: Uint8Array,
    replacedCount: number,
  ): Promise<void>;
  /**
   * Appends one JSON-serialisable entry to a meeting's journal (nothing is ever changed or removed:
   * a chat deletion is an entry of its own). Resolves once the entry is stored.
   */
  appendJournal(meetingId: MeetingId, journal: JournalName, entry: unknown): Promise<void>;
  /** Every entry of a journal, in append order (empty when none); callers validate the shape. */
  readJournal(meetingId: MeetingId, journal: JournalName): Promise<unknown[]>;
  /** Releases connections; idempotent. Calls after close reject with UNAVAILABLE. */
  close(): Promise<void>;
}
