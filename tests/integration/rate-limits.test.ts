/**
 * Request budgets at the socket edge, with either store: a bridge point flooding commands is
 * refused with LIMIT past its budget, a reconnect buys no fresh budget, the chair's commands are
 * still answered, and a flood of identical commands broadcasts nothing.
 */
import type { IssueLinkBody, SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { connect, eventually, type HubSocket, must, request } from '../support/meeting.js';
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
    /**
     * meeting:changed batches the observer received that change a room's microphone (selfMuted) —
     * the only thing `mic:selfMute` changes. Presence, totals, joins or other clients' changes that
     * land meanwhile are not counted.
     */
    const micChanges: Record<string, number> = {};
    /** Batches carrying the chair's own room at all (a re-broadcast of an unchanged room counts). */
    let hostSiteBatches = 0;
    const selfMuted = new Map<string, boolean>();
    let chair: HubSocket;
    let observer: HubSocket;

    /**
     * The chair sets its own room's microphone and waits until the observer has seen it. Batches
     * arrive in version order, so everything broadcast before it has arrived too (with Redis a
     * broadcast reaches even this instance's clients after a round trip: a sync does not flush).
     */
    const chairMutedSeen = async (muted: boolean): Promise<void> => {
      await must(chair, 'mic:selfMute', { muted });
      await eventually(
        () => selfMuted.get(HOST_SITE) === muted,
        "the observer to see the chair's mic",
        30_000,
      );
    };

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
      observer = await joined('observer');
      for (const site of (await must(observer, 'meeting:sync', {})).sites)
        selfMuted.set(site.id, site.selfMuted);
      observer.on('meeting:changed', (batch) => {
        if (batch.changes.some((c) => c.type === 'site' && c.site.id === HOST_SITE)) hostSiteBatches++;
        for (const c of batch.changes) {
          if (c.type !== 'site' || selfMuted.get(c.site.id) === c.site.selfMuted) continue;
          selfMuted.set(c.site.id, c.site.selfMuted);
          micChanges[c.site.id] = (micChanges[c.site.id] ?? 0) + 1;
        }
      });
      await must(chair, 'meeting:openTechCheck', {});
      const hue = await joined('hue');
      const before = micChanges[HUE] ?? 0;
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
      // Only accepted commands may change Huế's microphone for the other clients.
      await chairMutedSeen(true);
      expect((micChanges[HUE] ?? 0) - before).toBeLessThanOrEqual(accepted.length);
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
      await chairMutedSeen(true);
      const before = hostSiteBatches;
      const answers = await Promise.all(
        Array.from({ length: 25 }, () => request(chair, 'mic:selfMute', { muted: true })),
      );
      expect(answers.every((r) => r.ok)).toBe(true);
      // The unmute that follows is the only batch about the chair's room the observer sees.
      await chairMutedSeen(false);
      expect(hostSiteBatches - before).toBe(1);
    });
  });
}
