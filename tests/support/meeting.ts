/**
 * Test helpers that speak the hub's public protocol: the organizer HTTP API and socket.io
 * clients with join links, exactly as a client author would from @giaoban/shared.
 */
import {
  type ClientAckData,
  type ClientEventName,
  type ClientPayload,
  type ClientToServerEvents,
  type CreateMeetingBody,
  type IssuedLink,
  type IssueLinkBody,
  type MeetingSummary,
  PROTOCOL_VERSION,
  type Result,
  type ServerToClientEvents,
} from '@giaoban/shared';
import { io, type Socket } from 'socket.io-client';

/** A typed socket.io client of the hub. */
export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Calls the organizer API; throws with the server's error on a non-2xx status. */
export async function api<T>(
  base: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Signs in as an organizer. */
export async function login(base: string, username: string, password: string): Promise<string> {
  return (await api<{ token: string }>(base, 'POST', '/api/auth/login', null, { username, password })).token;
}

/** Creates a meeting. */
export function createMeeting(base: string, token: string, body: CreateMeetingBody): Promise<MeetingSummary> {
  return api<MeetingSummary>(base, 'POST', '/api/meetings', token, body);
}

/** Issues a join link. */
export function issueLink(
  base: string,
  token: string,
  meetingId: string,
  body: IssueLinkBody,
): Promise<IssuedLink> {
  return api<IssuedLink>(base, 'POST', `/api/meetings/${meetingId}/links`, token, body);
}

/** Opens a socket with a join token; resolves once connected, rejects with the handshake error. */
export function connect(
  base: string,
  token: string,
  protocolVersion = PROTOCOL_VERSION,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<HubSocket> {
  const socket: HubSocket = io(base, {
    auth: { token, protocolVersion },
    transports,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Sends one request and returns its ack result. */
export function request<E extends ClientEventName>(
  socket: HubSocket,
  event: E,
  payload: ClientPayload<E> | unknown,
): Promise<Result<ClientAckData[E]>> {
  return new Promise((resolve) => {
    // biome-ignore lint/suspicious/noExplicitAny: the test deliberately sends arbitrary payloads too
    (socket.emit as any)(event, payload, resolve);
  });
}

/** Sends a request and returns its data, failing the test on a refusal. */
export async function must<E extends ClientEventName>(
  socket: HubSocket,
  event: E,
  payload: ClientPayload<E>,
): Promise<ClientAckData[E]> {
  const r = await request(socket, event, payload);
  if (!r.ok) throw new Error(`${event} refused: ${r.error.code} ${r.error.message}`);
  return r.data;
}

/** Resolves when `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
