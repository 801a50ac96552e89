import { Redis, type RedisOptions } from 'ioredis';
import { DomainError, isDomainError } from '../domain/DomainError.js';
import { log } from '../log/log.js';

/** How the hub talks to Redis; every field has a default (see docs/REDIS.md). */
export interface RedisConnectionSettings {
  /** `redis://[:password@]host:port[/db]` or `rediss://…` for TLS. */
  url: string;
  /** A command without a reply after this long fails with UNAVAILABLE (a hung or unreachable Redis). */
  commandTimeoutMs?: number;
  /** Name shown by `CLIENT LIST`, e.g. `giaoban:store`. */
  name?: string;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 3_000;

/** Reconnects forever, backing off to two seconds: a Redis restart is survived without a hub restart. */
const retryStrategy = (times: number): number => Math.min(100 * times, 2_000);

/**
 * A client for storage commands: refuses at once while disconnected (no offline queue), never
 * resends a command whose reply was lost (a resent append or save could apply twice), and gives up
 * on a command after `commandTimeoutMs`. Callers map failures with {@link unavailable}.
 */
export function createCommandClient(settings: RedisConnectionSettings): Redis {
  return attachErrorLog(
    new Redis(settings.url, {
      ...baseOptions(settings),
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: settings.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    }),
    settings.name ?? 'giaoban',
  );
}

/**
 * A client that waits out an outage instead of failing (commands queue until Redis is back). For
 * the socket.io adapter, whose stream reader would spin on instant failures and whose session
 * writes have no error handler; a subscriber connection too, which re-subscribes on reconnect.
 */
export function createPatientClient(settings: RedisConnectionSettings): Redis {
  return attachErrorLog(
    new Redis(settings.url, {
      ...baseOptions(settings),
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    }),
    settings.name ?? 'giaoban',
  );
}

function baseOptions(settings: RedisConnectionSettings): RedisOptions {
  return {
    connectionName: settings.name ?? 'giaoban',
    retryStrategy,
    connectTimeout: 5_000,
    keepAlive: 10_000,
    enableReadyCheck: true,
    lazyConnect: false,
  };
}

/**
 * Every client needs an 'error' listener or the process dies on the first refused connection.
 * Logs once per outage (on the first error, then when it is ready again), not once per retry.
 */
function attachErrorLog(client: Redis, name: string): Redis {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn('redis', 'connection trouble; commands are refused until it is back', {
      client: name,
      error: err.message,
    });
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('redis', 'connection is back', { client: name });
  });
  return client;
}

/** Resolves once the client is ready, or rejects with a clear message after `timeoutMs`. */
export async function waitReady(client: Redis, url: string, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`cannot reach Redis at ${redactUrl(url)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid REDIS_URL)';
  }
}

/**
 * Maps a Redis failure to what the user sees: DomainErrors pass through; anything else (refused
 * connection, timeout, LOADING after a restart, OOM under noeviction) becomes UNAVAILABLE, so the
 * caller knows the change was not saved and can try again.
 */
export function unavailable(err: unknown, what: string): DomainError {
  if (isDomainError(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const reason = /OOM/.test(detail)
    ? 'the storage is full'
    : /LOADING/.test(detail)
      ? 'the storage is starting up'
      : 'the storage (Redis) is unreachable';
  log.debug('redis', 'command failed', { what, error: detail });
  return new DomainError('UNAVAILABLE', `Could not ${what}: ${reason}; try again in a moment.`);
}
