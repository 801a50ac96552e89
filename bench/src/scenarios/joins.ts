/** Summaries of join milestones (ms from a participant's start) over a group of participants. */
import type { JoinTimings } from '../bots/SimulatedSite.js';
import { type Distribution, distribution } from '../util/stats.js';

/** Each milestone's distribution, in ms since the participant started connecting. */
export interface JoinSummary {
  n: number;
  socketConnected: Distribution;
  joined: Distribution;
  /** Both the receive and the send transport connected (ICE + DTLS done). */
  transportsConnected: Distribution;
  produced: Distribution;
  firstPacket: Distribution;
  firstKeyFrame: Distribution;
  /** `media:newConsumers` batches, and consumers, a bot had been sent by its first program key frame. */
  batches: Distribution;
  consumers: Distribution;
}

const since = (t: JoinTimings, at: number | undefined): number =>
  at === undefined ? Number.NaN : at - t.start;

/** Summarises join timings; a milestone never reached is left out of its distribution. */
export function summarizeJoins(timings: readonly JoinTimings[]): JoinSummary {
  const pick = (f: (t: JoinTimings) => number) => distribution(timings.map(f));
  return {
    n: timings.length,
    socketConnected: pick((t) => since(t, t.socketConnected)),
    joined: pick((t) => since(t, t.joined)),
    transportsConnected: pick((t) =>
      t.recvConnected === undefined || t.sendConnected === undefined
        ? Number.NaN
        : Math.max(t.recvConnected, t.sendConnected) - t.start,
    ),
    produced: pick((t) => since(t, t.produced)),
    firstPacket: pick((t) => since(t, t.firstPacket)),
    firstKeyFrame: pick((t) => since(t, t.firstKeyFrame)),
    batches: pick((t) => t.batchesToKeyFrame ?? Number.NaN),
    consumers: pick((t) => t.consumersToKeyFrame ?? Number.NaN),
  };
}
