import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';

/**
 * Backup and restore of a deployment: every Redis key under its prefix (meetings, links,
 * directory, minutes' update logs, journals, plans, calendar — whatever the hub stores), taken
 * with DUMP and put back with RESTORE, so it works on the private Redis and a shared one alike
 * and does not depend on Redis's persistence files; and the documents folder (report files and
 * their page images). Presence, media ownership and socket.io's stream are live state and are
 * left out (they are rebuilt when the hub starts).
 */

/** Keys of live state, rebuilt at start: not backed up. */
const LIVE = [/^instance/, /^instances$/, /^presence:/, /^media-owner:/, /^lock:/, /^bus:/, /^socket\.io/];

/** What a backup holds. */
export interface BackupSummary {
  keys: number;
  documents: boolean;
}

/** Writes `<dir>/redis.jsonl` (one key a line: name without prefix, TTL ms, DUMP as base64) and `<dir>/documents/`. */
export async function backup(
  redis: Redis,
  prefix: string,
  documentsDir: string,
  dir: string,
): Promise<BackupSummary> {
  await mkdir(dir, { recursive: true });
  const out = createWriteStream(path.join(dir, 'redis.jsonl'));
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of batch) {
      const name = key.slice(prefix.length);
      if (LIVE.some((re) => re.test(name))) continue;
      const [dump, ttl] = await Promise.all([redis.dumpBuffer(key), redis.pttl(key)]);
      if (!dump) continue; // expired meanwhile
      out.write(`${JSON.stringify({ key: name, ttl: Math.max(ttl, 0), dump: dump.toString('base64') })}\n`);
      keys++;
    }
  } while (cursor !== '0');
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  const documents = existsSync(documentsDir);
  if (documents) await cp(documentsDir, path.join(dir, 'documents'), { recursive: true });
  await writeFile(
    path.join(dir, 'backup.json'),
    `${JSON.stringify({ format: 'giaoban-backup-1', prefix, keys, documents, at: new Date().toISOString() }, null, 2)}\n`,
  );
  return { keys, documents };
}

/**
 * Puts a backup into a Redis (under `prefix`, which may differ from the backup's) and a documents
 * folder. Refuses when the target already holds meetings, unless `replace` (then keys are
 * overwritten and the documents folder replaced). Run it while no hub uses that Redis.
 */
export async function restore(
  redis: Redis,
  prefix: string,
  documentsDir: string,
  dir: string,
  replace = false,
): Promise<BackupSummary> {
  const meta = JSON.parse(await readFile(path.join(dir, 'backup.json'), 'utf8')) as { format?: string };
  if (meta.format !== 'giaoban-backup-1') throw new Error(`restore() | ${dir} is not a Giao Ban backup`);
  if (!replace && (await redis.exists(`${prefix}meetings`))) {
    throw new Error('restore() | the target already holds meetings; pass --replace to overwrite');
  }
  let keys = 0;
  const lines = createInterface({
    input: createReadStream(path.join(dir, 'redis.jsonl')),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { key: string; ttl: number; dump: string };
    await redis.restore(`${prefix}${row.key}`, row.ttl, Buffer.from(row.dump, 'base64'), 'REPLACE');
    keys++;
  }
  const documents = existsSync(path.join(dir, 'documents'));
  if (documents) {
    if (replace) await rm(documentsDir, { recursive: true, force: true });
    await mkdir(path.dirname(documentsDir), { recursive: true });
    await cp(path.join(dir, 'documents'), documentsDir, { recursive: true });
  }
  return { keys, documents };
}
