import { describe, expect, it } from 'vitest';
import { iceOptions, relayForcedHere } from './iceOptions';

const TURN = {
  iceServers: [
    { urls: ['turns:hub.example.vn:443?transport=tcp'], username: '1:link', credential: 'c2VjcmV0' },
  ],
  iceTransportPolicy: 'all' as const,
  expiresAt: 1000,
};

describe('iceOptions', () => {
  it('passes the hub’s TURN servers with their credential and keeps any path when nothing forces relay', () => {
    expect(iceOptions(TURN, false)).toEqual({
      iceServers: [
        { urls: ['turns:hub.example.vn:443?transport=tcp'], username: '1:link', credential: 'c2VjcmV0' },
      ],
      iceTransportPolicy: 'all',
    });
  });

  it('relays only when this device is told to, or when the hub says every page must', () => {
    expect(iceOptions(TURN, true).iceTransportPolicy).toBe('relay');
    expect(iceOptions({ ...TURN, iceTransportPolicy: 'relay' }, false).iceTransportPolicy).toBe('relay');
  });

  it('without TURN from the hub: no ICE servers, direct media', () => {
    expect(iceOptions(undefined, false)).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
  });

  it('relayForcedHere() reads ?relay=1 from the link', () => {
    expect(relayForcedHere('?relay=1')).toBe(true);
    expect(relayForcedHere('?relay=0')).toBe(false);
  });
});
