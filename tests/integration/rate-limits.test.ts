/**
 * Request budgets at the socket edge, with either store: a bridge point flooding commands is
 * refused with LIMIT past its budget, a reconnect buys no fresh budget, the chair's commands are
 * still answered, and a flood of identical commands broadcasts nothing.
 */
import type { IssueLinkBody, SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { connect, type HubSocket, must, request } from '../support/meeting.js';
import { prepareMeeting, type RedisServer, redisHubEnv, startRedis } from '../support/redis.js';

const HUE = 'hue' as SiteId;
const CAN_THO = 'can-tho' as SiteId;

for (const store of ['memory', 'redis'] as const) {
  describe(`request budgets (${store} store)`, () => {
    let redis: RedisServer | null = null;
    let hub: Hub;
    let url: string;
    let tokens: Record<string, string>;
    const opened: HubSocket[] = [];
    /** meeting:changed batches the observer received. */
    let batches = 0;
    let chair: HubSocket;

    const joined = async (name: string): Promise<HubSocket> => {
      const s = await connect(url, tokens[name]!);
      opened.push(s);
      await must(s, 'meeting:join', {});
      return s;
    };

    beforeAll(async () => {
      let env: Record<string, string> = {};
      if (store === 'redis') {
        redis = await startRedis();
        env = redisHubEnv(redis);
      }
      hub = await startTestHub(env);
      url = hub.url.replace('localhost', '127.0.0.1');
      const people: Record<string, IssueLinkBody> = {
        chair: { role: 'chair', siteId: HOST_SITE },
        hue: { role: 'site', siteId: HUE },
        canTho: { role: 'site', siteId: CAN_THO },
        observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
      };
      ({ tokens } = await prepareMeeting(url, [HUE, CAN_THO], people));
    }, 60_000);

    afterAll(async () => {
      for (const s of opened) s.close();
      await hub?.stop();
      await redis?.stop();
    });

    it("a site's command flood is refused with LIMIT past its budget; the chair is still answered", async () => {
      chair = await joined('chair');
      const observer = await joined('observer');
      observer.on('meeting:changed', () => batches++);
      await must(chair, 'meeting:openTechCheck', {});
      const hue = await joined('hue');
      const before = batches;
      const flood = Array.from({ length: 200 }, (_, i) =>
        request(hue, 'mic:selfMute', { muted: i % 2 === 0 }),
      );
      const chairAnswer = request(chair, 'stage:pin', { siteId: HUE });
      const results = await Promise.all(flood);
      expect((await chairAnswer).ok).toBe(true);
      const refused = results.filter((r) => !r.ok && r.error.code === 'LIMIT');
      const accepted = results.filter((r) => r.ok);
      expect(refused.length).toBeGreaterThan(0);
      expect(accepted.length + refused.length).toBe(200);
      // Only accepted commands (and the chair's pin) may reach the other clients.
      await must(observer, 'meeting:sync', {});
      expect(batches - before).toBeLessThanOrEqual(accepted.length + 1);
    });

    it('a reconnect buys no fresh budget', async () => {
      const first = await joined('canTho');
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => request(first, 'mic:selfMute', { muted: i % 2 === 0 })),
      );
      expect(answers.some((r) => !r.ok && r.error.code === 'LIMIT')).toBe(true);
      first.close();
      const again = await connect(url, tokens.canTho!);
      opened.push(again);
      await must(again, 'meeting:join', {});
      // A fresh connection alone would allow a whole burst; the link's drained budget does not.
      const burst = await Promise.all(
        Array.from({ length: 10 }, (_, i) => request(again, 'mic:selfMute', { muted: i % 2 === 0 })),
      );
      expect(burst.some((r) => !r.ok && r.error.code === 'LIMIT')).toBe(true);
    });

    it('a flood of identical commands broadcasts nothing', async () => {
      // The chair mutes its own room's microphone, again and again.
      await must(chair, 'mic:selfMute', { muted: true });
      await must(chair, 'meeting:sync', {});
      const before = batches;
      const answers = await Promise.all(
        Array.from({ length: 25 }, () => request(chair, 'mic:selfMute', { muted: true })),
      );
      expect(answers.every((r) => r.ok)).toBe(true);
      await must(chair, 'meeting:sync', {});
      expect(batches).toBe(before);
    });
  });
}
