/**
 * Time-limited TURN credentials, the "TURN REST API" scheme coturn checks with `use-auth-secret`
 * (draft-uberti-behave-turn-rest-00): the username is `<expiry unix seconds>:<who>`, the password
 * is base64(HMAC-SHA1(secret, username)). The hub and coturn share only the secret; nothing is
 * stored per user, and a password stops working by itself at its expiry.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** One page's TURN username and password. */
export interface TurnCredential {
  username: string;
  credential: string;
  /** When coturn stops accepting it (ms since the epoch). */
  expiresAt: number;
}

/** Issues a credential for `who` (a join link id) valid `ttlSeconds` from `now`. */
export function issueTurnCredential(
  secret: string,
  who: string,
  ttlSeconds: number,
  now: number = Date.now(),
): TurnCredential {
  if (!secret) throw new Error('issueTurnCredential() | empty secret');
  if (who.includes(':')) throw new Error('issueTurnCredential() | the user part must not contain ":"');
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expiry}:${who}`;
  return { username, credential: sign(secret, username), expiresAt: expiry * 1000 };
}

/**
 * Checks a credential the way coturn does (same HMAC, expiry in the past = refused); coturn does
 * the real check, this one documents it and lets tests and diagnostics ask the same question.
 */
export function verifyTurnCredential(
  secret: string,
  username: string,
  credential: string,
  now: number = Date.now(),
): 'valid' | 'expired' | 'bad-signature' | 'malformed' {
  const match = /^(\d+):(.+)$/.exec(username);
  if (!match) return 'malformed';
  const expected = Buffer.from(sign(secret, username));
  const given = Buffer.from(credential);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad-signature';
  return Number(match[1]) * 1000 <= now ? 'expired' : 'valid';
}

function sign(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}
