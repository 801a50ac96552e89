import { isIP } from 'node:net';
import os from 'node:os';
import type { types as ms } from 'mediasoup';

/** How the media layer listens, how many workers it runs, and where ICE candidates point. */
export interface MediaConfig {
  /** mediasoup workers (one process each); default one per CPU core. */
  numWorkers: number;
  /** Port range for transports that do not use a WebRtcServer (fallback, PlainTransports). */
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Local address to bind: '0.0.0.0' in production, '127.0.0.1' in tests. */
  listenIp: string;
  /** Address put in ICE candidates when it differs from listenIp (NAT, 0.0.0.0 binds). */
  announcedIp: string | undefined;
  /** First WebRtcServer port (UDP and TCP on the same number); worker i listens on base + i. 0 = no WebRtcServer. */
  webRtcServerPort: number;
  logLevel: ms.WorkerLogLevel;
  /** Path of the mediasoup-worker binary; undefined = mediasoup's own default. */
  workerBin: string | undefined;
  /** Cap on what one client may send us (bits/s); covers three simulcast layers of a 720p camera. */
  maxIncomingBitrate: number;
  /** Start estimate of a client's downlink (bits/s) before bandwidth estimation has measured it. */
  initialAvailableOutgoingBitrate: number;
  /** How often per-site audio levels are reported (ms). */
  audioLevelIntervalMs: number;
  /**
   * How long an on-demand viewer (observer, secretary) keeps a consumer the policy no longer wants,
   * paused, before closing it (ms): a quick back-and-forth of the floor reuses it instead of churning.
   */
  consumerGraceMs: number;
  /**
   * Peers a meeting puts on one router before it opens a router on another worker (pipeToRouter
   * joins them): a meeting too big for one core spreads over several.
   */
  peersPerRouter: number;
}

/** A media setting that cannot be used; the message names the variable. */
export class MediaConfigError extends Error {
  override readonly name = 'MediaConfigError';
}

const LOG_LEVELS: readonly ms.WorkerLogLevel[] = ['debug', 'warn', 'error', 'none'];

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new MediaConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

function readIp(env: NodeJS.ProcessEnv, name: string, fallback: string | undefined): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (isIP(raw) === 0) throw new MediaConfigError(`${name} must be an IPv4 or IPv6 address, got "${raw}"`);
  return raw;
}

/**
 * The first non-internal IPv4 address of this machine, so that a one-box `npm start` bound to
 * 0.0.0.0 still hands browsers on the LAN a reachable ICE candidate. 127.0.0.1 when there is none
 * (e.g. inside a loopback-only network namespace).
 */
export function guessAnnouncedIp(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

const isTestRun = (env: NodeJS.ProcessEnv): boolean => env.NODE_ENV === 'test' || env.VITEST !== undefined;

/**
 * Reads the media settings from the environment:
 * MEDIA_LISTEN_IP, MEDIA_ANNOUNCED_IP, MEDIA_WORKERS, MEDIA_RTC_PORT (WebRtcServer base, 0 = off),
 * MEDIA_RTC_MIN_PORT, MEDIA_RTC_MAX_PORT, MEDIA_LOG_LEVEL, MEDIA_MAX_INCOMING_KBPS,
 * MEDIA_CONSUMER_GRACE_MS, MEDIA_PEERS_PER_ROUTER, MEDIASOUP_WORKER_BIN. Throws MediaConfigError naming the variable on any bad value.
 */
export function loadMediaConfig(env: NodeJS.ProcessEnv = process.env): MediaConfig {
  const cpus = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const numWorkers = readInt(env, 'MEDIA_WORKERS', cpus, 1, 256);
  const listenIp = readIp(env, 'MEDIA_LISTEN_IP', isTestRun(env) ? '127.0.0.1' : '0.0.0.0') as string;
  let announcedIp = readIp(env, 'MEDIA_ANNOUNCED_IP', undefined);
  if (announcedIp === undefined && (listenIp === '0.0.0.0' || listenIp === '::')) {
    // A wildcard bind cannot be put in an ICE candidate; browsers need a concrete address.
    announcedIp = guessAnnouncedIp();
  }
  const webRtcServerPort = readInt(env, 'MEDIA_RTC_PORT', 40000, 0, 65535);
  const rtcMinPort = readInt(env, 'MEDIA_RTC_MIN_PORT', 40100, 1024, 65535);
  const rtcMaxPort = readInt(env, 'MEDIA_RTC_MAX_PORT', 49999, 1024, 65535);
  if (rtcMinPort > rtcMaxPort) {
    throw new MediaConfigError(
      `MEDIA_RTC_MIN_PORT (${rtcMinPort}) must not be greater than MEDIA_RTC_MAX_PORT (${rtcMaxPort})`,
    );
  }
  if (webRtcServerPort !== 0) {
    if (webRtcServerPort < 1024) {
      throw new MediaConfigError(`MEDIA_RTC_PORT must be 0 (off) or at least 1024, got ${webRtcServerPort}`);
    }
    const last = webRtcServerPort + numWorkers - 1;
    if (last > 65535) {
      throw new MediaConfigError(
        `MEDIA_RTC_PORT ${webRtcServerPort} + ${numWorkers} workers runs past port 65535; lower MEDIA_RTC_PORT or MEDIA_WORKERS`,
      );
    }
    if (webRtcServerPort <= rtcMaxPort && last >= rtcMinPort) {
      throw new MediaConfigError(
        `WebRtcServer ports ${webRtcServerPort}-${last} (MEDIA_RTC_PORT + one per worker) overlap ` +
          `MEDIA_RTC_MIN_PORT..MEDIA_RTC_MAX_PORT (${rtcMinPort}-${rtcMaxPort})`,
      );
    }
  }
  const rawLevel = env.MEDIA_LOG_LEVEL?.trim() || 'warn';
  if (!LOG_LEVELS.includes(rawLevel as ms.WorkerLogLevel)) {
    throw new MediaConfigError(`MEDIA_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${rawLevel}"`);
  }
  const maxIncomingKbps = readInt(env, 'MEDIA_MAX_INCOMING_KBPS', 3500, 100, 100_000);
  const consumerGraceMs = readInt(env, 'MEDIA_CONSUMER_GRACE_MS', 10_000, 0, 600_000);
  const peersPerRouter = readInt(env, 'MEDIA_PEERS_PER_ROUTER', 40, 1, 10_000);
  return {
    numWorkers,
    rtcMinPort,
    rtcMaxPort,
    listenIp,
    announcedIp,
    webRtcServerPort,
    logLevel: rawLevel as ms.WorkerLogLevel,
    workerBin: env.MEDIASOUP_WORKER_BIN?.trim() || undefined,
    maxIncomingBitrate: maxIncomingKbps * 1000,
    initialAvailableOutgoingBitrate: 1_000_000,
    audioLevelIntervalMs: 500,
    consumerGraceMs,
    peersPerRouter,
  };
}
