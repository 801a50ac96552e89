import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisSupervisor } from '../../src/store/RedisSupervisor.js';

const alive = (pid: number): boolean => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

const started: { supervisor: RedisSupervisor; dir: string }[] = [];
afterEach(async () => {
  for (const { supervisor, dir } of started.splice(0)) {
    await supervisor.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function start(): Promise<RedisSupervisor> {
  const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-supervisor-'));
  const supervisor = await RedisSupervisor.start({ dataDir: dir });
  started.push({ supervisor, dir });
  return supervisor;
}

/** The process group of a process (field 5 of /proc/<pid>/stat). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe('RedisSupervisor', () => {
  it('runs redis-server in a process group of its own (a terminal Ctrl-C reaches only the hub)', async () => {
    const supervisor = await start();
    const pid = supervisor.pid as number;
    expect(processGroupOf(pid)).toBe(pid);
    expect(processGroupOf(pid)).not.toBe(processGroupOf(process.pid));
  });

  it('restarts a redis-server that crashed', async () => {
    const supervisor = await start();
    const first = supervisor.pid as number;
    process.kill(first, 'SIGKILL');
    await vi.waitFor(() => expect(supervisor.pid !== first && alive(supervisor.pid ?? 0)).toBe(true), {
      timeout: 30_000,
      interval: 100,
    });
  });

  it('does not restart a redis-server that was shut down cleanly from outside', async () => {
    const supervisor = await start();
    const first = supervisor.pid as number;
    process.kill(first, 'SIGTERM');
    await vi.waitFor(() => expect(alive(first)).toBe(false), { timeout: 30_000, interval: 50 });
    // A crash is restarted after 500 ms (see above); three times that passes with nothing started.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(supervisor.pid).toBe(first);
  });
});
