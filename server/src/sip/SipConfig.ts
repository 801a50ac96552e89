/** How the SIP edge listens, read from the environment. */
export interface SipConfig {
  /** UDP and TCP port; 0 = SIP off. */
  port: number;
  /** Address to bind (MEDIA_LISTEN_IP). */
  host: string;
  /** Host written in issued SIP URIs (SIP_DOMAIN, else MEDIA_ANNOUNCED_IP, else the listen address). */
  domain: string;
  /** Address written in our SDP answers. */
  mediaAddress: string;
  /** Calls at once on this hub. */
  maxCalls: number;
}

/** A SIP setting that cannot be used; the message names the variable. */
export class SipConfigError extends Error {
  override readonly name = 'SipConfigError';
}

/** Reads SIP_PORT (default 5060, 0 = off), SIP_DOMAIN and SIP_MAX_CALLS. */
export function loadSipConfig(
  env: NodeJS.ProcessEnv,
  media: { listenIp: string; announcedIp: string | undefined },
): SipConfig {
  const raw = env.SIP_PORT?.trim();
  const port = raw === undefined || raw === '' ? 5060 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SipConfigError(`SIP_PORT must be an integer between 0 and 65535, got "${raw}"`);
  }
  const maxRaw = env.SIP_MAX_CALLS?.trim();
  const maxCalls = maxRaw ? Number(maxRaw) : 64;
  if (!Number.isInteger(maxCalls) || maxCalls < 1 || maxCalls > 1000) {
    throw new SipConfigError(`SIP_MAX_CALLS must be an integer between 1 and 1000, got "${maxRaw}"`);
  }
  const reachable = media.announcedIp ?? (media.listenIp === '0.0.0.0' ? '127.0.0.1' : media.listenIp);
  return {
    port,
    host: media.listenIp,
    domain: env.SIP_DOMAIN?.trim() || reachable,
    mediaAddress: reachable,
    maxCalls,
  };
}
