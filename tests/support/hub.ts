/**
 * Starts the built hub (server/dist/main.js, built by `turbo run build` before the tests) on a
 * free loopback port, the way `npm start` runs it, and stops it with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freeTcpPort } from './ports.js';
import { stopProcess, waitForLine } from './process.js';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A running hub. */
export interface Hub {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  pid: number;
  /** Everything the hub printed so far. */
  output(): string;
  /** SIGTERM, then the exit code (the hub must shut down cleanly with 0). */
  stop(): Promise<number | null>;
}

/** Options for {@link startHub}. */
export interface StartHubOptions {
  /** Extra environment for the hub (PORT is set already). */
  env?: Record<string, string>;
  /** Line that means "ready"; default: a line containing "ready". */
  ready?: RegExp;
  readyTimeoutMs?: number;
}

/** Spawns `node server/dist/main.js` with PORT set to a free port and waits for its ready line. */
export async function startHub(options: StartHubOptions = {}): Promise<Hub> {
  const entry = `${repoRoot}server/dist/main.js`;
  if (!existsSync(entry)) throw new Error(`startHub() | ${entry} missing: run \`npx turbo run build\` first`);
  const port = await freeTcpPort();
  const child = spawn(process.execPath, [entry], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { line, output } = waitForLine(
    child,
    options.ready ?? /ready/i,
    options.readyTimeoutMs ?? 30_000,
    `startHub() [port:${port}]`,
  );
  try {
    await line;
  } catch (error) {
    await stopProcess(child, 'SIGKILL');
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    output,
    stop: () => stopProcess(child, 'SIGTERM'),
  };
}
