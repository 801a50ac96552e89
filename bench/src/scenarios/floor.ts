/**
 * Floor change: the operator grants the floor to one site after another; for each change, the
 * time from sending `floor:grant` until the first complete key frame of the new speaker's camera
 * (and its first audio packet) reaches every other site and the chair.
 */
import type { SimulatedSite } from '../bots/SimulatedSite.js';
import { errorText, log, nowMs, sleep } from '../util/log.js';
import { type Distribution, distribution } from '../util/stats.js';
import type { MediaSession } from './MediaSession.js';

export interface FloorResult {
  sites: number;
  changes: number;
  /** Changes where every receiver got the key frame within the timeout. */
  completed: number;
  timeoutMs: number;
  /** Per change: when the LAST site had the key frame (what "reaches every site" means). */
  videoAllSites: Distribution;
  /** Every (change, receiving site) pair. */
  videoPerSite: Distribution;
  audioAllSites: Distribution;
  audioPerSite: Distribution;
  /** floor:grant acknowledged to the moderator. */
  ack: Distribution;
  /** floor:grant sent → the new speaker told its microphone is open (`media:micState`). */
  grantToMicOpen?: Distribution;
  /** The new speaker told its mic is open → its first audio packet sent (the bot's own delay). */
  micOpenToSent?: Distribution;
  samples: { video: number[]; audio: number[] };
}

const TIMEOUT_MS = 5000;

/** One change: resolves with per-receiver latencies (NaN where it timed out). */
async function change(
  moderator: SimulatedSite,
  target: SimulatedSite,
  receivers: readonly SimulatedSite[],
): Promise<{ video: number[]; audio: number[]; ack: number; micOpen: number; micSent: number }> {
  const siteId = target.identity.siteId as string;
  target.micOpenedAt = null;
  const t0 = nowMs();
  const timeout = new Promise<number>((r) => setTimeout(() => r(Number.NaN), TIMEOUT_MS));
  const wait = (r: SimulatedSite, source: 'camera' | 'mic', kind: 'key' | 'packet'): Promise<number> =>
    Promise.race([r.receiver.waitFor(siteId, source, t0, kind).then((at) => at - t0), timeout]);
  const video = receivers.map((r) => wait(r, 'camera', 'key'));
  const audio = receivers.map((r) => wait(r, 'mic', 'packet'));
  await moderator.request('floor:grant', { siteId: siteId as never, seconds: 0 });
  const ack = nowMs() - t0;
  const videoMs = await Promise.all(video);
  const audioMs = await Promise.all(audio);
  const sender = target.sender;
  const result = {
    video: videoMs,
    audio: audioMs,
    ack,
    micOpen: target.micOpenedAt === null ? Number.NaN : target.micOpenedAt - t0,
    micSent:
      sender?.audioOnAt != null && sender.firstAudioAfterOnAt != null
        ? sender.firstAudioAfterOnAt - sender.audioOnAt
        : Number.NaN,
  };
  for (const r of receivers) r.receiver.clearWaiters();
  return result;
}

/** Runs `changes` floor changes on a live hub session. */
export async function runFloor(session: MediaSession, changes: number): Promise<FloorResult> {
  const moderator = session.operator;
  const chair = session.chair;
  if (!moderator || !chair) throw new Error('runFloor() | the session has no operator or chair');
  const sites = session.sites;
  log('runFloor', 'starting', { sites: sites.length, changes });
  const videoAll: number[] = [];
  const audioAll: number[] = [];
  const videoPerSite: number[] = [];
  const audioPerSite: number[] = [];
  const acks: number[] = [];
  const micOpen: number[] = [];
  const micSent: number[] = [];
  let completed = 0;
  for (let i = 0; i < changes; i++) {
    const target = sites[i % sites.length] as SimulatedSite;
    const receivers = [chair, ...sites.filter((s) => s !== target)];
    try {
      const r = await change(moderator, target, receivers);
      acks.push(r.ack);
      micOpen.push(r.micOpen);
      micSent.push(r.micSent);
      videoPerSite.push(...r.video);
      audioPerSite.push(...r.audio);
      if (r.video.every(Number.isFinite)) {
        completed++;
        videoAll.push(Math.max(...r.video));
      }
      if (r.audio.every(Number.isFinite)) audioAll.push(Math.max(...r.audio));
    } catch (e) {
      log('runFloor', 'change failed', { error: errorText(e) });
    }
    // Turns in a real meeting last minutes; a pause lets the previous change settle.
    await sleep(600 + Math.random() * 400);
  }
  await moderator.request('floor:revoke', {}).catch(() => undefined);
  const result: FloorResult = {
    sites: sites.length,
    changes,
    completed,
    timeoutMs: TIMEOUT_MS,
    videoAllSites: distribution(videoAll),
    videoPerSite: distribution(videoPerSite),
    audioAllSites: distribution(audioAll),
    audioPerSite: distribution(audioPerSite),
    ack: distribution(acks),
    grantToMicOpen: distribution(micOpen),
    micOpenToSent: distribution(micSent),
    samples: { video: videoAll, audio: audioAll },
  };
  log('runFloor', 'done', {
    completed,
    p50: result.videoAllSites.p50,
    p95: result.videoAllSites.p95,
    max: result.videoAllSites.max,
  });
  return result;
}
