import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/Config.js';
import { MemoryStore } from './MemoryStore.js';
import { RedisStore } from './RedisStore.js';
import { DEBIAN_REDIS_SERVER, RedisSupervisor } from './RedisSupervisor.js';
import { type RedisConnectionSettings, redactUrl } from './redisClient.js';
import { type RedisKeys, redisKeys } from './redisKeys.js';
import type { Store } from './Store.js';

/** Which storage the hub runs on. */
export type StoreKind = 'memory' | 'redis' | 'private-redis';

/** The store chosen at start-up and what it needs around it. */
export interface StoreChoice {
  store: Store;
  kind: StoreKind;
  /** One line for the start-up log, e.g. `Redis at redis://10.0.0.5:6379/ (prefix gb:)`. */
  description: string;
  /** Set for both Redis kinds: how the cluster parts (bus, socket.io adapter) connect. */
  redis: { settings: RedisConnectionSettings; keys: RedisKeys } | null;
  /** Stops what was started for the store (the private redis-server); call after `store.close()`. */
  stop(): Promise<void>;
}

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * Chooses and opens the store, once, at start-up (docs/REDIS.md):
 *   GIAOBAN_STORE=memory   the in-memory store (ephemeral: for tests and throwaway runs);
 *   REDIS_URL=redis://…    Redis at that address (shared by every hub instance of a deployment);
 *   neither                a private redis-server of this hub (loopback, AOF, data in
 *                          `<GIAOBAN_DATA_DIR>/redis`) when Debian's redis-server is installed,
 *                          else memory with a warning. GIAOBAN_STORE=redis makes that fallback an error.
 * Throws ConfigError with a clear message for bad settings or an unreachable Redis.
 */
export async function createStore(env: NodeJS.ProcessEnv, dataDir: string): Promise<StoreChoice> {
  const mode = env.GIAOBAN_STORE || 'auto';
  if (!['auto', 'memory', 'redis'].includes(mode)) {
    throw new ConfigError(`GIAOBAN_STORE must be memory, redis or auto, got "${mode}"`);
  }
  const memory = (description: string): StoreChoice => ({
    store: new MemoryStore(),
    kind: 'memory',
    description,
    redis: null,
    stop: async () => undefined,
  });
  if (mode === 'memory') return memory('memory (GIAOBAN_STORE=memory)');

  let keys: RedisKeys;
  try {
    keys = redisKeys(env.REDIS_PREFIX ?? 'gb:');
  } catch (err) {
    throw new ConfigError((err as Error).message.replace(/^redisKeys\(\) \| /, ''));
  }
  const commandTimeoutMs = readInt(env, 'REDIS_COMMAND_TIMEOUT_MS', 3_000, 100, 60_000);
  const connectTimeoutMs = readInt(env, 'REDIS_CONNECT_TIMEOUT_MS', 15_000, 100, 600_000);

  const open = async (url: string, what: string): Promise<RedisStore> => {
    try {
      return await RedisStore.connect({ url, prefix: keys.prefix, commandTimeoutMs, connectTimeoutMs });
    } catch (err) {
      throw new ConfigError(`${what}: ${(err as Error).message}`);
    }
  };

  const url = env.REDIS_URL;
  if (url) {
    if (!/^rediss?:\/\//.test(url)) throw new ConfigError('REDIS_URL must start with redis:// or rediss://');
    const store = await open(url, 'REDIS_URL');
    return {
      store,
      kind: 'redis',
      description: `Redis at ${redactUrl(url)} (prefix ${keys.prefix})`,
      redis: { settings: { url, commandTimeoutMs }, keys },
      stop: async () => undefined,
    };
  }

  const binary = env.GIAOBAN_REDIS_SERVER ?? DEBIAN_REDIS_SERVER;
  if (!existsSync(binary)) {
    if (mode === 'redis') {
      throw new ConfigError(`GIAOBAN_STORE=redis needs REDIS_URL, or redis-server installed at ${binary}`);
    }
    return memory(`memory (no REDIS_URL and no ${binary}; install redis-server for durable storage)`);
  }
  const redisDir = path.join(dataDir, 'redis');
  let supervisor: RedisSupervisor;
  try {
    supervisor = await RedisSupervisor.start({
      dataDir: redisDir,
      binary,
      port: readInt(env, 'GIAOBAN_REDIS_PORT', 0, 0, 65535),
    });
  } catch (err) {
    throw new ConfigError(`private redis-server: ${(err as Error).message}`);
  }
  let store: RedisStore;
  try {
    store = await open(supervisor.url, 'private redis-server');
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  return {
    store,
    kind: 'private-redis',
    description: `private Redis on 127.0.0.1:${supervisor.port}, AOF in ${redisDir}`,
    redis: { settings: { url: supervisor.url, commandTimeoutMs }, keys },
    stop: () => supervisor.stop(),
  };
}
