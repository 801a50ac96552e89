import type { DirectorySite, JoinLink, JoinLinkId, MeetingId } from '@giaoban/shared';
import type { Redis } from 'ioredis';
import { DomainError } from '../domain/DomainError.js';
import type { MeetingRecord } from '../domain/MeetingRecord.js';
import { createCommandClient, type RedisConnectionSettings, unavailable, waitReady } from './redisClient.js';
import { type RedisKeys, redisKeys } from './redisKeys.js';
import type { DirectoryRepository, JournalName, LinkRepository, MeetingRepository, Store } from './Store.js';

/** Options of {@link RedisStore.connect}. */
export interface RedisStoreOptions extends RedisConnectionSettings {
  /** Key prefix, `gb:` by default. */
  prefix?: string;
  /** How long `connect` waits for Redis before giving up (default 15 s). */
  connectTimeoutMs?: number;
}

// Scripts run atomically in Redis: no other client's command runs between their steps, which is
// what makes create-if-absent and compare-and-set safe with several hub instances.

/** KEYS: meeting, index. ARGV: version, record JSON, id. Returns 1, or 0 when the id is taken. */
const CREATE_MEETING = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'record', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
return 1`;

/**
 * KEYS: meeting. ARGV: expected version, new version, record JSON.
 * Returns 'OK', 'NOT_FOUND', or the stored version when it is not the expected one.
 */
const SAVE_MEETING = `
local stored = redis.call('HGET', KEYS[1], 'version')
if not stored then return 'NOT_FOUND' end
if stored ~= ARGV[1] then return stored end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'record', ARGV[3])
return 'OK'`;

/** KEYS: hash, order list. ARGV: field, JSON. Appends the field to the order only when it is new. */
const PUT_ORDERED = `
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]) end
return 1`;

/** KEYS: link, meeting's link list. ARGV: id, JSON. */
const PUT_LINK = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[2])
if existed == 0 then redis.call('RPUSH', KEYS[2], ARGV[1]) end
return 1`;

/**
 * KEYS: doc list, its compaction epoch. ARGV: merged bytes, count, the epoch the caller read at
 * ('' when unknown). Replaces the first `count` updates; -1 when fewer are stored, -2 when another
 * instance compacted since the caller read (its first `count` are no longer the ones merged).
 */
const COMPACT_DOC = `
local n = tonumber(ARGV[2])
if ARGV[3] ~= '' and (redis.call('GET', KEYS[2]) or '0') ~= ARGV[3] then return -2 end
if n < 1 or redis.call('LLEN', KEYS[1]) < n then return -1 end
redis.call('LTRIM', KEYS[1], n, -1)
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
return 1`;

const parse = <T>(json: string | null | undefined): T | null => (json ? (JSON.parse(json) as T) : null);

/**
 * The durable, shared store: every hub instance of a deployment reads and writes the same Redis.
 * A write resolves only after Redis has replied, i.e. (with `appendfsync always`) once it is on
 * disk; while Redis is unreachable every call rejects at once with UNAVAILABLE instead of waiting,
 * and the client reconnects by itself. Key layout: {@link redisKeys}, documented in docs/REDIS.md.
 */
export class RedisStore implements Store {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  /** Compaction epoch of each document log as last read here (see readDocUpdates). */
  readonly #readEpochs = new Map<string, string>();
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  /** Connects and waits until Redis answers; rejects with a clear message when it cannot be reached. */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const keys = redisKeys(options.prefix);
    const redis = createCommandClient({ name: 'giaoban:store', ...options });
    try {
      await waitReady(redis, options.url, options.connectTimeoutMs ?? 15_000);
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    return new RedisStore(redis, keys);
  }

  /** The connection, for the cluster parts that share it (ownership keys, presence, the bus). */
  get client(): Redis {
    return this.#redis;
  }

  /** The key layout in use. */
  get keys(): RedisKeys {
    return this.#keys;
  }

  /** Meetings: whole records, saved with a compare-and-set on the version inside Redis. */
  readonly meetings: MeetingRepository = {
    get: (id) =>
      this.#run('read the meeting', async (r) =>
        parse<MeetingRecord>(await r.hget(this.#keys.meeting(id), 'record')),
      ),
    list: () =>
      this.#run('list the meetings', async (r) => {
        const ids = await r.lrange(this.#keys.meetingIndex(), 0, -1);
        if (ids.length === 0) return [];
        const pipe = r.pipeline();
        for (const id of ids) pipe.hget(this.#keys.meeting(id), 'record');
        const rows = (await pipe.exec()) ?? [];
        const out: MeetingRecord[] = [];
        for (const [err, json] of rows) {
          if (err) throw err;
          const rec = parse<MeetingRecord>(json as string | null);
          if (rec) out.push(rec);
        }
        return out;
      }),
    create: (record) =>
      this.#run('create the meeting', async (r) => {
        const id = record.meeting.id;
        const created = await r.eval(
          CREATE_MEETING,
          2,
          this.#keys.meeting(id),
          this.#keys.meetingIndex(),
          String(record.version),
          JSON.stringify(record),
          id,
        );
        if (created !== 1) throw new DomainError('CONFLICT', `meeting ${id} already exists`);
      }),
    save: (record, expectedVersion) =>
      this.#run('save the meeting', async (r) => {
        const id = record.meeting.id;
        const outcome = String(
          await r.eval(
            SAVE_MEETING,
            1,
            this.#keys.meeting(id),
            String(expectedVersion),
            String(record.version),
            JSON.stringify(record),
          ),
        );
        if (outcome === 'OK') return;
        if (outcome === 'NOT_FOUND') throw new DomainError('NOT_FOUND', `meeting ${id} does not exist`);
        throw new DomainError('CONFLICT', `meeting ${id} is at version ${outcome}, not ${expectedVersion}`);
      }),
  };

  /** The sites directory: one hash plus the order of first put. */
  readonly directory: DirectoryRepository = {
    list: () =>
      this.#run('list the directory', async (r) => {
        const ids = await r.lrange(this.#keys.directoryOrder(), 0, -1);
        if (ids.length === 0) return [];
        const rows = await r.hmget(this.#keys.directory(), ...ids);
        return rows.map((json) => parse<DirectorySite>(json)).filter((s): s is DirectorySite => s !== null);
      }),
    get: (id) =>
      this.#run('read the site', async (r) => parse<DirectorySite>(await r.hget(this.#keys.directory(), id))),
    put: (site) =>
      this.#run('save the site', async (r) => {
        await r.eval(
          PUT_ORDERED,
          2,
          this.#keys.directory(),
          this.#keys.directoryOrder(),
          site.id,
          JSON.stringify(site),
        );
      }),
  };

  /** Join links: one key each plus a per-meeting list in the order issued. */
  readonly links: LinkRepository = {
    put: (link) =>
      this.#run('save the join link', async (r) => {
        await r.eval(
          PUT_LINK,
          2,
          this.#keys.link(link.id),
          this.#keys.meetingLinks(link.meetingId),
          link.id,
          JSON.stringify(link),
        );
      }),
    get: (id) =>
      this.#run('read the join link', async (r) => parse<JoinLink>(await r.get(this.#keys.link(id)))),
    listByMeeting: (meetingId) =>
      this.#run('list the join links', async (r) => {
        const ids = await r.lrange(this.#keys.meetingLinks(meetingId), 0, -1);
        if (ids.length === 0) return [];
        const rows = await r.mget(...ids.map((id) => this.#keys.link(id as JoinLinkId)));
        return rows.map((json) => parse<JoinLink>(json)).filter((l): l is JoinLink => l !== null);
      }),
  };

  /** RPUSH of the raw bytes: appends from one instance keep their order (one connection, pipelined). */
  appendDocUpdate(meetingId: MeetingId, docName: string, update: Uint8Array): Promise<void> {
    // Copied now: the caller may reuse its buffer before the command is written to the socket.
    const bytes = Buffer.from(update);
    return this.#run('save the document update', async (r) => {
      await r.rpush(this.#keys.doc(meetingId, docName), bytes);
    });
  }

  /**
   * Every update of the document, as fresh Uint8Arrays. Notes the log's compaction epoch with
   * them, so a compaction based on this read is refused if another instance compacted meanwhile.
   */
  readDocUpdates(meetingId: MeetingId, docName: string): Promise<Uint8Array[]> {
    const key = this.#keys.doc(meetingId, docName);
    return this.#run('read the document', async (r) => {
      const [[epochErr, epoch], [rowsErr, rows]] = ((await r
        .multi()
        .get(this.#keys.docEpoch(meetingId, docName))
        .lrangeBuffer(key, 0, -1)
        .exec()) ?? []) as [[Error | null, string | null], [Error | null, Buffer[]]];
      if (epochErr || rowsErr) throw epochErr ?? rowsErr;
      this.#readEpochs.set(key, epoch ?? '0');
      return rows.map((b) => new Uint8Array(b));
    });
  }

  /** Swaps the first `replacedCount` updates for their merge, atomically; later appends stay after it. */
  compactDocUpdates(
    meetingId: MeetingId,
    docName: string,
    merged: Uint8Array,
    replacedCount: number,
  ): Promise<void> {
    const bytes = Buffer.from(merged);
    return this.#run('compact the document', async (r) => {
      const key = this.#keys.doc(meetingId, docName);
      const done = await r.eval(
        COMPACT_DOC,
        2,
        key,
        this.#keys.docEpoch(meetingId, docName),
        bytes,
        String(replacedCount),
        this.#readEpochs.get(key) ?? '',
      );
      if (done === -2) {
        throw new DomainError('CONFLICT', 'the document log was compacted by another hub instance meanwhile');
      }
      if (done !== 1) {
        const held = await r.llen(this.#keys.doc(meetingId, docName));
        throw new DomainError('CONFLICT', `document log holds ${held} updates, not ${replacedCount}`);
      }
    });
  }

  /** RPUSH of the entry as JSON: one list per journal, read back whole. */
  appendJournal(meetingId: MeetingId, journal: JournalName, entry: unknown): Promise<void> {
    const json = JSON.stringify(entry);
    return this.#run(`save the ${journal} entry`, async (r) => {
      await r.rpush(this.#keys.journal(meetingId, journal), json);
    });
  }

  /** Every entry of the journal, parsed, in append order. */
  readJournal(meetingId: MeetingId, journal: JournalName): Promise<unknown[]> {
    return this.#run(`read the ${journal}`, async (r) => {
      const rows = await r.lrange(this.#keys.journal(meetingId, journal), 0, -1);
      return rows.map((row) => JSON.parse(row) as unknown);
    });
  }

  /** Closes the connection (QUIT, or a hard disconnect when Redis is away); idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= (async () => {
      try {
        if (this.#redis.status === 'ready') await this.#redis.quit();
      } catch {
        // Already gone: nothing to flush.
      } finally {
        this.#redis.disconnect();
      }
    })();
    return this.#closing;
  }

  /** Runs one operation; any Redis failure becomes DomainError UNAVAILABLE naming what was attempted. */
  async #run<T>(what: string, op: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.#closed) throw new DomainError('UNAVAILABLE', 'the store is closed');
    try {
      return await op(this.#redis);
    } catch (err) {
      throw unavailable(err, what);
    }
  }
}
