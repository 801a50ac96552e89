import { randomBytes } from 'node:crypto';
import { JoinLinkId, JoinRole, MeetingId, SiteId } from '@giaoban/shared';
import jwt from 'jsonwebtoken';
import { z } from 'zod';

const ISSUER = 'giaoban';
/** Audiences keep an organizer session token from being used as a join link, and back. */
const ORGANIZER_AUDIENCE = 'giaoban:organizer';
const JOIN_AUDIENCE = 'giaoban:join';
/** The algorithm is pinned: tokens signed any other way (or with `none`) are refused. */
const ALGORITHM = 'HS256' as const;

/** Claims of a join link token. */
const JoinClaims = z.object({
  sub: JoinLinkId,
  mid: MeetingId,
  role: JoinRole,
  sid: SiteId.nullable(),
  name: z.string(),
  exp: z.number(),
});
export type JoinClaims = z.infer<typeof JoinClaims>;

/** `jti` names the session, so signing out can revoke it. */
const OrganizerClaims = z.object({ sub: z.string(), jti: z.string().min(1), exp: z.number() });
export type OrganizerClaims = z.infer<typeof OrganizerClaims>;

/** Signs and verifies the hub's two kinds of tokens. */
export class TokenService {
  /** Signed-out organizer sessions (jti → expiry in ms), kept until they would have expired anyway. */
  readonly #revoked = new Map<string, number>();

  constructor(private readonly secret: string) {}

  /** Issues an organizer session token. */
  signOrganizer(username: string, validHours: number): { token: string; expiresAt: number } {
    const exp = Math.floor(Date.now() / 1000) + validHours * 3600;
    const jti = randomBytes(12).toString('base64url');
    const token = jwt.sign({ sub: username, jti, exp }, this.secret, {
      algorithm: ALGORITHM,
      issuer: ISSUER,
      audience: ORGANIZER_AUDIENCE,
    });
    return { token, expiresAt: exp * 1000 };
  }

  /** Verifies an organizer session token; null when invalid, expired or signed out. */
  verifyOrganizer(token: string): OrganizerClaims | null {
    const claims = this.verify(token, ORGANIZER_AUDIENCE, OrganizerClaims);
    return claims && !this.#revoked.has(claims.jti) ? claims : null;
  }

  /**
   * Ends an organizer session (sign-out): the token is refused from now on by this hub instance.
   * Returns false when the token was not a valid session.
   */
  revokeOrganizer(token: string): boolean {
    const claims = this.verifyOrganizer(token);
    if (!claims) return false;
    const now = Date.now();
    for (const [jti, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(jti);
    this.#revoked.set(claims.jti, claims.exp * 1000);
    return true;
  }

  /** Issues the token of a join link. */
  signJoin(claims: Omit<JoinClaims, 'exp'>, expiresAt: number): string {
    return jwt.sign({ ...claims, exp: Math.floor(expiresAt / 1000) }, this.secret, {
      algorithm: ALGORITHM,
      issuer: ISSUER,
      audience: JOIN_AUDIENCE,
    });
  }

  /** Verifies a join link token's signature, audience, issuer and expiry; null when any fails. */
  verifyJoin(token: string): JoinClaims | null {
    return this.verify(token, JOIN_AUDIENCE, JoinClaims);
  }

  private verify<T>(token: string, audience: string, schema: z.ZodType<T>): T | null {
    try {
      const payload = jwt.verify(token, this.secret, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience,
      });
      const parsed = schema.safeParse(payload);
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}
