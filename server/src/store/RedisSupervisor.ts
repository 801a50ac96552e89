import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { log } from '../log/log.js';

/** Where Debian's package installs the server. */
export const DEBIAN_REDIS_SERVER = '/usr/bin/redis-server';

/** Options of {@link RedisSupervisor.start}. */
export interface PrivateRedisOptions {
  /** Folder for the AOF files, the config and the pid file (created 0700). */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** The redis-server binary (default: Debian's). */
  binary?: string;
  /** `always` (default: a write is on disk before Redis answers) or `everysec`. */
  appendfsync?: 'always' | 'everysec';
  /** Extra config lines, e.g. `maxmemory 256mb`. */
  extraConfig?: string[];
  /** Restart Redis when it exits unexpectedly (default true). */
  restartOnCrash?: boolean;
  readyTimeoutMs?: number;
}

/** The settings the hub recommends for any Redis it uses (docs/REDIS.md). */
export function recommendedRedisConfig(appendfsync: 'always' | 'everysec' = 'always'): string[] {
  return [
    'appendonly yes',
    `appendfsync ${appendfsync}`,
    // Never drop keys to make room: a full Redis refuses writes (the hub says UNAVAILABLE) instead.
    'maxmemory-policy noeviction',
    // The AOF is the persistence; no RDB snapshots besides it.
    'save ""',
  ];
}

/**
 * A private redis-server owned by this hub process: loopback only, a password of its own, AOF
 * with fsync on every write, data in `dataDir`. Started before the store connects, stopped after
 * it closes; restarted if it crashes; a stale server left by a killed hub is stopped on the next start.
 *
 * Only the hub stops it: it runs in a process group of its own, so a Ctrl-C in the terminal (SIGINT
 * to the whole foreground group) reaches the hub alone, which then closes its clients and stops
 * Redis last. A Redis that exits cleanly (code 0: someone asked it to shut down) is never restarted.
 */
export class RedisSupervisor {
  #child: ChildProcess | null = null;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  #restarts: number[] = [];
  readonly #exitHook = (): void => {
    this.#child?.kill('SIGTERM');
  };

  private constructor(
    private readonly options: Required<Omit<PrivateRedisOptions, 'extraConfig'>> & { extraConfig: string[] },
    /** Connection URL with the password, for the hub's clients. */
    readonly url: string,
    readonly port: number,
  ) {}

  /** Writes the config, stops a stale server of this data dir, starts redis-server and waits until it is ready. */
  static async start(options: PrivateRedisOptions): Promise<RedisSupervisor> {
    const dataDir = path.resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const binary = options.binary ?? DEBIAN_REDIS_SERVER;
    if (!existsSync(binary)) throw new Error(`RedisSupervisor.start() | ${binary} not found`);
    claimDataDir(dataDir);
    await stopStale(dataDir);
    const port = options.port && options.port > 0 ? options.port : await freeLoopbackPort();
    const password = loadOrCreatePassword(dataDir);
    const supervisor = new RedisSupervisor(
      {
        dataDir,
        port,
        binary,
        appendfsync: options.appendfsync ?? 'always',
        extraConfig: options.extraConfig ?? [],
        restartOnCrash: options.restartOnCrash ?? true,
        readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
      },
      `redis://:${password}@127.0.0.1:${port}`,
      port,
    );
    writeFileSync(
      path.join(dataDir, 'redis.conf'),
      `${[
        '# Written by the Giao Ban hub on every start; edit docs/REDIS.md, not this file.',
        'bind 127.0.0.1',
        `port ${port}`,
        'protected-mode yes',
        `requirepass ${password}`,
        `dir ${dataDir}`,
        'pidfile redis.pid',
        'daemonize no',
        'logfile ""',
        ...recommendedRedisConfig(supervisor.options.appendfsync),
        ...supervisor.options.extraConfig,
      ].join('\n')}\n`,
      { mode: 0o600 },
    );
    await supervisor.#spawn();
    process.on('exit', supervisor.#exitHook);
    return supervisor;
  }

  /** The server's pid (changes after a restart). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** SIGTERM (Redis flushes the AOF and exits), SIGKILL after `timeoutMs`; idempotent. */
  stop(timeoutMs = 10_000): Promise<void> {
    this.#stopping = true;
    process.off('exit', this.#exitHook);
    this.#stopped ??= this.#signal('SIGTERM', timeoutMs).finally(() =>
      rmSync(path.join(this.options.dataDir, 'hub.pid'), { force: true }),
    );
    return this.#stopped;
  }

  /** Kills the server without warning and starts it again (tests: a Redis crash). */
  async crashAndRestartForTesting(downMs = 0): Promise<void> {
    const restart = this.options.restartOnCrash;
    this.options.restartOnCrash = false;
    await this.#signal('SIGKILL', 5_000);
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    this.options.restartOnCrash = restart;
    await this.#spawn();
  }

  /** Stops the server cleanly and starts it again from its AOF (tests: a Redis restart). */
  async restartForTesting(downMs = 0): Promise<void> {
    const restart = this.options.restartOnCrash;
    this.options.restartOnCrash = false;
    await this.#signal('SIGTERM', 10_000);
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    this.options.restartOnCrash = restart;
    await this.#spawn();
  }

  async #signal(signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  async #spawn(): Promise<void> {
    const { binary, dataDir, readyTimeoutMs } = this.options;
    const child = spawn(binary, [path.join(dataDir, 'redis.conf')], {
      cwd: dataDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: the terminal's Ctrl-C is for the hub, which stops Redis in order.
      detached: true,
    });
    this.#child = child;
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server not ready after ${readyTimeoutMs} ms:\n${output}`)),
        readyTimeoutMs,
      );
      let pending = '';
      const onData = (chunk: Buffer): void => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (output.length < 20_000) output += `${line}\n`;
          if (/Ready to accept connections/.test(line)) {
            clearTimeout(timer);
            resolve();
          } else if (isTrouble(line)) {
            log.warn('redis-server', line.replace(/^\d+:[A-Z] /, ''));
          }
        }
      };
      // Always drained: a full pipe would block Redis.
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited before ready [code:${code} signal:${signal}]:\n${output}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    child.once('exit', (code, signal) => this.#onExit(child, code, signal));
    try {
      await ready;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    log.info('RedisSupervisor', 'private redis-server ready', {
      port: this.port,
      pid: child.pid,
      dir: dataDir,
    });
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child || this.#stopping || !this.options.restartOnCrash) return;
    if (code === 0) {
      // Redis exits with 0 only when told to shut down (SIGTERM, SIGINT, SHUTDOWN): an administrator
      // or a service manager stopping everything. Starting it again would fight them.
      log.warn(
        'RedisSupervisor',
        'redis-server was shut down from outside; not restarting it (the hub refuses writes)',
      );
      return;
    }
    const now = Date.now();
    this.#restarts = [...this.#restarts.filter((t) => now - t < 60_000), now];
    log.error('RedisSupervisor', 'redis-server exited unexpectedly', undefined, {
      code,
      signal,
      restartsInLastMinute: this.#restarts.length,
    });
    if (this.#restarts.length > 5) {
      log.error('RedisSupervisor', 'redis-server keeps dying; not restarting it (the hub refuses writes)');
      return;
    }
    setTimeout(() => {
      if (this.#stopping) return;
      this.#spawn().catch((err) => {
        // Stopped while it was starting again: that start was meant to fail.
        if (!this.#stopping) log.error('RedisSupervisor', 'restart failed', err);
      });
    }, 500 * this.#restarts.length).unref();
  }
}

/**
 * Redis marks warnings with '#' but also its start-up banner; only lines that report trouble reach
 * the hub's log. (The overcommit advice concerns RDB forks, which this configuration never does.)
 */
function isTrouble(line: string): boolean {
  return (
    / # /.test(line) && /WARNING|rror|ail|Can't|Fatal|Bad|denied/i.test(line) && !/overcommit/.test(line)
  );
}

/**
 * One hub per data dir: a second `npm start` in the same checkout would otherwise stop the first
 * one's Redis as stale. The file names the hub process; a dead one's claim is taken over.
 */
function claimDataDir(dataDir: string): void {
  const file = path.join(dataDir, 'hub.pid');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 1 && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `another hub (pid ${pid}) runs the private Redis in ${dataDir}; stop it, give this hub its own ` +
          'GIAOBAN_DATA_DIR, or run both on one Redis with REDIS_URL (docs/REDIS.md)',
      );
    }
  }
  writeFileSync(file, `${process.pid}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A password kept beside the data, so the URL stays the same across restarts. */
function loadOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, 'password');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{16,}$/.test(saved)) return saved;
  }
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** A redis-server left running by a hub that was killed (SIGKILL cannot be caught) is stopped. */
async function stopStale(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'redis.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cwd = '';
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return; // not running (or not ours to inspect)
  }
  // Redis works in its data dir: a process there is the stale server, not an unrelated one that reused the pid.
  if (cwd !== dataDir) return;
  log.warn('RedisSupervisor', 'stopping a redis-server left by an earlier hub', { pid });
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
  if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('freeLoopbackPort() | no port'))));
    });
  });
}
