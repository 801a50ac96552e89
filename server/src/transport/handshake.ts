import {
  HandshakeAuth,
  type HandshakeErrorData,
  type JoinLink,
  type ParticipantId,
  PROTOCOL_VERSION,
  type Role,
  roleOfLink,
  type SiteId,
} from '@giaoban/shared';
import type { JoinClaims, TokenService } from '../auth/tokens.js';

/** The authenticated identity of one socket, derived from its join link — never from payloads. */
export interface SocketIdentity {
  participantId: ParticipantId;
  linkId: string;
  meetingId: string;
  role: Role;
  siteId: SiteId | null;
  displayName: string;
  /** When the link's token expires (ms); the connection is closed then. */
  expiresAt: number;
  /** A relay link (another hub, for a linked meeting): it acts as its site and may open a media pipe. */
  relay?: boolean;
}

/** An error socket.io hands to the client's `connect_error`, with typed `data`. */
export class HandshakeError extends Error {
  readonly data: HandshakeErrorData;
  constructor(code: HandshakeErrorData['code'], message: string) {
    super(message);
    this.data = { code, message, serverProtocolVersion: PROTOCOL_VERSION };
  }
}

/**
 * Checks a connection's handshake: protocol version, join token (signature, audience, issuer,
 * expiry) and that its link is still issued (not revoked). Throws HandshakeError.
 */
export async function authenticateHandshake(
  auth: unknown,
  tokens: TokenService,
  getLink: (id: string) => Promise<JoinLink | null>,
  newParticipantId: () => string,
): Promise<SocketIdentity> {
  const parsed = HandshakeAuth.safeParse(auth);
  if (!parsed.success) {
    throw new HandshakeError('VALIDATION', 'Handshake must carry { token, protocolVersion }');
  }
  if (parsed.data.protocolVersion !== PROTOCOL_VERSION) {
    throw new HandshakeError(
      'PROTOCOL_MISMATCH',
      `Client speaks protocol ${parsed.data.protocolVersion}, this hub speaks ${PROTOCOL_VERSION}: reload the page`,
    );
  }
  const claims: JoinClaims | null = tokens.verifyJoin(parsed.data.token);
  if (!claims) throw new HandshakeError('UNAUTHENTICATED', 'This join link is invalid or has expired');
  const link = await getLink(claims.sub);
  if (!link || link.meetingId !== claims.mid) {
    throw new HandshakeError('UNAUTHENTICATED', 'This join link does not exist');
  }
  if (link.revokedAt !== null) throw new HandshakeError('UNAUTHENTICATED', 'This join link has been revoked');
  return {
    participantId: newParticipantId() as ParticipantId,
    linkId: link.id,
    meetingId: link.meetingId,
    // A relay link's hub is, in the meeting, the bridge point it stands for.
    role: roleOfLink(link.role),
    siteId: link.siteId,
    displayName: link.displayName,
    expiresAt: claims.exp * 1000,
    ...(link.role === 'relay' ? { relay: true } : {}),
  };
}
