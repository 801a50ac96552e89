/**
 * A server the benchmark starts as a child process — the hub (hubMain.ts) or the bare mediasoup
 * harness (bareMain.ts) — so that its CPU is its own: the simulated sites run in the benchmark's
 * process. CPU of the Node process is read from /proc/<pid>/stat; the workers' from mediasoup's
 * getResourceUsage, over IPC. Output goes to a log file next to the results.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { openSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { log } from '../util/log.js';
import { peakRssMb, processCpuMs } from '../util/proc.js';
import type { IpcMessage, ServerCall, ServerCalls } from './ipc.js';

/** Which server. */
export type ServerKind = 'hub' | 'bare';

const ENTRY: Record<ServerKind, string> = {
  hub: fileURLToPath(new URL('./hubMain.js', import.meta.url)),
  bare: fileURLToPath(new URL('./bareMain.js', import.meta.url)),
};

function niceOf(pid: number | undefined): number {
  try {
    return os.getPriority(pid ?? 0);
  } catch {
    return Number.NaN;
  }
}

export class ServerProcess {
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #exited = false;

  private constructor(
    readonly kind: ServerKind,
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (raw) => {
      const m = raw as IpcMessage;
      if (!('id' in m)) return;
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.once('exit', () => {
      this.#exited = true;
      for (const p of this.#pending.values()) p.reject(new Error(`${kind} process exited`));
      this.#pending.clear();
    });
  }

  /** Starts a server and resolves once it listens. */
  static async start(kind: ServerKind, env: Record<string, string>, logFile: string): Promise<ServerProcess> {
    const out = openSync(logFile, 'a');
    const child = fork(ENTRY[kind], [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', out, out, 'ipc'],
      execArgv: [],
    });
    // The benchmark runs its simulated sites at a lower priority (see cli.ts); the server keeps the
    // normal one, as on a real box where the sites are other machines. Set at once, before it
    // forks its mediasoup workers, which inherit it.
    try {
      if (child.pid) os.setPriority(child.pid, 0);
    } catch {
      // not root: the server runs at the benchmark's priority (the log line says which)
    }
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${kind} did not start within 60 s (see ${logFile})`)),
        60_000,
      );
      child.on('message', (m: IpcMessage) => {
        if ('ready' in m) {
          clearTimeout(timer);
          resolve(m.ready.url);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${kind} exited with code ${code} before it was ready (see ${logFile})`));
      });
    });
    log('ServerProcess.start', `${kind} ready`, { url, pid: child.pid ?? 0, nice: niceOf(child.pid) });
    return new ServerProcess(kind, child, url);
  }

  /** The server's process id. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** One IPC call. */
  call<C extends ServerCall>(call: C, timeoutMs = 60_000, arg?: unknown): Promise<ServerCalls[C]> {
    if (this.#exited) return Promise.reject(new Error(`${this.kind} process has exited`));
    const id = this.#nextId++;
    return new Promise<ServerCalls[C]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.kind} did not answer ${call} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as ServerCalls[C]);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, call, ...(arg === undefined ? {} : { arg }) });
    });
  }

  /** CPU of the server's Node process so far (ms), from /proc. */
  cpuMs(): number {
    return processCpuMs(this.pid) ?? Number.NaN;
  }

  /** Peak resident memory of the Node process (MB), from /proc. */
  peakRssMb(): number {
    return peakRssMb(this.pid) ?? Number.NaN;
  }

  /** Asks the server to stop; kills it if it does not exit within 10 s. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.call('stop', 10_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
