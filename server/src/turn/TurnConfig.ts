/**
 * TURN settings (docs/TURN.md), read from the environment. `TURN=off` (default): pages get no ICE
 * servers. `embedded`: the hub runs Debian's coturn itself, like its private Redis. `external`: a
 * coturn run by the administrators, sharing the REST secret with the hub.
 */
import { isIP } from 'node:net';
import path from 'node:path';

/** What the hub tells coturn and the pages. */
export interface TurnConfig {
  mode: 'embedded' | 'external';
  /** The REST secret shared with coturn; null (embedded only) = generated and kept in the data dir. */
  secret: string | null;
  /** ICE server URLs handed to pages; null (embedded only) = built from the page's host and the ports. */
  urls: string[] | null;
  /** Host name in built URLs; null = the host the page reached the hub at. */
  host: string | null;
  /** How long a page's credential lasts (a rejoin gets a new one). */
  ttlSeconds: number;
  /** Every page relays all media through TURN (`iceTransportPolicy: 'relay'`). */
  forceRelay: boolean;
  realm: string;
  embedded: EmbeddedTurnConfig;
}

/** How the hub runs coturn when `TURN=embedded`. */
export interface EmbeddedTurnConfig {
  binary: string;
  /** Scratch folder: config, generated secret and certificate, pid file, user db. */
  dir: string;
  /** Addresses coturn listens on; empty = all. */
  listenIps: string[];
  relayIp: string | null;
  externalIp: string | null;
  /** TURN over UDP and TCP; 0 = none. */
  port: number;
  /** TURN over TLS (and plain TCP, which coturn tells apart); 0 = none. */
  tlsPort: number;
  /** PEM certificate chain and key; null = a self-signed pair generated in `dir`. */
  tls: { certFile: string; keyFile: string } | null;
  minPort: number;
  maxPort: number;
  /** Lets coturn relay to 127.0.0.1 (tests with media on loopback only; never in production). */
  allowLoopbackPeers: boolean;
}

/** A TURN setting that cannot be used; the message names the variable. */
export class TurnConfigError extends Error {}

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new TurnConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

function readIps(env: NodeJS.ProcessEnv, name: string): string[] {
  const list = (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const ip of list)
    if (!isIP(ip)) throw new TurnConfigError(`${name} must list IP addresses, got "${ip}"`);
  return list;
}

function readBool(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new TurnConfigError(`${name} must be 1/true or 0/false, got "${raw}"`);
}

/** Reads the TURN settings; null when TURN is off. */
export function loadTurnConfig(env: NodeJS.ProcessEnv, dataDir: string): TurnConfig | null {
  const mode = (env.TURN ?? 'off').trim() || 'off';
  if (mode === 'off') return null;
  if (mode !== 'embedded' && mode !== 'external')
    throw new TurnConfigError(`TURN must be off, embedded or external, got "${mode}"`);
  const urls = env.TURN_URLS
    ? env.TURN_URLS.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
  for (const url of urls ?? [])
    if (!/^turns?:[^\s?]+(\?transport=(udp|tcp))?$/.test(url))
      throw new TurnConfigError(`TURN_URLS entries look like turn:host:3478?transport=udp, got "${url}"`);
  const secret = env.TURN_SECRET?.trim() || null;
  if (secret !== null && secret.length < 16)
    throw new TurnConfigError('TURN_SECRET must be at least 16 characters');
  if (mode === 'external' && (!secret || !urls?.length))
    throw new TurnConfigError(
      'TURN=external needs TURN_URLS and TURN_SECRET (the static-auth-secret of your coturn)',
    );
  const certFile = env.TURN_TLS_CERT_FILE?.trim() || null;
  const keyFile = env.TURN_TLS_KEY_FILE?.trim() || null;
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new TurnConfigError('TURN_TLS_CERT_FILE and TURN_TLS_KEY_FILE must be set together');
  const port = readInt(env, 'TURN_PORT', 3478, 0, 65535);
  const tlsPort = readInt(env, 'TURN_TLS_PORT', 443, 0, 65535);
  if (mode === 'embedded' && port === 0 && tlsPort === 0)
    throw new TurnConfigError('TURN_PORT and TURN_TLS_PORT cannot both be 0 (coturn would listen nowhere)');
  if (port !== 0 && port === tlsPort) throw new TurnConfigError('TURN_PORT and TURN_TLS_PORT must differ');
  const minPort = readInt(env, 'TURN_MIN_PORT', 50000, 1024, 65535);
  const maxPort = readInt(env, 'TURN_MAX_PORT', 50999, 1024, 65535);
  if (minPort > maxPort)
    throw new TurnConfigError(`TURN_MIN_PORT (${minPort}) must not exceed TURN_MAX_PORT (${maxPort})`);
  const relayIp = readIps(env, 'TURN_RELAY_IP');
  const externalIp = readIps(env, 'TURN_EXTERNAL_IP');
  const realm = env.TURN_REALM?.trim() || 'giaoban';
  if (!/^[\w.-]+$/.test(realm))
    throw new TurnConfigError(`TURN_REALM must be a domain-like name, got "${realm}"`);
  const host = env.TURN_HOST?.trim() || null;
  if (host !== null && !/^(\[[0-9a-fA-F:]+\]|[\w.-]+)$/.test(host))
    throw new TurnConfigError(`TURN_HOST must be a host name or address, got "${host}"`);
  return {
    mode,
    secret,
    urls,
    host,
    // A briefing lasts hours; a page gets a fresh credential whenever it joins again.
    ttlSeconds: readInt(env, 'TURN_TTL_SECONDS', 12 * 3600, 60, 7 * 24 * 3600),
    forceRelay: readBool(env, 'TURN_FORCE_RELAY'),
    realm,
    embedded: {
      binary: env.TURNSERVER_BIN?.trim() || '/usr/bin/turnserver',
      dir: path.join(dataDir, 'turn'),
      listenIps: readIps(env, 'TURN_LISTEN_IPS'),
      relayIp: relayIp[0] ?? null,
      externalIp: externalIp[0] ?? null,
      port,
      tlsPort,
      tls: certFile && keyFile ? { certFile, keyFile } : null,
      minPort,
      maxPort,
      allowLoopbackPeers: readBool(env, 'TURN_ALLOW_LOOPBACK_PEERS'),
    },
  };
}
