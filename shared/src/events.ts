import { z } from 'zod';
import type { MeetingChanged } from './changes.js';
import { type ChatMessage, ChatSchemas } from './chat.js';
import {
  type ConclusionView,
  DocSchemas,
  type DocSyncResult,
  type DocUpdateResult,
  type WireBytes,
} from './docs.js';
import type { Result } from './errors.js';
import { AgendaItemId, DocumentId, FloorRequestId, SiteId } from './ids.js';
import {
  type ConsumerInfo,
  type ConsumerState,
  MediaSchemas,
  type MicState,
  type PublishLayers,
  type TransportInfo,
} from './media.js';
import { type RelayPipeAnswer, RelaySchemas } from './relay.js';
import type { Role } from './roles.js';
import { SlidePoint, type SlidePointer } from './slides.js';
import type { MeetingSnapshot, ParticipantState } from './state.js';
import { type VoteId, VoteSchemas, type VoteTally } from './votes.js';

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

/** The part of the hub that answers an event: the server has one handler module per area. */
export const EVENT_AREAS = [
  'meeting',
  'queue',
  'agenda',
  'media',
  'slides',
  'workspace',
  'vote',
  'chat',
  'relay',
] as const;
/** One of {@link EVENT_AREAS}. */
export type EventArea = (typeof EVENT_AREAS)[number];

/**
 * One client event: the area that answers it, the schema of its payload, whether the hub runs it
 * as a meeting command of the domain (`{ type: event, ...payload }`), and — as a type only — the
 * data of its ack.
 */
export interface ClientEventSpec<A extends EventArea, S extends z.ZodType, Ack, C extends boolean> {
  readonly area: A;
  readonly payload: S;
  readonly command: C;
  /** Type-only marker of the ack's data; never set at run time. */
  readonly ack?: (data: Ack) => void;
}

/** Builds table rows: `on<AckData>().command(area, schema)` or `.call(area, schema)`. */
const on = <Ack = null>() => ({
  /** The event becomes a domain command of the same name. */
  command: <A extends EventArea, S extends z.ZodType>(
    area: A,
    payload: S,
  ): ClientEventSpec<A, S, Ack, true> => ({
    area,
    payload,
    command: true,
  }),
  /** The event is answered by the edge itself (reads, media, the workspace). */
  call: <A extends EventArea, S extends z.ZodType>(
    area: A,
    payload: S,
  ): ClientEventSpec<A, S, Ack, false> => ({
    area,
    payload,
    command: false,
  }),
});

/**
 * THE table of client → server events: every other list (payload schemas, ack types, the domain's
 * client commands, the server's handler maps) is derived from it, so they cannot drift apart.
 */
export const ClientEvents = {
  'meeting:join': on<JoinResult>().call('meeting', Empty),
  'meeting:sync': on<MeetingSnapshot>().call('meeting', Empty),
  'meeting:openTechCheck': on().command('meeting', Empty),
  'meeting:goLive': on().command('meeting', Empty),
  'meeting:end': on().command('meeting', Empty),
  'site:declare': on().command(
    'meeting',
    z.object({ delegates: z.number().int().min(0).max(10_000), siteId: SiteId.optional() }).strict(),
  ),
  'stage:pin': on().command('meeting', z.object({ siteId: SiteId.nullable() }).strict()),
  'mic:set': on().command('meeting', z.object({ siteId: SiteId, open: z.boolean() }).strict()),
  'mic:selfMute': on().command('meeting', z.object({ muted: z.boolean() }).strict()),
  /** Before the meeting is live: open the chair's microphone to one site for the technical check (null closes it). */
  'techCheck:talkTo': on().command('meeting', z.object({ siteId: SiteId.nullable() }).strict()),
  /** Mutes every bridge point at once (moderators); the floor holder keeps its turn. */
  'mic:muteAll': on().command('meeting', Empty),
  /** The operator talks privately with one site (both ways, nobody else hears); null ends it. */
  'talkback:set': on().command('meeting', z.object({ siteId: SiteId.nullable() }).strict()),
  /** Starts recording the live meeting (chair, operator): the program and what the meeting hears. */
  'recording:start': on<{ recordingId: string }>().command('meeting', Empty),
  /** Stops the recording, or dismisses a failed one's alert (chair, operator). */
  'recording:stop': on().command('meeting', Empty),
  /** Calls a site's room system at a SIP address (chair, operator); answers once it is up. */
  'sip:dialOut': on<{ callId: string }>().call(
    'meeting',
    z.object({ siteId: SiteId, uri: z.string().trim().min(5).max(300) }).strict(),
  ),
  /** Hangs up a site's room-system call, or cancels its dial-out before it is answered. */
  'sip:hangUp': on().call('meeting', z.object({ siteId: SiteId }).strict()),
  'agenda:advance': on().command('agenda', Empty),
  'agenda:open': on().command('agenda', z.object({ itemId: AgendaItemId }).strict()),
  'queue:request': on<{ requestId: string }>().command('queue', z.object({ topic: Topic }).strict()),
  'queue:withdraw': on().command('queue', z.object({ requestId: FloorRequestId }).strict()),
  'queue:reorder': on().command(
    'queue',
    z.object({ requestIds: z.array(FloorRequestId).max(1000) }).strict(),
  ),
  'floor:grant': on().command(
    'queue',
    z
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
  ),
  'floor:revoke': on().command('queue', Empty),
  'floor:extend': on().command('queue', z.object({ seconds: z.number().int().min(1).max(3600) }).strict()),
  'floor:yield': on().command('queue', Empty),
  /** Shows a converted document on every screen, from page 1 (presenter). */
  'slides:show': on().command('slides', z.object({ documentId: DocumentId }).strict()),
  /** Turns to a page, 1-based (presenter). */
  'slides:page': on().command('slides', z.object({ page: z.number().int().min(1).max(10_000) }).strict()),
  /** Makes a site the presenter, or gives the pages back to the moderators with null (moderators). */
  'slides:presenter': on().command('slides', z.object({ siteId: SiteId.nullable() }).strict()),
  /** Takes the document off every screen (presenter). */
  'slides:stop': on().command('slides', Empty),
  /** Where the presenter points, as a fraction of the page; `{}` hides the pointer. Volatile. */
  'slides:pointer': on().call('slides', z.union([SlidePoint, Empty])),
  /** Secretary workspace: exchange state vectors; the ack carries what the client lacks. */
  'doc:sync': on<DocSyncResult>().call('workspace', DocSchemas.sync),
  /** Secretary workspace: one Yjs update, stored by the hub before it is acknowledged. */
  'doc:update': on<DocUpdateResult>().call('workspace', DocSchemas.update),
  /** The conclusions of every agenda item, read-only (chair, operator, secretary). */
  'doc:conclusions': on<ConclusionView[]>().call('workspace', Empty),
  /** The chair confirms a conclusion (or takes the confirmation back). */
  'doc:confirm': on<ConclusionView>().call('workspace', DocSchemas.confirm),
  /** The chair puts a question to the vote (biểu quyết). */
  'vote:open': on<{ voteId: VoteId }>().command('vote', VoteSchemas.open),
  /** A bridge point votes, once, while the vote is open. */
  'vote:cast': on().command('vote', VoteSchemas.cast),
  /** The chair closes the vote; the totals become visible to everyone. */
  'vote:close': on().command('vote', VoteSchemas.close),
  /** The live count of the open votes (chair, operator); pushed again as `vote:tally` on every ballot. */
  'vote:tally': on<VoteTally[]>().call('vote', Empty),
  /** The chat this connection may read (meeting-wide and its private threads); follows it from now on. */
  'chat:history': on<ChatMessage[]>().call('chat', Empty),
  /** Sends a message, kept by the hub before it is acknowledged. */
  'chat:send': on<ChatMessage>().call('chat', ChatSchemas.send),
  /** A moderator deletes a message for everyone. */
  'chat:delete': on().call('chat', ChatSchemas.delete),
  /** A moderator mutes (or unmutes) one site's chat. */
  'chat:mute': on().command('chat', ChatSchemas.mute),
  'media:setRtpCapabilities': on().call('media', MediaSchemas.setRtpCapabilities),
  'media:createTransport': on<TransportInfo>().call('media', MediaSchemas.createTransport),
  'media:connectTransport': on().call('media', MediaSchemas.connectTransport),
  'media:restartIce': on<{ iceParameters: Record<string, unknown> }>().call('media', MediaSchemas.restartIce),
  'media:produce': on<{ producerId: string }>().call('media', MediaSchemas.produce),
  'media:closeProducer': on().call('media', MediaSchemas.closeProducer),
  'media:visibleTiles': on().call('media', MediaSchemas.visibleTiles),
  'media:report': on().call('media', MediaSchemas.report),
  /** Linked meetings: a relay link's hub sets up the hub-to-hub media pipe (docs/LINKED-MEETINGS.md). */
  'relay:pipe': on<RelayPipeAnswer>().call('relay', RelaySchemas.pipe),
  /** Linked meetings: a relay link's hub reports its meeting's totals, every level below rolled up. */
  'relay:totals': on().call('relay', RelaySchemas.totals),
  /** Linked meetings, in the child: the chair leaves relay mode for a local segment (true) or returns. */
  'relay:localSegment': on().command('relay', z.object({ local: z.boolean() }).strict()),
  /** Linked meetings, in the child: the chair asks the parent's floor for the province. */
  'relay:requestFloor': on<{ requestId: string }>().call('relay', RelaySchemas.requestFloor),
} as const;

type Table = typeof ClientEvents;
/** Name of any client → server event. */
export type ClientEventName = keyof Table;
/** Schema of every client → server payload, keyed by event name. The server validates each one. */
export type ClientEventSchemaMap = { [E in ClientEventName]: Table[E]['payload'] };
/** Schema of every client → server payload, keyed by event name (derived from {@link ClientEvents}). */
export const ClientEventSchemas = Object.fromEntries(
  Object.entries(ClientEvents).map(([event, spec]) => [event, spec.payload]),
) as ClientEventSchemaMap;
/** Every client event name, in table order. */
export const CLIENT_EVENT_NAMES = Object.keys(ClientEvents) as ClientEventName[];
/** The payload type of a client event, inferred from its schema. */
export type ClientPayload<E extends ClientEventName> = z.infer<Table[E]['payload']>;
/** The events answered by one area. */
export type EventsOf<A extends EventArea> = {
  [E in ClientEventName]: Table[E]['area'] extends A ? E : never;
}[ClientEventName];
/** The events the hub runs as domain commands of the same name. */
export type ClientCommandEvent = {
  [E in ClientEventName]: Table[E]['command'] extends true ? E : never;
}[ClientEventName];

/** Validates a payload against its event's schema; the data is typed as that event's payload. */
export function parseClientPayload<E extends ClientEventName>(
  event: E,
  raw: unknown,
): { success: true; data: ClientPayload<E> } | { success: false; error: z.ZodError } {
  const schema: z.ZodType = ClientEvents[event].payload;
  const parsed = schema.safeParse(raw);
  // The schema is the event's own, so its output is the event's payload type.
  return parsed.success ? { success: true, data: parsed.data as ClientPayload<E> } : parsed;
}

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

/** Data type of each client event's ack (derived from {@link ClientEvents}). */
export type ClientAckData = {
  [E in ClientEventName]: Table[E] extends ClientEventSpec<EventArea, z.ZodType, infer Ack, boolean>
    ? Ack
    : never;
};

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
  /** The live count of the open votes, to the chair and the operator, on every ballot. */
  'vote:tally': (tallies: VoteTally[]) => void;
  /** A new chat message this connection may read. */
  'chat:message': (message: ChatMessage) => void;
  /** A moderator deleted a message (the tombstone replaces it). */
  'chat:deleted': (message: ChatMessage) => void;
  /** A workspace update from another writer (or the hub), to those who synced the document. */
  'doc:updated': (payload: { update: WireBytes }) => void;
  /** The conclusions changed (to chair, operator and secretaries; throttled). */
  'doc:conclusions': (conclusions: ConclusionView[]) => void;
  /**
   * Consumers created paused, in one batch (those the hub made in the same turn: a joining page's
   * whole set after its program). Ack once the client has built them: one result per consumer, in
   * order; the hub resumes those built and closes the rest.
   */
  'media:newConsumers': (consumers: ConsumerInfo[], ack: (results: Result<null>[]) => void) => void;
  'media:consumerClosed': (payload: { id: string }) => void;
  'media:consumerState': (state: ConsumerState) => void;
  'media:micState': (state: MicState) => void;
  /**
   * Dynacast: how many of this client's camera encodings (simulcast layers, lowest first) anyone
   * consumes; the client sends only those. At least the lowest: it keeps the site's liveness on the
   * roll-call and lets a floor grant start at once.
   */
  'media:publishLayers': (layers: PublishLayers) => void;
  /** Per-site microphone levels (0–1), to moderators, a few times a second while anyone is heard. */
  'media:audioLevels': (levels: { siteId: SiteId; level: number }[]) => void;
  /** The presenter's pointer on the shown page (volatile: only the latest matters). */
  'slides:pointer': (pointer: SlidePointer) => void;
  /**
   * The server is about to disconnect this client on purpose. Ack it: the hub closes the
   * connection once the client has the reason (or after a few seconds without an ack), so the
   * reason is never overtaken by the disconnect. A client told it was replaced must not reconnect.
   */
  'session:ended': (payload: { reason: DisconnectReason }, ack: () => void) => void;
  /**
   * The meeting's media is moving to another hub instance (the one holding it stopped or died):
   * ack it; the server drops this connection next (after the ack, or a second without one).
   * Rejoin at once and show "reconnecting media": the hub keeps this connection's site, floor
   * turn and queue place while it rejoins.
   */
  'media:moving': (ack: () => void) => void;
}

/** Error data attached to a refused socket.io handshake (`connect_error` → `err.data`). */
export interface HandshakeErrorData {
  code: 'UNAUTHENTICATED' | 'PROTOCOL_MISMATCH' | 'LIMIT' | 'VALIDATION';
  message: string;
  serverProtocolVersion: number;
}
