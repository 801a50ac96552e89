/**
 * Child processes for tests (hub, redis-server): wait for a ready line, keep the output for
 * failure messages, stop with a signal and await the exit.
 */
import type { ChildProcess } from 'node:child_process';

/** Collects a child's stdout and stderr, and resolves once a line matches `ready`. */
export function waitForLine(
  child: ChildProcess,
  ready: RegExp,
  timeoutMs: number,
  label: string,
): { line: Promise<string>; output: () => string } {
  let output = '';
  const line = new Promise<string>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => {
      reject(new Error(`${label} | not ready after ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) {
        if (ready.test(l)) {
          clearTimeout(timer);
          resolve(l);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} | exited before ready [code:${code} signal:${signal}]; output:\n${output}`));
    });
  });
  // The exit listener above rejects after success too; nobody awaits it then.
  line.catch(() => undefined);
  return { line, output: () => output };
}

/** Sends `signal`, waits for the exit (SIGKILL after `timeoutMs`) and returns the exit code. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 10_000,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
