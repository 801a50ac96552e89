/**
 * A throwaway redis-server (Debian's, installed by infra/setup-system.sh) on a free loopback
 * port, with persistence off, for the Redis store's contract tests.
 */
import { spawn } from 'node:child_process';
import { freeTcpPort } from './ports.js';
import { stopProcess, waitForLine } from './process.js';

/** A running redis-server. */
export interface RedisServer {
  /** e.g. `redis://127.0.0.1:41234` */
  url: string;
  port: number;
  stop(): Promise<number | null>;
}

/** Starts `redis-server` and waits until it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freeTcpPort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { line } = waitForLine(child, /Ready to accept connections/, 10_000, `startRedis() [port:${port}]`);
  await line;
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => stopProcess(child, 'SIGTERM') };
}
