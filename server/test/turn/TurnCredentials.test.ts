import { describe, expect, it } from 'vitest';
import { IceServers } from '../../src/turn/IceServers.js';
import { loadTurnConfig, TurnConfigError } from '../../src/turn/TurnConfig.js';
import { issueTurnCredential, verifyTurnCredential } from '../../src/turn/TurnCredentials.js';

const SECRET = 'turn-rest-secret-for-tests';
const NOW = Date.UTC(2026, 11, 5, 8, 0, 0);

describe('TURN REST credentials', () => {
  it('issueTurnCredential() names the expiry and the link, and signs with HMAC-SHA1 of the secret', () => {
    const c = issueTurnCredential(SECRET, 'link-1', 3600, NOW);
    expect(c.username).toBe(`${NOW / 1000 + 3600}:link-1`);
    expect(c.expiresAt).toBe(NOW + 3600_000);
    // The same HMAC coturn computes (RFC 2104 over the username, base64).
    expect(c.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    expect(verifyTurnCredential(SECRET, c.username, c.credential, NOW)).toBe('valid');
  });

  it('verifyTurnCredential() refuses a credential past its expiry', () => {
    const c = issueTurnCredential(SECRET, 'link-1', 60, NOW);
    expect(verifyTurnCredential(SECRET, c.username, c.credential, NOW + 59_000)).toBe('valid');
    expect(verifyTurnCredential(SECRET, c.username, c.credential, NOW + 60_000)).toBe('expired');
  });

  it('verifyTurnCredential() refuses a credential signed with another secret or for another user', () => {
    const c = issueTurnCredential('another-secret-entirely', 'link-1', 3600, NOW);
    expect(verifyTurnCredential(SECRET, c.username, c.credential, NOW)).toBe('bad-signature');
    const mine = issueTurnCredential(SECRET, 'link-1', 3600, NOW);
    expect(
      verifyTurnCredential(SECRET, mine.username.replace('link-1', 'link-2'), mine.credential, NOW),
    ).toBe('bad-signature');
    expect(verifyTurnCredential(SECRET, 'no-expiry', mine.credential, NOW)).toBe('malformed');
  });

  it('issueTurnCredential() rejects an empty secret and a user part with ":"', () => {
    expect(() => issueTurnCredential('', 'link-1', 60)).toThrow(/empty secret/);
    expect(() => issueTurnCredential(SECRET, 'a:b', 60)).toThrow(/must not contain/);
  });
});

describe('TURN settings and the ICE servers a page gets', () => {
  it('loadTurnConfig() is off by default and names the variable of a bad value', () => {
    expect(loadTurnConfig({}, '/tmp/x')).toBeNull();
    expect(() => loadTurnConfig({ TURN: 'maybe' }, '/tmp/x')).toThrow(TurnConfigError);
    expect(() => loadTurnConfig({ TURN: 'external' }, '/tmp/x')).toThrow(/TURN_URLS and TURN_SECRET/);
    expect(() => loadTurnConfig({ TURN: 'embedded', TURN_TLS_PORT: '70000' }, '/tmp/x')).toThrow(
      /TURN_TLS_PORT/,
    );
    expect(() => loadTurnConfig({ TURN: 'embedded', TURN_PORT: '0', TURN_TLS_PORT: '0' }, '/tmp/x')).toThrow(
      /both be 0/,
    );
    expect(() =>
      loadTurnConfig({ TURN: 'external', TURN_URLS: 'http://x', TURN_SECRET: SECRET }, '/tmp/x'),
    ).toThrow(/TURN_URLS/);
  });

  it('embedded: the page gets TURN on UDP/TCP 3478 and TLS 443 at the host it reached the hub by', () => {
    const config = loadTurnConfig({ TURN: 'embedded' }, '/tmp/x');
    if (!config) throw new Error('TURN should be on');
    const ice = new IceServers(config, SECRET).forPage('link-7', 'hub.so-tttt.gov.vn:8080', NOW);
    expect(ice.iceTransportPolicy).toBe('all');
    expect(ice.iceServers).toHaveLength(1);
    expect(ice.iceServers[0]?.urls).toEqual([
      'turn:hub.so-tttt.gov.vn:3478?transport=udp',
      'turn:hub.so-tttt.gov.vn:3478?transport=tcp',
      'turns:hub.so-tttt.gov.vn:443?transport=tcp',
    ]);
    const { username = '', credential = '' } = ice.iceServers[0] ?? {};
    expect(username).toBe(`${NOW / 1000 + 12 * 3600}:link-7`);
    expect(verifyTurnCredential(SECRET, username, credential, NOW)).toBe('valid');
    expect(ice.expiresAt).toBe(NOW + 12 * 3600_000);
  });

  it('a page asking again (a rejoin) gets a new credential with a later expiry', () => {
    const config = loadTurnConfig({ TURN: 'embedded', TURN_TTL_SECONDS: '600' }, '/tmp/x');
    if (!config) throw new Error('TURN should be on');
    const servers = new IceServers(config, SECRET);
    const first = servers.forPage('link-7', 'hub', NOW);
    const later = servers.forPage('link-7', 'hub', NOW + 300_000);
    expect(later.iceServers[0]?.username).not.toBe(first.iceServers[0]?.username);
    expect(later.expiresAt).toBe((first.expiresAt ?? 0) + 300_000);
  });

  it('external with TURN_FORCE_RELAY: the configured URLs, relay only', () => {
    const config = loadTurnConfig(
      {
        TURN: 'external',
        TURN_SECRET: SECRET,
        TURN_URLS: 'turns:turn.example.vn:443?transport=tcp',
        TURN_FORCE_RELAY: '1',
      },
      '/tmp/x',
    );
    if (!config) throw new Error('TURN should be on');
    const ice = new IceServers(config, SECRET).forPage('link-1', 'ignored', NOW);
    expect(ice.iceServers[0]?.urls).toEqual(['turns:turn.example.vn:443?transport=tcp']);
    expect(ice.iceTransportPolicy).toBe('relay');
  });
});
