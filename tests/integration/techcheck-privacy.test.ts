/**
 * The waiting room is not a hot mic: before the meeting is live, no bridge point or observer
 * receives the chair's microphone (its consumers are paused at the hub), until a moderator opens
 * the technical check to one site on purpose; going live opens it to everyone. Real mediasoup.
 */
import type { SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, setupMeeting } from '../support/inProcessHub.js';
import { eventually, must } from '../support/meeting.js';
import { flowing, type LiveClient, liveClient, publishOn, receive } from '../support/redis.js';

const HUE = 'hue' as SiteId;
const CAN_THO = 'can-tho' as SiteId;

let hub: Hub;
let meetingId: string;
let chair: LiveClient;
let operator: LiveClient;
let hue: LiveClient;
let canTho: LiveClient;
const clients: LiveClient[] = [];

/** Whether the hub has a consumer of the chair's microphone flowing to this client. */
const hearsChair = (c: LiveClient): boolean => flowing(c, HOST_SITE, 'mic');

beforeAll(async () => {
  const fx = await setupMeeting([HUE, CAN_THO], {
    chair: { role: 'chair', siteId: HOST_SITE },
    operator: { role: 'operator', displayName: 'Kỹ thuật viên' },
    hue: { role: 'site', siteId: HUE },
    canTho: { role: 'site', siteId: CAN_THO },
  });
  hub = fx.hub;
  meetingId = fx.meetingId;
  const join = async (name: string): Promise<LiveClient> => {
    const c = await liveClient(fx.url, fx.links[name]!.token, name);
    clients.push(c);
    await receive(c);
    return c;
  };
  chair = await join('chair');
  operator = await join('operator');
  hue = await join('hue');
  canTho = await join('canTho');
  await publishOn(hub, meetingId, chair, 5000);
  await must(chair.socket, 'meeting:openTechCheck', {});
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
});

describe('technical check privacy', () => {
  it("before the meeting is live, the bridge points do not receive the chair's microphone; the operator does", async () => {
    await eventually(() => hearsChair(operator), "the operator hears the chair's microphone");
    expect(hearsChair(hue)).toBe(false);
    expect(hearsChair(canTho)).toBe(false);
  });

  it('techCheck:talkTo opens the chair to that one site only, and closes it again', async () => {
    await must(operator.socket, 'techCheck:talkTo', { siteId: HUE });
    await eventually(() => hearsChair(hue), 'Huế hears the chair');
    expect(hearsChair(canTho)).toBe(false);
    await must(chair.socket, 'techCheck:talkTo', { siteId: null });
    await eventually(() => !hearsChair(hue), 'Huế no longer hears the chair');
  });

  it('a bridge point cannot open the line itself', async () => {
    const r = await must(hue.socket, 'techCheck:talkTo', { siteId: HUE }).catch((e: Error) => e.message);
    expect(String(r)).toMatch(/FORBIDDEN/);
  });

  it('going live opens the chair to every bridge point', async () => {
    await must(chair.socket, 'meeting:goLive', {});
    await eventually(() => hearsChair(hue) && hearsChair(canTho), 'every site hears the chair');
  });
});
