/**
 * Sign-in lockout behind a reverse proxy (TRUST_PROXY). The per-address lockout counts the
 * client's address: behind a trusted proxy the one `X-Forwarded-For` names, so one guesser locks
 * only itself out, not every user of the proxy; without TRUST_PROXY the header is ignored, so a
 * guesser cannot dodge the lockout by inventing addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each refused guess costs a real scrypt check: 21 of them take a while on a loaded machine.
import type { Hub } from '../../server/src/main.js';
import { startTestHub } from '../support/inProcessHub.js';

let behindProxy: Hub;
let direct: Hub;

beforeAll(async () => {
  behindProxy = await startTestHub({ TRUST_PROXY: 'loopback' });
  direct = await startTestHub();
});

afterAll(async () => {
  await behindProxy?.stop();
  await direct?.stop();
});

/** One sign-in attempt as the proxy forwards it for `client`. */
const signIn = (hub: Hub, client: string, username: string, password: string) =>
  fetch(`${hub.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify({ username, password }),
  }).then((res) => res.status);

describe('the sign-in lockout counts the real client address', () => {
  it('behind a trusted proxy one guessing client is locked out, the other users of the proxy are not', async () => {
    const spray: number[] = [];
    for (let i = 0; i < 21; i++)
      spray.push(await signIn(behindProxy, '203.0.113.7', `user-${i}`, 'password'));
    expect(spray.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(spray.at(-1)).toBe(429);
    // The guesser itself is locked out, even with the right password…
    expect(await signIn(behindProxy, '203.0.113.7', 'org', 'org-password')).toBe(429);
    // …the organizer at another desk behind the same proxy is not.
    expect(await signIn(behindProxy, '203.0.113.8', 'org', 'org-password')).toBe(200);
  }, 120_000);

  it('without TRUST_PROXY the header is ignored: invented addresses do not dodge the lockout', async () => {
    const spray: number[] = [];
    for (let i = 0; i < 21; i++) spray.push(await signIn(direct, `198.51.100.${i}`, `user-${i}`, 'password'));
    expect(spray.at(-1)).toBe(429);
    expect(await signIn(direct, '198.51.100.200', 'org', 'org-password')).toBe(429);
  }, 120_000);
});
