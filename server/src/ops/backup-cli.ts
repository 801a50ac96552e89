/**
 * `npm run backup -w server -- backup <dir>` / `-- restore <dir> [--replace]`.
 * With REDIS_URL (and REDIS_PREFIX) set: that Redis, while the hubs run (backup) or before they
 * start (restore). Without: the private Redis in GIAOBAN_DATA_DIR (default `.local`), which this
 * command starts itself, so stop the hub first. Documents: `<GIAOBAN_DATA_DIR>/documents`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisSupervisor } from '../store/RedisSupervisor.js';
import { backup, restore } from './Backup.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function main(): Promise<number> {
  const [verb, dir, flag] = process.argv.slice(2);
  if ((verb !== 'backup' && verb !== 'restore') || !dir) {
    console.error('usage: backup <dir> | restore <dir> [--replace]');
    return 2;
  }
  const dataDir = path.resolve(repoRoot, process.env.GIAOBAN_DATA_DIR ?? '.local');
  const prefix = process.env.REDIS_PREFIX ?? 'gb:';
  let supervisor: RedisSupervisor | null = null;
  let url = process.env.REDIS_URL;
  if (!url) {
    supervisor = await RedisSupervisor.start({ dataDir: path.join(dataDir, 'redis'), restartOnCrash: false });
    url = supervisor.url;
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const documents = path.join(dataDir, 'documents');
    const out =
      verb === 'backup'
        ? await backup(redis, prefix, documents, path.resolve(dir))
        : await restore(redis, prefix, documents, path.resolve(dir), flag === '--replace');
    console.log(`${verb} | done [keys:${out.keys} documents:${out.documents} dir:${path.resolve(dir)}]`);
    return 0;
  } finally {
    redis.disconnect();
    await supervisor?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`backup | failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
