import { spawn, spawnSync } from 'node:child_process';
import { log } from '../log/log.js';

/** The unprivileged account converters run as when the hub runs as root (Debian's `nobody`). */
export const NOBODY = { uid: 65534, gid: 65534 };

/** What a confined run may use. */
export interface ConfinedRun {
  command: string;
  args: readonly string[];
  /** The private directory: working directory, HOME and TMPDIR of the process. */
  home: string;
  /** Killed (the whole process group) when this passes. */
  timeoutMs: number;
  /** Address-space limit (RLIMIT_AS) in bytes. */
  memoryBytes: number;
  /** Killed early when this aborts (the hub stops). */
  signal?: AbortSignal;
}

/** How a confined run ended. */
export interface ConfinedResult {
  code: number | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last 16 KB of stdout and stderr, for the log. */
  output: string;
}

/** How converters are isolated on this machine, worked out once. */
export interface Confinement {
  /** `unshare --net`: a network namespace with no interfaces (links to http:// go nowhere). */
  noNetwork: boolean;
  /** Runs as `nobody` (setpriv) instead of the hub's root account. */
  dropToNobody: boolean;
  /** The prefix put before every converter command. */
  prefix: string[];
}

let detected: Confinement | null = null;

const works = (cmd: string, args: string[]): boolean => {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore', timeout: 5000 }).status === 0;
  } catch {
    return false;
  }
};

/**
 * Works out the isolation this machine allows: as root, a new network namespace and the
 * `nobody` account; otherwise an unprivileged user+network namespace when the kernel allows
 * it. Without either the converter still gets its own process group, limits, a private HOME
 * and a clean environment, and a warning says the network is not cut.
 */
export function detectConfinement(): Confinement {
  if (detected) return detected;
  const root = process.getuid?.() === 0;
  const prefix: string[] = [];
  let noNetwork = false;
  let dropToNobody = false;
  if (root && works('unshare', ['--net', 'true'])) {
    prefix.push('unshare', '--net', '--');
    noNetwork = true;
  } else if (!root && works('unshare', ['--user', '--map-root-user', '--net', 'true'])) {
    prefix.push('unshare', '--user', '--map-root-user', '--net', '--');
    noNetwork = true;
  }
  if (
    root &&
    works('setpriv', ['--reuid', String(NOBODY.uid), '--regid', String(NOBODY.gid), '--clear-groups', 'true'])
  ) {
    prefix.push(
      'setpriv',
      `--reuid=${NOBODY.uid}`,
      `--regid=${NOBODY.gid}`,
      '--clear-groups',
      '--no-new-privs',
      '--',
    );
    dropToNobody = true;
  }
  if (!noNetwork) {
    log.warn(
      'detectConfinement()',
      'document converters keep network access: run the hub as root or enable unprivileged user namespaces',
    );
  }
  detected = { noNetwork, dropToNobody, prefix };
  return detected;
}

const OUTPUT_KEEP = 16 * 1024;

/**
 * Runs one converter step as hostile-input handling: its own process group (so a timeout kills
 * LibreOffice's helpers too), no network, the `nobody` account, an address-space and CPU limit
 * (prlimit), lowered priority (media comes first), a private HOME/TMPDIR and an environment
 * with nothing of the hub's (no JWT secret for a macro to read).
 */
export function runConfined(run: ConfinedRun): Promise<ConfinedResult> {
  const confinement = detectConfinement();
  const cpuSeconds = Math.max(1, Math.ceil(run.timeoutMs / 1000) + 1);
  const argv = [
    ...confinement.prefix,
    'prlimit',
    `--as=${run.memoryBytes}`,
    `--cpu=${cpuSeconds}`,
    '--core=0',
    '--',
    'nice',
    '-n',
    '10',
    run.command,
    ...run.args,
  ];
  const [program, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let aborted = false;
    const child = spawn(program, args, {
      cwd: run.home,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: run.home,
        TMPDIR: run.home,
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
        SAL_USE_VCLPLUGIN: 'svp',
      },
    });
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, run.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) onAbort();
    const finish = (code: number | null) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      resolve({ code, timedOut, aborted, output });
    };
    child.on('error', (err) => {
      collect(Buffer.from(String(err)));
      finish(null);
    });
    // A helper that outlives the main process would hold the pipes open: end the group on exit.
    child.on('exit', killGroup);
    child.on('close', (code) => finish(code));
  });
}
