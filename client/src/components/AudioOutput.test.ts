import type { SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { hearsChair } from './AudioOutput';

const HUE = 'hue' as SiteId;
const site = { role: 'site' as const, siteId: HUE };

describe('hearsChair()', () => {
  it("a bridge point does not play the chair's microphone before the meeting is live", () => {
    expect(hearsChair({ status: 'techCheck', techCheckTalkTo: null }, site)).toBe(false);
    expect(hearsChair({ status: 'scheduled', techCheckTalkTo: 'can-tho' as SiteId }, site)).toBe(false);
    expect(
      hearsChair({ status: 'techCheck', techCheckTalkTo: null }, { role: 'observer', siteId: null }),
    ).toBe(false);
  });

  it('plays it when the technical check is opened to this site, to moderators, and once live', () => {
    expect(hearsChair({ status: 'techCheck', techCheckTalkTo: HUE }, site)).toBe(true);
    expect(
      hearsChair({ status: 'techCheck', techCheckTalkTo: null }, { role: 'operator', siteId: null }),
    ).toBe(true);
    expect(hearsChair({ status: 'live', techCheckTalkTo: null }, site)).toBe(true);
  });
});
