import type {
  AgendaItemId,
  FloorEndReason,
  FloorRequest,
  FloorRequestId,
  FloorTurn,
  QueueState,
  SiteId,
} from '@giaoban/shared';
import { type Outcome, refuse, succeed } from './DomainError.js';

/** What a grant needs to know besides the queue itself. */
export interface GrantInput {
  siteId: SiteId;
  /** The request being granted; when absent, the site's pending request (if any) is used up. */
  requestId?: FloorRequestId;
  /** The current agenda item, stamped on the turn for the report. */
  agendaItemId: AgendaItemId | null;
  /** Time limit in seconds; 0 means open-ended. */
  seconds: number;
  now: number;
  /** Who gives the floor, for the floor log ("Nguyễn Văn A (chair)"). */
  grantedBy?: string | null;
}

/** An empty queue: no requests, nobody speaking, no history. */
export const emptyQueue = (): QueueState => ({ requests: [], floor: null, history: [] });

/** The pending request with this id, or NOT_FOUND. */
export function findRequest(queue: QueueState, requestId: FloorRequestId): Outcome<FloorRequest> {
  const request = queue.requests.find((r) => r.id === requestId);
  return request ? succeed(request) : refuse('NOT_FOUND', `floor request ${requestId} is not pending`);
}

/**
 * Adds a site's request at the end of the queue. A site has at most one pending request and
 * cannot queue while it holds the floor: both refuse with CONFLICT, so a double click is harmless.
 */
export function requestFloor(queue: QueueState, request: FloorRequest): Outcome<QueueState> {
  if (queue.requests.some((r) => r.siteId === request.siteId)) {
    return refuse('CONFLICT', 'this site already has a pending request for the floor');
  }
  if (queue.floor?.siteId === request.siteId) return refuse('CONFLICT', 'this site holds the floor already');
  return succeed({ ...queue, requests: [...queue.requests, request] });
}

/** Removes a pending request (withdrawn by its site or dropped by a moderator). */
export function withdrawRequest(queue: QueueState, requestId: FloorRequestId): Outcome<QueueState> {
  const found = findRequest(queue, requestId);
  if (!found.ok) return found;
  return succeed({ ...queue, requests: queue.requests.filter((r) => r.id !== requestId) });
}

/**
 * Puts the pending requests in the moderator's order. The list must be a permutation of the
 * pending ids (VALIDATION otherwise): a stale list after a racing request is refused rather than
 * silently dropping someone from the queue.
 */
export function reorderRequests(
  queue: QueueState,
  requestIds: readonly FloorRequestId[],
): Outcome<QueueState> {
  const byId = new Map(queue.requests.map((r) => [r.id, r]));
  if (requestIds.length !== byId.size || new Set(requestIds).size !== requestIds.length) {
    return refuse('VALIDATION', 'the new order must list every pending request exactly once');
  }
  const requests: FloorRequest[] = [];
  for (const id of requestIds) {
    const request = byId.get(id);
    if (!request) return refuse('VALIDATION', `floor request ${id} is not pending`);
    requests.push(request);
  }
  return succeed({ ...queue, requests });
}

/** Ends the current turn, if any, moving it to the history with its reason. */
export function endTurn(queue: QueueState, reason: FloorEndReason, now: number): QueueState {
  if (!queue.floor) return queue;
  const ended: FloorTurn = { ...queue.floor, endedAt: now, endReason: reason };
  return { ...queue, floor: null, history: [...queue.history, ended] };
}

/**
 * Gives the floor to one site: there is only ever one holder, so a turn in progress ends as
 * 'replaced'. The granted request (or the site's own pending one) leaves the queue and its
 * topic goes on the turn.
 */
export function grantFloor(queue: QueueState, input: GrantInput): Outcome<QueueState> {
  let request: FloorRequest | undefined;
  if (input.requestId !== undefined) {
    const found = findRequest(queue, input.requestId);
    if (!found.ok) return found;
    request = found.value;
    if (request.siteId !== input.siteId) return refuse('VALIDATION', 'the request belongs to another site');
  } else {
    request = queue.requests.find((r) => r.siteId === input.siteId);
  }
  const before = endTurn(queue, 'replaced', input.now);
  const turn: FloorTurn = {
    siteId: input.siteId,
    topic: request?.topic ?? '',
    agendaItemId: input.agendaItemId,
    grantedAt: input.now,
    expiresAt: input.seconds > 0 ? input.now + input.seconds * 1000 : null,
    endedAt: null,
    endReason: null,
    grantedBy: input.grantedBy ?? null,
  };
  const requests = request ? before.requests.filter((r) => r.id !== request.id) : before.requests;
  return succeed({ ...before, requests, floor: turn });
}

/** A moderator takes the floor back; INVALID_STATE when nobody holds it. */
export function revokeFloor(queue: QueueState, now: number): Outcome<QueueState> {
  if (!queue.floor) return refuse('INVALID_STATE', 'nobody holds the floor');
  return succeed(endTurn(queue, 'revoked', now));
}

/** The holder gives the floor back before its time is up; INVALID_STATE when nobody holds it. */
export function yieldFloor(queue: QueueState, now: number): Outcome<QueueState> {
  if (!queue.floor) return refuse('INVALID_STATE', 'nobody holds the floor');
  return succeed(endTurn(queue, 'yielded', now));
}

/**
 * Gives the speaker more time. Counted from the later of the old expiry and now, so extending
 * a turn whose timer is just firing still grants the full extra time. An open-ended turn has no
 * limit to extend (INVALID_STATE).
 */
export function extendFloor(queue: QueueState, seconds: number, now: number): Outcome<QueueState> {
  const floor = queue.floor;
  if (!floor) return refuse('INVALID_STATE', 'nobody holds the floor');
  if (floor.expiresAt === null) return refuse('INVALID_STATE', 'this turn has no time limit to extend');
  return succeed({
    ...queue,
    floor: { ...floor, expiresAt: Math.max(floor.expiresAt, now) + seconds * 1000 },
  });
}

/**
 * Ends the turn when its time is up. A timer may fire early or after an extension: before
 * `expiresAt` (or with no limit, or nobody speaking) this is a no-op returning the same queue.
 */
export function expireFloor(queue: QueueState, now: number): QueueState {
  const floor = queue.floor;
  if (!floor || floor.expiresAt === null || now < floor.expiresAt) return queue;
  return endTurn(queue, 'expired', now);
}

/**
 * The site's last device left. Its pending request stays (it will likely reconnect; the
 * moderator can skip or withdraw it). If it held the floor, the turn ends as 'left' so the
 * program goes back to the chair instead of showing a frozen room to every site, and the site
 * is put back at the head of the queue with its topic: a dropped link is the usual cause in
 * the provinces, and the chair can give the unfinished turn back with one action.
 */
export function siteLeft(
  queue: QueueState,
  siteId: SiteId,
  requeueId: FloorRequestId,
  now: number,
): QueueState {
  const floor = queue.floor;
  if (floor?.siteId !== siteId) return queue;
  const ended = endTurn(queue, 'left', now);
  if (ended.requests.some((r) => r.siteId === siteId)) return ended;
  const requeued: FloorRequest = { id: requeueId, siteId, topic: floor.topic, requestedAt: now };
  return { ...ended, requests: [requeued, ...ended.requests] };
}

/** Drops every pending request of a site that is no longer invited. */
export function dropSiteRequests(queue: QueueState, siteId: SiteId): QueueState {
  if (!queue.requests.some((r) => r.siteId === siteId)) return queue;
  return { ...queue, requests: queue.requests.filter((r) => r.siteId !== siteId) };
}

/** The meeting ended: the turn in progress ends and requests not granted are dropped. */
export function closeQueue(queue: QueueState, now: number): QueueState {
  return { ...endTurn(queue, 'meetingEnded', now), requests: [] };
}

/** Length of a turn in milliseconds (to `now` while it runs). */
export function turnDurationMs(turn: FloorTurn, now: number): number {
  return (turn.endedAt ?? now) - turn.grantedAt;
}

/** When the hub should run `floor:expire` next, or null if no timer is needed. */
export function nextExpiry(queue: QueueState): number | null {
  return queue.floor?.expiresAt ?? null;
}
