import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { headerParams, splitComma } from './SipMessage.js';

/** The realm every challenge names. */
export const SIP_REALM = 'giaoban';
/** A nonce older than this is answered `stale=true` (the peer retries with a fresh one, no new password). */
const NONCE_LIFETIME_MS = 5 * 60_000;

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** The parameters of an `Authorization: Digest …` header. */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  algorithm?: string;
}

/** Parses `Digest k=v, k="v"`; undefined when it is not a Digest header with the fields we need. */
export function parseDigest(value: string): DigestCredentials | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return undefined;
  const params = new Map<string, string>();
  for (const part of splitComma(m[1] as string)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params.set(part.slice(0, eq).trim().toLowerCase(), v);
  }
  const get = (k: string) => params.get(k);
  const username = get('username');
  const realm = get('realm');
  const nonce = get('nonce');
  const uri = get('uri');
  const response = get('response');
  if (!username || realm === undefined || !nonce || !uri || !response) return undefined;
  const out: DigestCredentials = { username, realm, nonce, uri, response };
  const qop = get('qop');
  const nc = get('nc');
  const cnonce = get('cnonce');
  const algorithm = get('algorithm');
  if (qop !== undefined) out.qop = qop;
  if (nc !== undefined) out.nc = nc;
  if (cnonce !== undefined) out.cnonce = cnonce;
  if (algorithm !== undefined) out.algorithm = algorithm;
  return out;
}

/** What checking a request's credentials found. */
export type DigestVerdict = 'ok' | 'stale' | 'wrong';

/**
 * RFC 2617 / 7616 Digest with MD5, qop=auth (and the RFC 2069 form without qop, which older room
 * systems send). Nonces are stateless: a timestamp signed with the hub's secret, so any hub
 * instance can check them and nothing is stored per challenge (an INVITE flood costs no memory).
 */
export class DigestAuth {
  readonly #secret: string;
  readonly #now: () => number;

  constructor(secret: string, now: () => number = Date.now) {
    this.#secret = secret;
    this.#now = now;
  }

  /** A fresh nonce. */
  nonce(): string {
    const t = this.#now().toString(36);
    return `${t}.${this.#sign(t)}`;
  }

  /** The `WWW-Authenticate` value of a 401. */
  challenge(stale = false): string {
    return `Digest realm="${SIP_REALM}", nonce="${this.nonce()}", algorithm=MD5, qop="auth"${stale ? ', stale=true' : ''}`;
  }

  /** Checks credentials against the password of `creds.username`, for this method. */
  verify(creds: DigestCredentials, method: string, password: string): DigestVerdict {
    if (creds.realm !== SIP_REALM) return 'wrong';
    if (creds.algorithm && creds.algorithm.toUpperCase() !== 'MD5') return 'wrong';
    const [t, sig] = creds.nonce.split('.');
    if (!t || !sig || !safeEqual(sig, this.#sign(t))) return 'wrong';
    const ha1 = md5(`${creds.username}:${SIP_REALM}:${password}`);
    const ha2 = md5(`${method}:${creds.uri}`);
    let expected: string;
    if (creds.qop !== undefined) {
      if (creds.qop !== 'auth' || !creds.nc || !creds.cnonce) return 'wrong';
      expected = md5(`${ha1}:${creds.nonce}:${creds.nc}:${creds.cnonce}:auth:${ha2}`);
    } else {
      expected = md5(`${ha1}:${creds.nonce}:${ha2}`);
    }
    if (!safeEqual(creds.response.toLowerCase(), expected)) return 'wrong';
    const issued = Number.parseInt(t, 36);
    if (!Number.isFinite(issued) || this.#now() - issued > NONCE_LIFETIME_MS) return 'stale';
    return 'ok';
  }

  #sign(t: string): string {
    return createHmac('sha256', this.#secret).update(`nonce:${t}`).digest('base64url').slice(0, 22);
  }
}

/** The client side, for tests and dial-out: the Authorization value answering a challenge. */
export function answerChallenge(
  challenge: string,
  method: string,
  uri: string,
  username: string,
  password: string,
  cnonce = 'c0ffee',
  nc = '00000001',
): string {
  const p = headerParams(`x;${challenge.replace(/^Digest\s+/i, '').replace(/,\s*/g, ';')}`);
  const unq = (s: string | undefined) => (s ?? '').replace(/^"|"$/g, '');
  const realm = unq(p.get('realm'));
  const nonce = unq(p.get('nonce'));
  const ha1 = md5(`${username}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
