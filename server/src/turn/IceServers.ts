/**
 * What a page gets to reach the media over TURN: the ICE servers with a fresh, time-limited
 * credential for its join link, and whether it must relay everything. Handed out with every
 * `meeting:join`, so a page that joins again (reconnect, reload) has a credential that is new.
 */
import type { IceConfig } from '@giaoban/shared';
import type { TurnConfig } from './TurnConfig.js';
import { issueTurnCredential } from './TurnCredentials.js';

/** No TURN: host candidates only, the page may use any path. */
export const NO_ICE_SERVERS: IceConfig = { iceServers: [], iceTransportPolicy: 'all', expiresAt: null };

/** Builds each page's ICE configuration from the TURN settings and the shared secret. */
export class IceServers {
  constructor(
    private readonly config: TurnConfig,
    private readonly secret: string,
  ) {}

  /**
   * The ICE servers for a page of join link `linkId` that reached the hub at `pageHost` (the
   * HTTP Host header: the embedded coturn runs on the same machine, so the same name reaches it).
   */
  forPage(linkId: string, pageHost: string | undefined, now: number = Date.now()): IceConfig {
    const urls = this.config.urls ?? this.#embeddedUrls(pageHost);
    if (urls.length === 0) return NO_ICE_SERVERS;
    const credential = issueTurnCredential(this.secret, linkId, this.config.ttlSeconds, now);
    return {
      iceServers: [{ urls, username: credential.username, credential: credential.credential }],
      iceTransportPolicy: this.config.forceRelay ? 'relay' : 'all',
      expiresAt: credential.expiresAt,
    };
  }

  #embeddedUrls(pageHost: string | undefined): string[] {
    const host = this.config.host ?? hostOnly(pageHost);
    if (!host) return [];
    const { port, tlsPort } = this.config.embedded;
    return [
      ...(port ? [`turn:${host}:${port}?transport=udp`, `turn:${host}:${port}?transport=tcp`] : []),
      ...(tlsPort ? [`turns:${host}:${tlsPort}?transport=tcp`] : []),
    ];
  }
}

/** `hub.example.vn:8443` → `hub.example.vn`; `[::1]:8080` → `[::1]`; junk → null. */
function hostOnly(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    const { hostname } = new URL(`http://${hostHeader}`);
    return hostname || null;
  } catch {
    return null;
  }
}
