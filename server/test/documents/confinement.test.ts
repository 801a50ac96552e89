import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectConfinement, runConfined } from '../../src/documents/Confinement.js';

const root = process.getuid?.() === 0;
const home = mkdtempSync(path.join(tmpdir(), 'giaoban-confine-'));
chmodSync(home, 0o777);
afterAll(() => rmSync(home, { recursive: true, force: true }));

const run = (script: string, timeoutMs = 10_000) =>
  runConfined({ command: 'sh', args: ['-c', script], home, timeoutMs, memoryBytes: 512 * 1024 * 1024 });

/** Running, not a zombie waiting for a reaper (a container's init may never reap it). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('runConfined() — a converter step as hostile-input handling', () => {
  it('kills the whole process group when the timeout passes', async () => {
    const pids = path.join(home, 'pids');
    const result = await run(`sleep 30 & echo $$ $! > ${pids}; wait`, 500);
    // Timed out, and both the shell and its 30 s sleeper are gone (checked below).
    expect(result.timedOut).toBe(true);
    const [shell, sleeper] = readFileSync(pids, 'utf8').trim().split(' ').map(Number) as [number, number];
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(shell)).toBe(false);
    expect(alive(sleeper)).toBe(false);
  });

  it('gives the process a clean environment with a private HOME (no hub secrets)', async () => {
    process.env.JWT_SECRET_FOR_TEST = 'must-not-leak';
    const result = await run('env');
    delete process.env.JWT_SECRET_FOR_TEST;
    expect(result.code).toBe(0);
    expect(result.output).not.toContain('must-not-leak');
    expect(result.output).toContain(`HOME=${home}`);
  });

  it('limits the address space', async () => {
    const result = await run('ulimit -v');
    expect(Number(result.output.trim())).toBe(512 * 1024);
  });

  it.runIf(root)(
    'as root: runs with no network but a downed loopback, as nobody where nobody can run programs',
    async () => {
      // Some chroots keep / unreadable to other accounts: there `nobody` cannot even load libc, and the
      // hub must notice that and keep converting (as root, still without network) instead of failing.
      const nobodyCanRun =
        spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0;
      expect(detectConfinement()).toMatchObject({ noNetwork: true, dropToNobody: nobodyCanRun });
      // /proc/self/net shows this process's namespace (sysfs would show the host's).
      const result = await run("id -u; tail -n +3 /proc/self/net/dev | cut -d: -f1 | tr -d ' '");
      expect(result.output.trim().split('\n')).toEqual([nobodyCanRun ? '65534' : '0', 'lo']);
      if (nobodyCanRun) {
        const secret = path.join(home, 'root-only');
        writeFileSync(secret, 'secret', { mode: 0o600 });
        expect((await run(`cat ${secret}`)).code).not.toBe(0);
        expect(existsSync(secret)).toBe(true);
      }
    },
  );
});
