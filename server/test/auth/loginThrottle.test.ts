import { describe, expect, it } from 'vitest';
import { type LoginAttempt, LoginThrottle } from '../../src/auth/LoginThrottle.js';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';

const MINUTE = 60_000;

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

function fail(throttle: LoginThrottle, account: string, address: string): LoginAttempt {
  const attempt = throttle.begin(account, address);
  if (attempt.allowed) attempt.finish(false);
  return attempt;
}

describe('LoginThrottle', () => {
  it('locks an account after its failed attempts reach the limit, from any address', () => {
    const c = clock();
    const throttle = new LoginThrottle({ accountLimit: 3, addressLimit: 100, now: c.now });
    for (let i = 0; i < 3; i++) expect(fail(throttle, 'admin', `10.0.0.${i}`).allowed).toBe(true);
    const locked = throttle.begin('admin', '10.0.0.99');
    expect(locked).toMatchObject({ allowed: false, scope: 'account' });
    // Another account from the same addresses is not affected.
    expect(throttle.begin('other', '10.0.0.1').allowed).toBe(true);
  });

  it('locks an address after its failed attempts reach the limit, whatever the account', () => {
    const c = clock();
    const throttle = new LoginThrottle({ accountLimit: 100, addressLimit: 4, now: c.now });
    for (let i = 0; i < 4; i++) expect(fail(throttle, `user${i}`, '192.0.2.7').allowed).toBe(true);
    expect(throttle.begin('user-new', '192.0.2.7')).toMatchObject({ allowed: false, scope: 'address' });
    expect(throttle.begin('user-new', '192.0.2.8').allowed).toBe(true);
  });

  it('ends a lockout after lockMs and tells how long is left', () => {
    const c = clock();
    const throttle = new LoginThrottle({ accountLimit: 2, lockMs: 10 * MINUTE, now: c.now });
    fail(throttle, 'admin', 'a');
    fail(throttle, 'admin', 'a');
    c.advance(4 * MINUTE);
    const locked = throttle.begin('admin', 'b');
    expect(locked.allowed).toBe(false);
    if (!locked.allowed) expect(locked.retryAfterMs).toBe(6 * MINUTE);
    c.advance(6 * MINUTE);
    expect(throttle.begin('admin', 'b').allowed).toBe(true);
  });

  it('forgets failures older than the window', () => {
    const c = clock();
    const throttle = new LoginThrottle({ accountLimit: 2, windowMs: 5 * MINUTE, now: c.now });
    fail(throttle, 'admin', 'a');
    c.advance(5 * MINUTE);
    fail(throttle, 'admin', 'a');
    expect(throttle.begin('admin', 'a').allowed).toBe(true);
  });

  it('counts attempts still running, so parallel guesses cannot pass the limit', () => {
    const throttle = new LoginThrottle({ accountLimit: 3, addressLimit: 100 });
    const running = [0, 1, 2].map(() => throttle.begin('admin', 'x'));
    expect(running.every((a) => a.allowed)).toBe(true);
    expect(throttle.begin('admin', 'x').allowed).toBe(false);
  });

  it("clears an account's failures when its password is right", () => {
    const throttle = new LoginThrottle({ accountLimit: 3 });
    fail(throttle, 'admin', 'x');
    fail(throttle, 'admin', 'x');
    const ok = throttle.begin('admin', 'x');
    if (ok.allowed) ok.finish(true);
    fail(throttle, 'admin', 'x');
    fail(throttle, 'admin', 'x');
    expect(throttle.begin('admin', 'x').allowed).toBe(true);
  });

  it('remembers at most maxEntries accounts (made-up names cannot grow memory)', () => {
    const throttle = new LoginThrottle({ accountLimit: 2, addressLimit: 1_000_000, maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) fail(throttle, `made-up-${i}`, 'x');
    // The newest names are still counted.
    fail(throttle, 'made-up-999', 'x');
    expect(throttle.begin('made-up-999', 'x').allowed).toBe(false);
  });
});

describe('passwords', () => {
  it('verifyPassword() accepts the right password and refuses a wrong one or a malformed hash', async () => {
    const stored = hashPassword('đúng mật khẩu');
    await expect(verifyPassword('đúng mật khẩu', stored)).resolves.toBe(true);
    await expect(verifyPassword('sai', stored)).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$1$1$1$$')).resolves.toBe(false);
    await expect(verifyPassword('x', 'plain')).resolves.toBe(false);
  });

  it('verifyPassword() leaves the event loop free while scrypt runs', async () => {
    const stored = hashPassword('p');
    let checked = false;
    const checks = Promise.all([1, 2, 3].map(() => verifyPassword('wrong', stored))).then(() => {
      checked = true;
    });
    // A timer due at once fires while the checks run (scryptSync would have finished them first).
    const checkedWhenTimerFired = await new Promise<boolean>((r) => setTimeout(() => r(checked), 0));
    await checks;
    expect(checkedWhenTimerFired).toBe(false);
  });
});
