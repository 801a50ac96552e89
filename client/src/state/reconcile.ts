import {
  applyChanges,
  type ConsumerInfo,
  type ConsumerState,
  type FloorTurn,
  type MeetingChanged,
  type MeetingSnapshot,
} from '@giaoban/shared';
import type { ConsumerView, MeetingState } from './meetingState';

/** Outcome of merging one `meeting:changed` batch into the client state. */
export interface BatchOutcome {
  state: MeetingState;
  /** Increments were missed: the caller must ask for `meeting:sync`. */
  needsSync: boolean;
}

/**
 * Merges a server batch into the local state (pure). Stale batches are dropped; a version gap
 * leaves the state as it is and asks for a re-sync. A freshly granted floor is used to refine
 * the clock-skew estimate, because its `grantedAt` is a server timestamp taken moments ago.
 */
export function reconcileBatch(state: MeetingState, batch: MeetingChanged, receivedAt: number): BatchOutcome {
  if (!state.snapshot) return { state, needsSync: true };
  const outcome = applyChanges(state.snapshot, batch);
  switch (outcome.kind) {
    case 'stale':
      return { state, needsSync: false };
    case 'gap':
      return { state, needsSync: true };
    case 'applied': {
      const sample = skewSample(state.snapshot.queue.floor, outcome.snapshot.queue.floor, receivedAt);
      const clockSkewMs = sample === null ? state.clockSkewMs : sample;
      return { state: { ...state, snapshot: outcome.snapshot, clockSkewMs }, needsSync: false };
    }
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/** Replaces the snapshot after a join or a re-sync, unless the local one is already newer. */
export function reconcileSnapshot(state: MeetingState, snapshot: MeetingSnapshot): MeetingState {
  if (
    state.snapshot &&
    state.snapshot.meeting.id === snapshot.meeting.id &&
    state.snapshot.version > snapshot.version
  ) {
    return state;
  }
  return { ...state, snapshot };
}

/**
 * Server clock minus local clock, estimated from a floor that was just granted; null when the
 * batch holds no new grant or the difference is within network noise (1 s).
 */
export function skewSample(
  before: FloorTurn | null,
  after: FloorTurn | null,
  receivedAt: number,
): number | null {
  if (!after || after.endedAt !== null) return null;
  if (before && before.grantedAt === after.grantedAt && before.siteId === after.siteId) return null;
  const sample = after.grantedAt - receivedAt;
  return Math.abs(sample) > 1000 ? sample : 0;
}

/** Adds a consumer the server announced (it starts paused at the server). */
export function addConsumer(
  consumers: Record<string, ConsumerView>,
  info: ConsumerInfo,
  seq: number,
): Record<string, ConsumerView> {
  const view: ConsumerView = {
    id: info.id,
    producerId: info.producerId,
    kind: info.kind,
    source: info.source,
    siteId: info.siteId,
    participantId: info.participantId,
    paused: true,
    producerPaused: false,
    seq,
  };
  return { ...consumers, [info.id]: view };
}

/** Applies a `media:consumerState` push; unknown ids are ignored. */
export function updateConsumer(
  consumers: Record<string, ConsumerView>,
  update: ConsumerState,
): Record<string, ConsumerView> {
  const current = consumers[update.id];
  if (!current) return consumers;
  if (current.paused === update.paused && current.producerPaused === update.producerPaused) return consumers;
  return {
    ...consumers,
    [update.id]: { ...current, paused: update.paused, producerPaused: update.producerPaused },
  };
}

/** Removes a closed consumer. */
export function removeConsumer(
  consumers: Record<string, ConsumerView>,
  id: string,
): Record<string, ConsumerView> {
  if (!(id in consumers)) return consumers;
  const { [id]: _removed, ...rest } = consumers;
  return rest;
}

/** The newest consumer carrying `source` of `siteId`, or null. */
export function findConsumer(
  consumers: Record<string, ConsumerView>,
  siteId: string | null,
  source: ConsumerView['source'],
): ConsumerView | null {
  if (!siteId) return null;
  let best: ConsumerView | null = null;
  for (const c of Object.values(consumers)) {
    if (c.siteId === siteId && c.source === source && (!best || c.seq > best.seq)) best = c;
  }
  return best;
}

/**
 * What shows the program site on the main stage: the hub's program stream (one consumer whose
 * source the hub switches at every floor change), or, from a hub without one, that site's camera.
 */
export function findProgramVideo(
  consumers: Record<string, ConsumerView>,
  programSiteId: string | null,
): ConsumerView | null {
  let best: ConsumerView | null = null;
  for (const c of Object.values(consumers)) {
    if (c.source === 'program' && c.kind === 'video' && (!best || c.seq > best.seq)) best = c;
  }
  return best ?? findConsumer(consumers, programSiteId, 'camera');
}
