import type { IceConfig } from '@giaoban/shared';

/**
 * Whether this device must send all media through the hub's TURN relay: where a site's security
 * policy forbids direct media, its link is opened as `/join?relay=1` (or an administrator sets
 * `localStorage['giaoban.forceRelay'] = '1'` once on that computer). The hub can also require it
 * for everyone (TURN_FORCE_RELAY, docs/TURN.md).
 */
export function relayForcedHere(search: string = window.location.search): boolean {
  if (new URLSearchParams(search).get('relay') === '1') return true;
  try {
    return window.localStorage.getItem('giaoban.forceRelay') === '1';
  } catch {
    return false; // storage blocked: the link's own option still counts
  }
}

/** The ICE part of a mediasoup-client transport's options, from the hub's answer and this device's rule. */
export function iceOptions(
  ice: IceConfig | undefined,
  forceRelay: boolean,
): { iceServers: RTCIceServer[]; iceTransportPolicy: RTCIceTransportPolicy } {
  const relay = forceRelay || ice?.iceTransportPolicy === 'relay';
  return {
    iceServers: (ice?.iceServers ?? []).map((s) => ({
      urls: s.urls,
      ...(s.username !== undefined ? { username: s.username } : {}),
      ...(s.credential !== undefined ? { credential: s.credential } : {}),
    })),
    iceTransportPolicy: relay ? 'relay' : 'all',
  };
}
