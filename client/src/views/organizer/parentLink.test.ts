import { describe, expect, it } from 'vitest';
import { parseRelayLink } from './parentLink';

/** A token shaped like the hub's join tokens (header.claims.signature), with Vietnamese in its name. */
const token = (claims: Record<string, unknown>) =>
  ['eyJhbGciOiJIUzI1NiJ9', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'c2lnbmF0dXJl'].join(
    '.',
  );

describe('parseRelayLink()', () => {
  const relay = token({ sub: 'l1', mid: 'm1', role: 'relay', sid: 'nghe-an', name: 'Tỉnh Nghệ An' });

  it('takes the hub address and the token from a pasted join URL, and names the site', () => {
    expect(parseRelayLink(`https://giaoban.gov.vn:8443/join#${relay}`, '')).toEqual({
      url: 'https://giaoban.gov.vn:8443',
      token: relay,
      siteName: 'Tỉnh Nghệ An',
    });
  });

  it('keeps an address typed beside a bare token', () => {
    expect(parseRelayLink(` ${relay} `, 'http://10.0.0.5:3000/organizer')).toEqual({
      url: 'http://10.0.0.5:3000',
      token: relay,
      siteName: 'Tỉnh Nghệ An',
    });
  });

  it('has no address for a bare token alone or a non-http address, and no name for a token it cannot read', () => {
    expect(parseRelayLink('not-a-jwt-token', 'ftp://x')).toEqual({
      url: null,
      token: 'not-a-jwt-token',
      siteName: null,
    });
  });
});
