import { createHmac } from 'node:crypto';
import type { JoinLink } from '@giaoban/shared';

/** What a site's link carries for a room system: where to dial and how to authenticate. */
export interface SipCredential {
  /** `sip:<meetingId>.<siteId>@<domain>:<port>` — the per-meeting, per-site address. */
  uri: string;
  /** The link's id: revoking the link revokes the credential. */
  username: string;
  password: string;
}

/**
 * SIP credentials derived from join links: the username is the link's id, the password an HMAC
 * of it under the hub's secret. Nothing extra is stored, every hub instance derives the same
 * password, and a revoked or expired link refuses the call because the link itself is checked.
 */
export class SipCredentials {
  constructor(
    private readonly secret: string,
    /** Host (and port) put in issued URIs. */
    private readonly domain: string,
    private readonly port: number,
  ) {}

  /** The password of a link's credential. */
  password(linkId: string): string {
    return createHmac('sha256', this.secret)
      .update(`sip-credential:${linkId}`)
      .digest('base64url')
      .slice(0, 20);
  }

  /** The credential of a site link (undefined for other roles). */
  forLink(link: JoinLink): SipCredential | undefined {
    if (link.role !== 'site' || link.siteId === null) return undefined;
    const host = this.domain.includes(':') ? `[${this.domain}]` : this.domain;
    return {
      uri: `sip:${link.meetingId}.${link.siteId}@${host}${this.port === 5060 ? '' : `:${this.port}`}`,
      username: link.id,
      password: this.password(link.id),
    };
  }
}

/** The meeting and site a dialled user part names (`<meetingId>.<siteId>`); undefined if malformed. */
export function parseSiteAddress(user: string): { meetingId: string; siteId: string } | undefined {
  const dot = user.indexOf('.');
  if (dot <= 0 || dot === user.length - 1 || user.length > 130) return undefined;
  return { meetingId: user.slice(0, dot), siteId: user.slice(dot + 1) };
}
