import { CLIENT_EVENT_NAMES } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { BUDGETS, RateLimiter, rateClassOf, TokenBucket } from '../../src/transport/RateLimiter.js';

describe('RateLimiter', () => {
  it('TokenBucket allows its burst, then refills at its rate', () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.full(10_000)).toBe(true);
  });

  it('refuses a connection over its budget and logs a flood once, not per request', () => {
    const now = { t: 0 };
    const logged: number[] = [];
    const limiter = new RateLimiter(
      ({ count }) => logged.push(count),
      () => now.t,
    );
    const results = Array.from({ length: 50 }, () => limiter.allow('s1', 'link-a', 'command'));
    expect(results.filter(Boolean)).toHaveLength(BUDGETS.command.burst);
    expect(logged).toEqual([1]);
    now.t += 10_000;
    for (let i = 0; i < 50; i++) limiter.allow('s1', 'link-a', 'command');
    // The next line counts every refusal since the last one: 39 from the first flood, 1 now.
    expect(logged).toEqual([1, 40]);
  });

  it("a link's budget is shared by its connections and survives a reconnect", () => {
    const limiter = new RateLimiter(
      () => undefined,
      () => 0,
    );
    for (let i = 0; i < BUDGETS.command.burst; i++)
      expect(limiter.allow('s1', 'link-a', 'command')).toBe(true);
    limiter.forgetSocket('s1');
    expect(limiter.allow('s2', 'link-a', 'command')).toBe(false);
    expect(limiter.allow('s3', 'link-b', 'command')).toBe(true);
  });

  it("a moderator's commands are charged to their own budget, not a site's", () => {
    expect(rateClassOf('mic:set', 'chair')).toBe('moderatorCommand');
    expect(rateClassOf('mic:selfMute', 'site')).toBe('command');
    expect(rateClassOf('slides:pointer', 'site')).toBe('pointer');
    expect(rateClassOf('media:produce', 'site')).toBe('media');
    expect(rateClassOf('doc:update', 'secretary')).toBe('workspace');
    expect(rateClassOf('meeting:join', 'observer')).toBe('session');
    const limiter = new RateLimiter(
      () => undefined,
      () => 0,
    );
    while (limiter.allow('site', 'site-link', 'command'));
    expect(limiter.allow('chair', 'chair-link', 'moderatorCommand')).toBe(true);
  });

  it('every client event has a budget', () => {
    for (const event of CLIENT_EVENT_NAMES) expect(BUDGETS[rateClassOf(event, 'site')]).toBeDefined();
  });
});
