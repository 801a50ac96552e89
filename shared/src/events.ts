import { z } from 'zod';
import type { MeetingChanged } from './changes.js';
import { type ConclusionView, DocSchemas, type DocSyncResult, type WireBytes } from './docs.js';
import type { Result } from './errors.js';
import { AgendaItemId, DocumentId, FloorRequestId, MinuteEntryId, SiteId } from './ids.js';
import {
  type ConsumerInfo,
  type ConsumerState,
  MediaSchemas,
  type MicState,
  type TransportInfo,
} from './media.js';
import type { Role } from './roles.js';
import { SlidePoint, type SlidePointer } from './slides.js';
import { type MeetingSnapshot, type MinuteEntry, MinuteKind, type ParticipantState } from './state.js';

/** Bumped on any incompatible change of events or payloads. Checked at the socket handshake. */
export const PROTOCOL_VERSION = 1;

/** What the client sends in socket.io's `auth` at connect. */
export const HandshakeAuth = z.object({
  token: z.string().min(10).max(4096),
  protocolVersion: z.number().int(),
});
export type HandshakeAuth = z.infer<typeof HandshakeAuth>;

/** No fields allowed. Typed as `{}` (zod infers `Record<string, never>`, which cannot carry a command's `type`). */
// biome-ignore lint/complexity/noBannedTypes: an empty payload is exactly `{}`
const Empty: z.ZodType<{}> = z.strictObject({});
const Topic = z.string().trim().max(300);

/** Schema of every client → server payload, keyed by event name. The server validates each one. */
export const ClientEventSchemas = {
  'meeting:join': Empty,
  'meeting:sync': Empty,
  'meeting:openTechCheck': Empty,
  'meeting:goLive': Empty,
  'meeting:end': Empty,
  'agenda:advance': Empty,
  'agenda:open': z.object({ itemId: AgendaItemId }).strict(),
  'queue:request': z.object({ topic: Topic }).strict(),
  'queue:withdraw': z.object({ requestId: FloorRequestId }).strict(),
  'queue:reorder': z.object({ requestIds: z.array(FloorRequestId).max(1000) }).strict(),
  'floor:grant': z
    .object({
      requestId: FloorRequestId.optional(),
      siteId: SiteId.optional(),
      /** Time limit in seconds; the meeting default when omitted; 0 = open-ended. */
      seconds: z.number().int().min(0).max(3600).optional(),
    })
    .strict()
    .refine((v) => (v.requestId === undefined) !== (v.siteId === undefined), {
      message: 'give exactly one of requestId or siteId',
    }),
  'floor:revoke': Empty,
  'floor:extend': z.object({ seconds: z.number().int().min(1).max(3600) }).strict(),
  'floor:yield': Empty,
  'stage:pin': z.object({ siteId: SiteId.nullable() }).strict(),
  'site:declare': z
    .object({ delegates: z.number().int().min(0).max(10_000), siteId: SiteId.optional() })
    .strict(),
  'mic:set': z.object({ siteId: SiteId, open: z.boolean() }).strict(),
  'mic:selfMute': z.object({ muted: z.boolean() }).strict(),
  'minutes:list': Empty,
  'minutes:add': z
    .object({ agendaItemId: AgendaItemId, kind: MinuteKind, text: z.string().trim().min(1).max(20_000) })
    .strict(),
  'minutes:confirm': z.object({ entryId: MinuteEntryId }).strict(),
  /** Shows a converted document on every screen, from page 1 (presenter). */
  'slides:show': z.object({ documentId: DocumentId }).strict(),
  /** Turns to a page, 1-based (presenter). */
  'slides:page': z.object({ page: z.number().int().min(1).max(10_000) }).strict(),
  /** Makes a site the presenter, or gives the pages back to the moderators with null (moderators). */
  'slides:presenter': z.object({ siteId: SiteId.nullable() }).strict(),
  /** Takes the document off every screen (presenter). */
  'slides:stop': Empty,
  /** Where the presenter points, as a fraction of the page; `{}` hides the pointer. Volatile. */
  'slides:pointer': z.union([SlidePoint, Empty]),
  /** Secretary workspace: exchange state vectors; the ack carries what the client lacks. */
  'doc:sync': DocSchemas.sync,
  /** Secretary workspace: one Yjs update, stored by the hub before it is acknowledged. */
  'doc:update': DocSchemas.update,
  /** The conclusions of every agenda item, read-only (chair, operator, secretary). */
  'doc:conclusions': Empty,
  /** The chair confirms a conclusion (or takes the confirmation back). */
  'doc:confirm': DocSchemas.confirm,
  'media:setRtpCapabilities': MediaSchemas.setRtpCapabilities,
  'media:createTransport': MediaSchemas.createTransport,
  'media:connectTransport': MediaSchemas.connectTransport,
  'media:produce': MediaSchemas.produce,
  'media:closeProducer': MediaSchemas.closeProducer,
  'media:visibleTiles': MediaSchemas.visibleTiles,
  'media:report': MediaSchemas.report,
} as const;

export type ClientEventName = keyof typeof ClientEventSchemas;
/** The payload type of a client event, inferred from its schema. */
export type ClientPayload<E extends ClientEventName> = z.infer<(typeof ClientEventSchemas)[E]>;

/** Who the server says you are, from your authenticated token. */
export interface SelfInfo {
  participantId: ParticipantState['id'];
  role: Role;
  siteId: ParticipantState['siteId'];
  displayName: string;
}

/** Reply to `meeting:join`. */
export interface JoinResult {
  self: SelfInfo;
  snapshot: MeetingSnapshot;
  /** mediasoup router RTP capabilities; load them into a mediasoup-client Device. */
  routerRtpCapabilities: Record<string, unknown>;
}

/** Data type of each client event's ack. */
export interface ClientAckData {
  'meeting:join': JoinResult;
  'meeting:sync': MeetingSnapshot;
  'meeting:openTechCheck': null;
  'meeting:goLive': null;
  'meeting:end': null;
  'agenda:advance': null;
  'agenda:open': null;
  'queue:request': { requestId: string };
  'queue:withdraw': null;
  'queue:reorder': null;
  'floor:grant': null;
  'floor:revoke': null;
  'floor:extend': null;
  'floor:yield': null;
  'stage:pin': null;
  'site:declare': null;
  'mic:set': null;
  'mic:selfMute': null;
  'minutes:list': MinuteEntry[];
  'minutes:add': MinuteEntry;
  'minutes:confirm': MinuteEntry;
  'slides:show': null;
  'slides:page': null;
  'slides:presenter': null;
  'slides:stop': null;
  'slides:pointer': null;
  'doc:sync': DocSyncResult;
  'doc:update': null;
  'doc:conclusions': ConclusionView[];
  'doc:confirm': ConclusionView;
  'media:setRtpCapabilities': null;
  'media:createTransport': TransportInfo;
  'media:connectTransport': null;
  'media:produce': { producerId: string };
  'media:closeProducer': null;
  'media:visibleTiles': null;
  'media:report': null;
}

/** socket.io typed map of client → server events: `(payload, ack)`. */
export type ClientToServerEvents = {
  [E in ClientEventName]: (
    payload: ClientPayload<E>,
    ack: (result: Result<ClientAckData[E]>) => void,
  ) => void;
};

/** Why the server closed a connection. */
export type DisconnectReason = 'revoked' | 'replaced' | 'meetingEnded' | 'expired';

/** socket.io typed map of server → client events. */
export interface ServerToClientEvents {
  /** Increments after the join snapshot; on a version gap call `meeting:sync`. */
  'meeting:changed': (batch: MeetingChanged) => void;
  'minutes:added': (entry: MinuteEntry) => void;
  'minutes:updated': (entry: MinuteEntry) => void;
  /** A workspace update from another writer (or the hub), to those who synced the document. */
  'doc:updated': (payload: { update: WireBytes }) => void;
  /** The conclusions changed (to chair, operator and secretaries; throttled). */
  'doc:conclusions': (conclusions: ConclusionView[]) => void;
  /** A consumer was created paused; ack once the client has built it. */
  'media:newConsumer': (consumer: ConsumerInfo, ack: (result: Result<null>) => void) => void;
  'media:consumerClosed': (payload: { id: string }) => void;
  'media:consumerState': (state: ConsumerState) => void;
  'media:micState': (state: MicState) => void;
  /** Per-site microphone levels (0–1), to moderators, a few times a second while anyone is heard. */
  'media:audioLevels': (levels: { siteId: SiteId; level: number }[]) => void;
  /** The presenter's pointer on the shown page (volatile: only the latest matters). */
  'slides:pointer': (pointer: SlidePointer) => void;
  /** The server is about to disconnect this client on purpose. */
  'session:ended': (payload: { reason: DisconnectReason }) => void;
}

/** Error data attached to a refused socket.io handshake (`connect_error` → `err.data`). */
export interface HandshakeErrorData {
  code: 'UNAUTHENTICATED' | 'PROTOCOL_MISMATCH' | 'LIMIT' | 'VALIDATION';
  message: string;
  serverProtocolVersion: number;
}
