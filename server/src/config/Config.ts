import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashPassword } from '../auth/passwords.js';

/** An organizer account: user name and a scrypt hash of the password. */
export interface OrganizerAccount {
  username: string;
  passwordHash: string;
}

/** Everything the hub reads from its environment, with embedded defaults. */
export interface Config {
  port: number;
  host: string;
  /** Where local state lives (development secrets, the private Redis's data). */
  dataDir: string;
  tls: { certFile: string; keyFile: string } | null;
  jwtSecret: string;
  organizers: OrganizerAccount[];
  /** Set when the organizer password was generated here, so the start-up line can show it once. */
  generatedOrganizerPassword: string | null;
  clientDir: string;
  /** Hours an organizer session token stays valid. */
  organizerSessionHours: number;
  /**
   * Which reverse proxies the hub believes about the client's address (`X-Forwarded-For`), as
   * express's `trust proxy`: false (default: the socket's peer is the client), a hop count, or
   * addresses/subnets/`loopback`. Behind nginx every client would otherwise share the proxy's
   * address, and the per-address sign-in lockout would lock everyone out at once.
   */
  trustProxy: boolean | number | string;
}

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {}

interface LocalSecrets {
  jwtSecret: string;
  organizerPassword: string;
}

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * Development secrets are generated once into a git-ignored file and reused, so `npm start`
 * needs no configuration and links stay valid across restarts.
 */
function loadOrCreateLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
    if (typeof parsed.jwtSecret === 'string' && typeof parsed.organizerPassword === 'string') {
      return { jwtSecret: parsed.jwtSecret, organizerPassword: parsed.organizerPassword };
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets: LocalSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    organizerPassword: randomBytes(9).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** Parses `GIAOBAN_ORGANIZERS="alice:scrypt$...,bob:scrypt$..."`. */
function parseOrganizers(raw: string): OrganizerAccount[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const i = entry.indexOf(':');
      const username = entry.slice(0, i);
      const passwordHash = entry.slice(i + 1);
      if (i <= 0 || !passwordHash.startsWith('scrypt$')) {
        throw new ConfigError(
          'GIAOBAN_ORGANIZERS entries must be "user:scrypt$..." (make a hash with `npm run hash-password -w server`)',
        );
      }
      return { username, passwordHash };
    });
}

/** Reads the configuration from the environment; throws ConfigError with a clear message. */
/** TRUST_PROXY: unset or "false" → false; "true"; a hop count; else addresses, subnets or names. */
function parseTrustProxy(raw: string | undefined): boolean | number | string {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  if (!/^[\w.:/,\s-]+$/.test(value))
    throw new ConfigError(
      'TRUST_PROXY must be true, false, a hop count, or addresses/subnets (e.g. "loopback, 10.0.0.0/8")',
    );
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, repoRoot = process.cwd()): Config {
  const dataDir = path.resolve(repoRoot, env.GIAOBAN_DATA_DIR ?? '.local');
  const certFile = env.TLS_CERT_FILE;
  const keyFile = env.TLS_KEY_FILE;
  if ((certFile && !keyFile) || (!certFile && keyFile)) {
    throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  for (const f of [certFile, keyFile]) {
    if (f && !existsSync(f)) throw new ConfigError(`TLS file not found: ${f}`);
  }
  const needLocal = !env.JWT_SECRET || !env.GIAOBAN_ORGANIZERS;
  const local = needLocal ? loadOrCreateLocalSecrets(dataDir) : null;
  const jwtSecret = env.JWT_SECRET ?? local?.jwtSecret ?? '';
  if (jwtSecret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters');
  const organizers = env.GIAOBAN_ORGANIZERS
    ? parseOrganizers(env.GIAOBAN_ORGANIZERS)
    : [{ username: 'admin', passwordHash: hashPassword(local?.organizerPassword ?? '') }];
  return {
    port: readInt(env, 'PORT', 8080, 0, 65535),
    host: env.HOST ?? '0.0.0.0',
    dataDir,
    tls: certFile && keyFile ? { certFile, keyFile } : null,
    jwtSecret,
    organizers,
    generatedOrganizerPassword: env.GIAOBAN_ORGANIZERS ? null : (local?.organizerPassword ?? null),
    clientDir: path.resolve(repoRoot, env.GIAOBAN_CLIENT_DIR ?? 'client/dist'),
    organizerSessionHours: readInt(env, 'ORGANIZER_SESSION_HOURS', 12, 1, 24 * 30),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
}
