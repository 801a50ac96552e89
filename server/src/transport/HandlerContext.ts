import type {
  ClientAckData,
  ClientEventName,
  ClientPayload,
  ClientToServerEvents,
  DisconnectReason,
  EventArea,
  EventsOf,
  IceConfig,
  MeetingId,
  ServerToClientEvents,
  SiteId,
} from '@giaoban/shared';
import type { Server, Socket } from 'socket.io';
import type { ChatService } from '../app/ChatService.js';
import type { MediaAccess, PeerHandle } from '../app/MediaAccess.js';
import type { MeetingService } from '../app/MeetingService.js';
import type { Actor, MeetingCommand, ReplyOf } from '../domain/index.js';
import type { RelayService } from '../relay/RelayService.js';
import type { WorkspaceService } from '../workspace/WorkspaceService.js';
import type { SocketIdentity } from './handshake.js';

/** What the edge keeps on each socket (saved for connection-state recovery, except `peer`). */
export interface SocketData {
  identity: SocketIdentity;
  joined: boolean;
  peer: PeerHandle | null;
  /** Last quality verdict sent to the domain, so only changes are reported. */
  poor: boolean;
  /** The screen this connection shares, closed when it stops being allowed to present. */
  screenProducerId: string | null;
}

/** Events between hub instances (through the adapter; none without one). */
export interface InterServerEvents {
  /** End this instance's connections of a link, but `except` (the new one), for `reason`. */
  'link:end': (payload: { linkId: string; except: string | null; reason: DisconnectReason }) => void;
}

/** The hub's typed socket.io server. */
export type GbServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
/** One typed connection. */
export type GbSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** What handlers ask of the SIP edge (SipGateway). */
export interface SipDialer {
  dialOut(meetingId: MeetingId, siteId: SiteId, uri: string, actor: Actor): Promise<{ callId: string }>;
  hangUp(meetingId: MeetingId, siteId: SiteId, actor: Actor): void;
}

/** The services a handler may call. */
export interface HandlerServices {
  meetings: MeetingService;
  /** The meeting's media: here (MediaRegistry) or, with several instances, wherever it lives (ClusterMedia). */
  media: MediaAccess;
  workspace: WorkspaceService;
  chat: ChatService;
  /** Linked meetings (server/src/relay/); absent when the hub does not relay. */
  relay?: RelayService;
  /** The SIP edge's dial-out (server/src/sip/); absent on a hub without SIP (SIP_PORT=0). */
  sip?: SipDialer;
  /** TURN servers and a fresh credential for a page (server/src/turn/); absent without TURN. */
  ice?: (linkId: string, pageHost: string | undefined) => IceConfig;
}

/** Everything one request is handled with: who sends it (from the authenticated link), where, and the services. */
export interface HandlerContext {
  readonly socket: GbSocket;
  readonly identity: SocketIdentity;
  readonly actor: Actor;
  readonly meetingId: MeetingId;
  readonly services: HandlerServices;
  /** Runs a domain command as this socket's actor (serialised per meeting by MeetingService). */
  run<C extends MeetingCommand>(command: C): Promise<ReplyOf<C['type']>>;
}

/** Answers one client event: its validated payload in, its ack's data out. */
export type Handler<E extends ClientEventName> = (
  ctx: HandlerContext,
  payload: ClientPayload<E>,
) => Promise<ClientAckData[E]>;

/** The handlers of one area: exactly the events shared's table assigns to it. */
export type AreaHandlers<A extends EventArea> = { [E in EventsOf<A>]: Handler<E> };

/** A handler for every client event. */
export type HandlerMap = { [E in ClientEventName]: Handler<E> };
