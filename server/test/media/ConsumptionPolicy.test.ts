import type { Role, SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { consumerTarget, mayPublish, PolicyPass, wantedOnDemand } from '../../src/media/index.js';
import { type SiteMediaStatus, SiteMediaTracker } from '../../src/media/SiteMediaTracker.js';
import { policy, site } from './helpers/room.js';

const HOST = site('host');
const A = site('a');
const B = site('b');
const viewer = (role: Role, siteId: SiteId | null, tiles: SiteId[] = []) => ({
  role,
  siteId,
  visibleTiles: new Set(tiles),
});

describe('consumerTarget()', () => {
  const pass = new PolicyPass(policy(A, [HOST, A]));

  it('sends the program stream at the top layer to every viewer but the program site itself', () => {
    for (const v of [
      viewer('site', B),
      viewer('observer', null),
      viewer('chair', HOST),
      viewer('operator', HOST),
    ]) {
      expect(consumerTarget(v, { siteId: null, source: 'program' }, pass)).toEqual({
        paused: false,
        spatialLayer: 2,
      });
      // The program site's camera itself is not needed: the program carries it.
      expect(consumerTarget(v, { siteId: A, source: 'camera' }, pass).paused).toBe(true);
    }
    expect(consumerTarget(viewer('site', A), { siteId: null, source: 'program' }, pass).paused).toBe(true);
    expect(consumerTarget(viewer('site', A), { siteId: null, source: 'program' }, null).paused).toBe(true);
  });

  it("sends a linked parent meeting's program into every room, the program site's own too", () => {
    // The province relays the nation: its host (the program site here) watches the nation too.
    const relaying = new PolicyPass(policy(HOST, [HOST]));
    relaying.programFromInput = true;
    for (const v of [
      viewer('chair', HOST),
      viewer('site', HOST),
      viewer('site', A),
      viewer('observer', null),
    ])
      expect(consumerTarget(v, { siteId: null, source: 'program' }, relaying)).toEqual({
        paused: false,
        spatialLayer: 2,
      });
    // Its own stage again (the link dropped, a local segment): the host's room does not see itself.
    const local = new PolicyPass(policy(HOST, [HOST]));
    expect(consumerTarget(viewer('chair', HOST), { siteId: null, source: 'program' }, local).paused).toBe(
      true,
    );
  });

  it('sends visible tiles at the lowest layer to grid viewers only', () => {
    expect(consumerTarget(viewer('operator', HOST, [B]), { siteId: B, source: 'camera' }, pass)).toEqual({
      paused: false,
      spatialLayer: 0,
    });
    expect(consumerTarget(viewer('site', HOST, [B]), { siteId: B, source: 'camera' }, pass).paused).toBe(
      true,
    );
    expect(consumerTarget(viewer('observer', null, [B]), { siteId: B, source: 'camera' }, pass).paused).toBe(
      true,
    );
    expect(consumerTarget(viewer('chair', HOST, []), { siteId: B, source: 'camera' }, pass).paused).toBe(
      true,
    );
  });

  it('never sends a camera back into its own room', () => {
    expect(consumerTarget(viewer('operator', A, [A]), { siteId: A, source: 'camera' }, pass).paused).toBe(
      true,
    );
    expect(consumerTarget(viewer('site', A), { siteId: A, source: 'camera' }, pass).paused).toBe(true);
  });

  it('sends the corner picture (the chair while a site has the floor) at the middle layer', () => {
    const withCorner = new PolicyPass(policy(A, [HOST, A], [], HOST));
    expect(consumerTarget(viewer('site', B), { siteId: HOST, source: 'camera' }, withCorner)).toEqual({
      paused: false,
      spatialLayer: 1,
    });
    expect(consumerTarget(viewer('site', B), { siteId: HOST, source: 'camera' }, pass).paused).toBe(true);
  });

  it('keeps every camera paused before the first policy', () => {
    expect(consumerTarget(viewer('chair', HOST, [A]), { siteId: A, source: 'camera' }, null).paused).toBe(
      true,
    );
  });

  it('lets microphones flow except into the same room, and screens to everyone', () => {
    expect(consumerTarget(viewer('site', B), { siteId: A, source: 'mic' }, pass).paused).toBe(false);
    expect(consumerTarget(viewer('operator', HOST), { siteId: HOST, source: 'mic' }, pass).paused).toBe(true);
    expect(consumerTarget(viewer('observer', null), { siteId: HOST, source: 'mic' }, null).paused).toBe(
      false,
    );
    expect(consumerTarget(viewer('observer', null), { siteId: B, source: 'screen' }, pass).paused).toBe(
      false,
    );
  });
});

describe('on-demand consumption', () => {
  it('wants the program, the corner camera, open microphones and screens — nothing else', () => {
    const pass = new PolicyPass(policy(A, [HOST, A], [HOST], HOST)); // the chair muted itself
    for (const obs of [viewer('observer', null), viewer('site', B), viewer('chair', HOST)]) {
      expect(wantedOnDemand(obs, { siteId: null, source: 'program' }, pass)).toBe(true);
      expect(wantedOnDemand(obs, { siteId: A, source: 'camera' }, pass)).toBe(false);
      expect(wantedOnDemand(obs, { siteId: B, source: 'camera' }, pass)).toBe(false);
    }
    const obs = viewer('observer', null);
    expect(wantedOnDemand(obs, { siteId: HOST, source: 'camera' }, pass)).toBe(true);
    expect(wantedOnDemand(obs, { siteId: B, source: 'camera' }, pass)).toBe(false);
    expect(wantedOnDemand(obs, { siteId: A, source: 'mic' }, pass)).toBe(true);
    expect(wantedOnDemand(obs, { siteId: HOST, source: 'mic' }, pass)).toBe(false); // self-muted
    expect(wantedOnDemand(obs, { siteId: B, source: 'mic' }, pass)).toBe(false); // not allowed
    expect(wantedOnDemand(obs, { siteId: B, source: 'screen' }, pass)).toBe(true);
    // Never its own room; nothing but screens before the first policy.
    expect(wantedOnDemand(viewer('secretary', A), { siteId: A, source: 'camera' }, pass)).toBe(false);
    expect(wantedOnDemand(viewer('secretary', A), { siteId: A, source: 'mic' }, pass)).toBe(false);
    expect(wantedOnDemand(obs, { siteId: A, source: 'mic' }, null)).toBe(false);
    expect(wantedOnDemand(obs, { siteId: A, source: 'camera' }, null)).toBe(false);
    expect(wantedOnDemand(obs, { siteId: A, source: 'screen' }, null)).toBe(true);
    // The program is always held, even by the site on stage (paused there) and before any policy.
    expect(wantedOnDemand(viewer('site', A), { siteId: null, source: 'program' }, pass)).toBe(true);
    expect(wantedOnDemand(obs, { siteId: null, source: 'program' }, null)).toBe(true);
  });

  it('keeps the cameras of warm sites (the host) wanted, paused while not shown, outside their own room', () => {
    const warm = new PolicyPass({ ...policy(A, [HOST, A]), warmSiteIds: [HOST] });
    expect(wantedOnDemand(viewer('site', B), { siteId: HOST, source: 'camera' }, warm)).toBe(true);
    expect(consumerTarget(viewer('site', B), { siteId: HOST, source: 'camera' }, warm).paused).toBe(true);
    expect(wantedOnDemand(viewer('chair', HOST), { siteId: HOST, source: 'camera' }, warm)).toBe(false);
    expect(wantedOnDemand(viewer('site', B), { siteId: A, source: 'camera' }, warm)).toBe(false);
  });

  it("wants a grid tile only while it is on a moderator's screen", () => {
    const pass = new PolicyPass(policy(A, [HOST, A]));
    expect(wantedOnDemand(viewer('operator', HOST, [B]), { siteId: B, source: 'camera' }, pass)).toBe(true);
    expect(wantedOnDemand(viewer('operator', HOST, []), { siteId: B, source: 'camera' }, pass)).toBe(false);
    expect(wantedOnDemand(viewer('site', HOST, [B]), { siteId: B, source: 'camera' }, pass)).toBe(false);
  });
});

describe('PolicyPass', () => {
  it('asks the domain once per site and role per pass', () => {
    let calls = 0;
    const pass = new PolicyPass({
      programSiteId: null,
      micAllowed: () => {
        calls++;
        return true;
      },
      selfMuted: (s) => s === B,
      gridViewer: () => {
        calls++;
        return false;
      },
    });
    for (let i = 0; i < 100; i++) {
      pass.micOpen(A);
      pass.micOpen(B);
      pass.gridViewer('site');
    }
    expect(calls).toBe(3);
    expect(pass.micOpen(A)).toBe(true);
    expect(pass.micOpen(B)).toBe(false);
  });
});

describe('mayPublish()', () => {
  it.each([
    ['chair', true, true, true],
    ['site', true, true, true],
    ['operator', false, true, true], // a microphone for talk-back only
    ['secretary', false, false, false],
    ['observer', false, false, false],
    ['organizer', false, false, false],
  ] as const)('%s: camera %s, mic %s, screen %s', (role, camera, mic, screen) => {
    expect(mayPublish(role, 'camera')).toBe(camera);
    expect(mayPublish(role, 'mic')).toBe(mic);
    expect(mayPublish(role, 'screen')).toBe(screen);
  });
});

describe('SiteMediaTracker', () => {
  it('reports flowing, poor with hysteresis, and none, only on change', () => {
    const seen: SiteMediaStatus[] = [];
    const t = new SiteMediaTracker((s) => seen.push(s));
    t.producerScore(A, 'cam', []); // created, nothing received yet
    expect(seen).toEqual([]);
    t.producerScore(A, 'cam', [{ score: 10 }, { score: 0 }, { score: 9 }]);
    t.producerScore(A, 'mic', [{ score: 10 }]);
    t.producerScore(A, 'cam', [{ score: 4 }]);
    t.producerScore(A, 'cam', [{ score: 6 }]); // still poor until 7
    t.producerScore(A, 'cam', [{ score: 8 }]);
    t.producerScore(A, 'cam', [{ score: 0 }]); // camera stalled: the microphone still delivers
    t.producerClosed(A, 'mic');
    expect(seen.map((s) => [s.state, s.score])).toEqual([
      ['flowing', 10],
      ['poor', 4],
      ['flowing', 8],
      ['none', 0],
    ]);
    expect(t.status(A).state).toBe('none');
  });
});
