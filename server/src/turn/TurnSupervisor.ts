/**
 * Debian's coturn run by the hub (`TURN=embedded`), the way it runs its private Redis: a config
 * file written into the data dir on every start, `turnserver -c <file> -v` in the foreground in a
 * process group of its own, ready when its listeners are open, restarted if it crashes, stopped
 * with the hub. With no certificate given, a self-signed one is generated once (openssl): browsers
 * refuse it for `turns:` until it is trusted (docs/TURN.md), plain TURN over UDP/TCP still works.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { log } from '../log/log.js';
import type { TurnConfig } from './TurnConfig.js';

/** A running embedded coturn. */
export class TurnSupervisor {
  #child: ChildProcess | null = null;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  #restarts: number[] = [];
  readonly #exitHook = (): void => {
    this.#child?.kill('SIGTERM');
  };

  private constructor(
    private readonly config: TurnConfig,
    /** The REST secret coturn checks credentials with. */
    readonly secret: string,
    private readonly readyTimeoutMs: number,
  ) {}

  /**
   * Writes the config (and a secret and certificate when none is given), starts coturn, waits
   * until it listens. `mediaPeers`: the media's addresses — the only peers coturn relays to, so
   * a link holder cannot use the relay to reach anything else on the hub's network.
   */
  static async start(
    config: TurnConfig,
    mediaPeers: string[],
    readyTimeoutMs = 20_000,
  ): Promise<TurnSupervisor> {
    const e = config.embedded;
    if (!existsSync(e.binary))
      throw new Error(`TurnSupervisor.start() | ${e.binary} not found (apt-get install coturn, or TURN=off)`);
    mkdirSync(e.dir, { recursive: true, mode: 0o700 });
    const secret = config.secret ?? loadOrCreateSecret(e.dir);
    const tls = e.tlsPort ? (e.tls ?? selfSignedCertificate(e.dir, config, e.listenIps)) : null;
    const lines = [
      '# Written by the Giao Ban hub on every start (TURN=embedded); see docs/TURN.md.',
      ...e.listenIps.map((ip) => `listening-ip=${ip}`),
      ...(e.relayIp ? [`relay-ip=${e.relayIp}`] : []),
      ...(e.externalIp ? [`external-ip=${e.externalIp}`] : []),
      `listening-port=${e.port || 3478}`,
      ...(e.port ? [] : ['no-udp', 'no-tcp']),
      ...(tls
        ? [`tls-listening-port=${e.tlsPort}`, `cert=${tls.certFile}`, `pkey=${tls.keyFile}`]
        : ['no-tls']),
      // Media reaches mediasoup as UDP whatever the page used; DTLS-over-UDP to coturn itself is not needed.
      'no-dtls',
      'no-tlsv1',
      'no-tlsv1_1',
      `min-port=${e.minPort}`,
      `max-port=${e.maxPort}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      `realm=${config.realm}`,
      'fingerprint',
      'no-cli',
      'no-multicast-peers',
      'no-software-attribute',
      ...(e.allowLoopbackPeers ? ['allow-loopback-peers'] : []),
      ...(mediaPeers.length > 0
        ? [
            'denied-peer-ip=0.0.0.0-255.255.255.255',
            'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
            ...mediaPeers.map((ip) => `allowed-peer-ip=${ip}`),
          ]
        : []),
      'log-file=stdout',
      'simple-log',
      `pidfile=${path.join(e.dir, 'turnserver.pid')}`,
      // Otherwise coturn opens /var/lib/turn/turndb.
      `userdb=${path.join(e.dir, 'turndb')}`,
    ];
    writeFileSync(path.join(e.dir, 'turnserver.conf'), `${lines.join('\n')}\n`, { mode: 0o600 });
    const supervisor = new TurnSupervisor(config, secret, readyTimeoutMs);
    await supervisor.#spawn();
    process.on('exit', supervisor.#exitHook);
    return supervisor;
  }

  /** coturn's pid (changes after a restart). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** SIGTERM, SIGKILL after `timeoutMs`; idempotent. */
  stop(timeoutMs = 5_000): Promise<void> {
    this.#stopping = true;
    process.off('exit', this.#exitHook);
    this.#stopped ??= (async () => {
      const child = this.#child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    })();
    return this.#stopped;
  }

  async #spawn(): Promise<void> {
    const e = this.config.embedded;
    const child = spawn(e.binary, ['-c', path.join(e.dir, 'turnserver.conf'), '-v'], {
      cwd: e.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C is for the hub, which stops coturn itself.
      detached: true,
    });
    this.#child = child;
    // Ready when every configured port has a listener (coturn prints one line per address and kind).
    const waiting = new Set([e.port, e.tlsPort].filter((p) => p > 0));
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`turnserver not ready after ${this.readyTimeoutMs} ms:\n${output}`)),
        this.readyTimeoutMs,
      );
      let pending = '';
      const onData = (chunk: Buffer): void => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (output.length < 20_000) output += `${line}\n`;
          const opened = /listener opened on\s*:\s*\S+:(\d+)\s*$/.exec(line);
          if (opened) waiting.delete(Number(opened[1]));
          if (waiting.size === 0) {
            clearTimeout(timer);
            resolve();
          }
          // Start-up trouble only: after that coturn logs every refused credential (401) as an ERROR.
          if (waiting.size > 0 && /ERROR|cannot bind/i.test(line))
            log.warn('turnserver', line.replace(/^\d+: : /, ''));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`turnserver exited before ready [code:${code} signal:${signal}]:\n${output}`));
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
    log.info('TurnSupervisor', 'coturn ready', {
      pid: child.pid,
      port: e.port,
      tlsPort: e.tlsPort,
      listen: e.listenIps.join(',') || 'all',
    });
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child || this.#stopping) return;
    const now = Date.now();
    this.#restarts = [...this.#restarts.filter((t) => now - t < 60_000), now];
    log.error('TurnSupervisor', 'turnserver exited unexpectedly', undefined, {
      code,
      signal,
      restartsInLastMinute: this.#restarts.length,
    });
    if (this.#restarts.length > 5) {
      log.error(
        'TurnSupervisor',
        'turnserver keeps dying; not restarting it (pages behind closed networks lose media)',
      );
      return;
    }
    setTimeout(() => {
      if (this.#stopping) return;
      this.#spawn().catch((err) => {
        if (!this.#stopping) log.error('TurnSupervisor', 'restart failed', err);
      });
    }, 500 * this.#restarts.length).unref();
  }
}

/** The REST secret, kept beside coturn's config so credentials survive a hub restart. */
function loadOrCreateSecret(dir: string): string {
  const file = path.join(dir, 'secret');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{16,}$/.test(saved)) return saved;
  }
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * A self-signed certificate for TURN over TLS, made once with openssl. Its names: TURN_HOST,
 * the listening addresses, localhost. Browsers reject it until it is trusted — say so loudly.
 */
function selfSignedCertificate(
  dir: string,
  config: TurnConfig,
  listenIps: string[],
): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'turn-selfsigned.crt');
  const keyFile = path.join(dir, 'turn-selfsigned.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const names = new Set(['DNS:localhost', 'IP:127.0.0.1']);
    const host = config.host?.replace(/^\[|\]$/g, '');
    if (host) names.add(/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`);
    for (const ip of listenIps) names.add(`IP:${ip}`);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '825',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        `/CN=${host ?? 'giaoban-turn'}`,
        '-addext',
        `subjectAltName=${[...names].join(',')}`,
      ],
      { stdio: 'ignore' },
    );
  }
  log.warn(
    'TurnSupervisor',
    `TURN over TLS uses a self-signed certificate (${certFile}): browsers refuse turns: with it until it ` +
      'is trusted; set TURN_TLS_CERT_FILE/TURN_TLS_KEY_FILE to a real one (docs/TURN.md)',
  );
  return { certFile, keyFile };
}
