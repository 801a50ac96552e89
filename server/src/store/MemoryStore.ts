import type { DirectorySite, JoinLink, JoinLinkId, MeetingId, SiteId } from '@giaoban/shared';
import { DomainError } from '../domain/DomainError.js';
import type { MeetingRecord } from '../domain/MeetingRecord.js';
import type { DirectoryRepository, JournalName, LinkRepository, MeetingRepository, Store } from './Store.js';

/** Deep copy at the boundary, so neither side can mutate the other's objects. */
const copy = <T>(value: T): T => structuredClone(value);

/**
 * The one-box store: everything in process memory, lost on restart. The default for
 * `npm start` and the reference the contract suite is written against.
 */
export class MemoryStore implements Store {
  private readonly meetingMap = new Map<MeetingId, MeetingRecord>();
  private readonly siteMap = new Map<SiteId, DirectorySite>();
  private readonly linkMap = new Map<JoinLinkId, JoinLink>();
  private readonly docs = new Map<string, Uint8Array[]>();
  private readonly journals = new Map<string, unknown[]>();
  private closed = false;

  /** Meetings with optimistic version checks. */
  readonly meetings: MeetingRepository = {
    get: async (id) => {
      this.assertOpen();
      const r = this.meetingMap.get(id);
      return r ? copy(r) : null;
    },
    list: async () => {
      this.assertOpen();
      return [...this.meetingMap.values()].map(copy);
    },
    create: async (record) => {
      this.assertOpen();
      if (this.meetingMap.has(record.meeting.id)) {
        throw new DomainError('CONFLICT', `meeting ${record.meeting.id} already exists`);
      }
      this.meetingMap.set(record.meeting.id, copy(record));
    },
    save: async (record, expectedVersion) => {
      this.assertOpen();
      const stored = this.meetingMap.get(record.meeting.id);
      if (!stored) throw new DomainError('NOT_FOUND', `meeting ${record.meeting.id} does not exist`);
      if (stored.version !== expectedVersion) {
        throw new DomainError(
          'CONFLICT',
          `meeting ${record.meeting.id} is at version ${stored.version}, not ${expectedVersion}`,
        );
      }
      this.meetingMap.set(record.meeting.id, copy(record));
    },
  };

  /** The sites directory. */
  readonly directory: DirectoryRepository = {
    list: async () => {
      this.assertOpen();
      return [...this.siteMap.values()].map(copy);
    },
    get: async (id) => {
      this.assertOpen();
      const s = this.siteMap.get(id);
      return s ? copy(s) : null;
    },
    put: async (site) => {
      this.assertOpen();
      this.siteMap.set(site.id, copy(site));
    },
  };

  /** Join links. */
  readonly links: LinkRepository = {
    put: async (link) => {
      this.assertOpen();
      this.linkMap.set(link.id, copy(link));
    },
    get: async (id) => {
      this.assertOpen();
      const l = this.linkMap.get(id);
      return l ? copy(l) : null;
    },
    listByMeeting: async (meetingId) => {
      this.assertOpen();
      return [...this.linkMap.values()].filter((l) => l.meetingId === meetingId).map(copy);
    },
  };

  /** Appends a copy of the update to the document's log. */
  async appendDocUpdate(meetingId: MeetingId, docName: string, update: Uint8Array): Promise<void> {
    this.assertOpen();
    const key = docKey(meetingId, docName);
    const log = this.docs.get(key) ?? [];
    log.push(new Uint8Array(update));
    this.docs.set(key, log);
  }

  /** Copies of the document's updates, in append order. */
  async readDocUpdates(meetingId: MeetingId, docName: string): Promise<Uint8Array[]> {
    this.assertOpen();
    return (this.docs.get(docKey(meetingId, docName)) ?? []).map((u) => new Uint8Array(u));
  }

  /** Swaps the first `replacedCount` updates for their merge; later appends stay after it. */
  async compactDocUpdates(
    meetingId: MeetingId,
    docName: string,
    merged: Uint8Array,
    replacedCount: number,
  ): Promise<void> {
    this.assertOpen();
    const key = docKey(meetingId, docName);
    const log = this.docs.get(key) ?? [];
    if (replacedCount < 1 || replacedCount > log.length) {
      throw new DomainError('CONFLICT', `document log holds ${log.length} updates, not ${replacedCount}`);
    }
    this.docs.set(key, [new Uint8Array(merged), ...log.slice(replacedCount)]);
  }

  /** Appends a copy of the entry to the meeting's journal. */
  async appendJournal(meetingId: MeetingId, journal: JournalName, entry: unknown): Promise<void> {
    this.assertOpen();
    const key = docKey(meetingId, journal);
    const list = this.journals.get(key) ?? [];
    list.push(copy(entry));
    this.journals.set(key, list);
  }

  /** Copies of the journal's entries, in append order. */
  async readJournal(meetingId: MeetingId, journal: JournalName): Promise<unknown[]> {
    this.assertOpen();
    return (this.journals.get(docKey(meetingId, journal)) ?? []).map(copy);
  }

  /** Marks the store closed; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new DomainError('UNAVAILABLE', 'the store is closed');
  }
}

/** JSON keeps the two parts apart whatever characters they contain. */
const docKey = (meetingId: MeetingId, docName: string): string => JSON.stringify([meetingId, docName]);
