import { existsSync } from 'node:fs';
import type { MeetingId, VideoCodec } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { MEETING_CODECS } from './codecs.js';
import { consoleMediaLogger, errorText, type MediaLogger } from './logger.js';
import type { MediaConfig } from './MediaConfig.js';
import { MediaError } from './MediaError.js';
import { MeetingMedia } from './MeetingMedia.js';
import { listenOf, type OpenedShare } from './MeetingShare.js';
import { SafeEmitter } from './SafeEmitter.js';

type Mediasoup = typeof import('mediasoup');

/** One worker process and what runs on it. */
interface WorkerSlot {
  readonly index: number;
  readonly worker: ms.Worker;
  readonly webRtcServer: ms.WebRtcServer | undefined;
  readonly webRtcServerPort: number | undefined;
  dead: boolean;
  routers: number;
  transports: number;
  /** Meetings whose home router is here. */
  readonly meetings: Set<MeetingMedia>;
  /** Meetings with a share (a router beyond their home) here. */
  readonly shares: Set<MeetingMedia>;
}

/** Load and resource usage of one worker, for the benchmark and diagnostics. */
export interface WorkerUsage {
  index: number;
  pid: number;
  dead: boolean;
  /** WebRtcServer port (UDP and TCP), if the worker has one. */
  webRtcServerPort: number | undefined;
  meetings: number;
  /** Meetings spread onto this worker from their home on another. */
  shares: number;
  routers: number;
  transports: number;
  /** getrusage(2) of the worker process; null if it is dead or did not answer. */
  usage: ms.WorkerResourceUsage | null;
}

/** Events of a WorkerPool. */
export type WorkerPoolEvents = {
  /** A worker process died; its meetings were closed with reason 'workerdied'. */
  workerdied: [{ index: number; pid: number; error: Error }];
  /** A dead worker's slot has a new process (same index, same WebRtcServer port). */
  workerrespawned: [{ index: number; pid: number }];
};

/**
 * mediasoup reads MEDIASOUP_WORKER_BIN once, when it is first loaded; so it is loaded here,
 * lazily, after the configured binary has been put into the environment.
 */
async function loadMediasoup(config: MediaConfig, logger: MediaLogger): Promise<Mediasoup> {
  if (config.workerBin) process.env.MEDIASOUP_WORKER_BIN = config.workerBin;
  const mediasoup = (await import('mediasoup')) as Mediasoup;
  if (config.workerBin && mediasoup.workerBin !== config.workerBin) {
    logger.warn(
      `loadMediasoup() | mediasoup was loaded earlier with another worker binary [using:${mediasoup.workerBin}]`,
    );
  }
  if (!existsSync(mediasoup.workerBin)) {
    throw new MediaError(
      'UNAVAILABLE',
      `mediasoup worker binary not found at ${mediasoup.workerBin}: run infra/setup.sh to build it, ` +
        'or set MEDIASOUP_WORKER_BIN',
    );
  }
  return mediasoup;
}

/**
 * The mediasoup workers of this hub: one process per core, each with a WebRtcServer (one UDP and
 * one TCP port, the same number, easy to open in a firewall). A new meeting goes to the
 * least-loaded live worker; a meeting that outgrows it (`peersPerRouter`) opens a router on the
 * least-loaded other worker, joined to the first by pipeToRouter (MeetingShare).
 */
export class WorkerPool extends SafeEmitter<WorkerPoolEvents> {
  readonly config: MediaConfig;
  readonly #slots: WorkerSlot[];
  #closed = false;

  /** Starts `config.numWorkers` workers and their WebRtcServers. */
  static async create(config: MediaConfig, logger: MediaLogger = consoleMediaLogger): Promise<WorkerPool> {
    const mediasoup = await loadMediasoup(config, logger);
    const slots: WorkerSlot[] = [];
    try {
      for (let index = 0; index < config.numWorkers; index++) {
        slots.push(await WorkerPool.#startWorker(mediasoup, config, logger, index));
      }
    } catch (e) {
      for (const s of slots) s.worker.close();
      throw e;
    }
    logger.info(
      `create() | ${slots.length} worker(s) [listenIp:${config.listenIp}, announcedIp:${config.announcedIp ?? '-'}, ` +
        `webRtcServerPorts:${slots.map((s) => s.webRtcServerPort ?? 'none').join(',')}]`,
    );
    return new WorkerPool(config, logger, slots, mediasoup);
  }

  static async #startWorker(
    mediasoup: Mediasoup,
    config: MediaConfig,
    logger: MediaLogger,
    index: number,
  ): Promise<WorkerSlot> {
    const worker = await mediasoup.createWorker({
      logLevel: config.logLevel,
      logTags: ['info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp'],
      rtcMinPort: config.rtcMinPort,
      rtcMaxPort: config.rtcMaxPort,
      appData: { index },
    });
    let webRtcServer: ms.WebRtcServer | undefined;
    let webRtcServerPort: number | undefined;
    if (config.webRtcServerPort !== 0) {
      const port = config.webRtcServerPort + index;
      try {
        webRtcServer = await worker.createWebRtcServer({
          listenInfos: [
            { protocol: 'udp', ip: config.listenIp, announcedIp: config.announcedIp, port },
            { protocol: 'tcp', ip: config.listenIp, announcedIp: config.announcedIp, port },
          ],
        });
        webRtcServerPort = port;
      } catch (e) {
        // A taken port must not stop the hub: this worker's transports get their own ports.
        logger.warn(
          `startWorker() | no WebRtcServer, transports use ports ${config.rtcMinPort}-${config.rtcMaxPort} ` +
            `[worker:${index}, port:${port}, error:${errorText(e)}]`,
        );
      }
    }
    const slot: WorkerSlot = {
      index,
      worker,
      webRtcServer,
      webRtcServerPort,
      dead: false,
      routers: 0,
      transports: 0,
      meetings: new Set(),
      shares: new Set(),
    };
    worker.observer.on('newrouter', (router) => {
      slot.routers++;
      router.observer.once('close', () => slot.routers--);
      router.observer.on('newtransport', (transport) => {
        slot.transports++;
        transport.observer.once('close', () => slot.transports--);
      });
    });
    return slot;
  }

  readonly #mediasoup: Mediasoup;
  /** Respawns of dead workers in flight: a new meeting waits for them when no worker is alive. */
  readonly #respawns = new Set<Promise<void>>();

  private constructor(config: MediaConfig, logger: MediaLogger, slots: WorkerSlot[], mediasoup: Mediasoup) {
    super(logger);
    this.config = config;
    this.#slots = slots;
    this.#mediasoup = mediasoup;
    for (const slot of slots) this.#watch(slot);
  }

  /** Number of workers, dead ones included. */
  get size(): number {
    return this.#slots.length;
  }

  /** Number of live workers. */
  get liveWorkers(): number {
    return this.#slots.filter((s) => !s.dead).length;
  }

  /** The live worker processes, for observers such as the metrics' census. */
  get workers(): readonly ms.Worker[] {
    return this.#slots.filter((s) => !s.dead).map((s) => s.worker);
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Creates a meeting's media (its router) on the least-loaded live worker: fewest transports
   * plus routers, ties to the lower index. Throws UNAVAILABLE when no worker is alive.
   */
  async createMeetingMedia(meetingId: MeetingId, videoCodec: VideoCodec = 'vp8'): Promise<MeetingMedia> {
    if (this.#closed) throw new MediaError('UNAVAILABLE', 'media worker pool is closed');
    let slot = this.#leastLoaded();
    // Every worker died at once (a one-core hub): the meeting moves onto the respawned one.
    while (!slot && this.#respawns.size > 0) {
      await Promise.allSettled([...this.#respawns]);
      slot = this.#leastLoaded();
    }
    if (!slot) throw new MediaError('UNAVAILABLE', 'no live media worker');
    const home = slot;
    let meeting: MeetingMedia | undefined;
    const openShare = async (exclude: ReadonlySet<number>): Promise<OpenedShare | null> => {
      const other = this.#leastLoaded(exclude);
      if (!other || !meeting || meeting.closed) return null;
      const router = await other.worker.createRouter({ mediaCodecs: MEETING_CODECS, appData: { meetingId } });
      const owner = meeting;
      other.shares.add(owner);
      router.observer.once('close', () => other.shares.delete(owner));
      this.logger.debug(`openShare() | [meetingId:${meetingId}, home:${home.index}, worker:${other.index}]`);
      return {
        router,
        listen: listenOf(other.webRtcServer, this.config.listenIp, this.config.announcedIp),
        workerIndex: other.index,
      };
    };
    meeting = await MeetingMedia.create({
      meetingId,
      videoCodec,
      worker: slot.worker,
      webRtcServer: slot.webRtcServer,
      workerIndex: slot.index,
      openShare: this.config.numWorkers > 1 ? openShare : undefined,
      config: this.config,
      logger: this.logger,
    });
    slot.meetings.add(meeting);
    const created = meeting;
    created.on('close', () => slot.meetings.delete(created));
    this.logger.debug(`createMeetingMedia() | [meetingId:${meetingId}, worker:${slot.index}]`);
    return created;
  }

  /** Index of the worker a meeting runs on (tests, diagnostics); undefined if not in this pool. */
  workerIndexOf(meeting: MeetingMedia): number | undefined {
    return this.#slots.find((s) => s.meetings.has(meeting))?.index;
  }

  /** Load and getrusage of every worker. */
  async getResourceUsage(): Promise<WorkerUsage[]> {
    return Promise.all(
      this.#slots.map(async (s) => ({
        index: s.index,
        pid: s.worker.pid,
        dead: s.dead,
        webRtcServerPort: s.webRtcServerPort,
        meetings: s.meetings.size,
        shares: s.shares.size,
        routers: s.routers,
        transports: s.transports,
        usage: s.dead || s.worker.closed ? null : await s.worker.getResourceUsage().catch(() => null),
      })),
    );
  }

  /** Closes every meeting (reason 'poolclosed') and every worker. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) {
      for (const meeting of [...slot.meetings]) meeting.close('poolclosed');
      slot.worker.close();
    }
    this.logger.info('close() | media workers closed');
  }

  /** Test-only: the worker process of slot `index` (to kill it in a test). */
  workerForTesting(index: number): ms.Worker | undefined {
    return this.#slots[index]?.worker;
  }

  #leastLoaded(exclude?: ReadonlySet<number>): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const s of this.#slots) {
      if (s.dead || s.worker.closed || exclude?.has(s.index)) continue;
      if (!best || s.transports + s.routers < best.transports + best.routers) best = s;
    }
    return best;
  }

  #workerDied(slot: WorkerSlot, error: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    this.logger.error(
      `workerDied() | mediasoup worker died, closing its meetings [worker:${slot.index}, pid:${slot.worker.pid}, ` +
        `meetings:${slot.meetings.size}, error:${errorText(error)}]`,
    );
    // The respawn starts first, so the meetings' owners (MediaRegistry) find it when they rebuild.
    if (!this.#closed) this.#respawn(slot);
    for (const meeting of [...slot.meetings]) meeting.close('workerdied');
    this.safeEmit('workerdied', { index: slot.index, pid: slot.worker.pid, error });
  }

  #watch(slot: WorkerSlot): void {
    slot.worker.on('died', (error) => this.#workerDied(slot, error));
  }

  /** Starts a new process in a dead worker's slot (its port is free again: the process is gone). */
  #respawn(dead: WorkerSlot): void {
    const work = WorkerPool.#startWorker(this.#mediasoup, this.config, this.logger, dead.index).then(
      (slot) => {
        if (this.#closed) {
          slot.worker.close();
          return;
        }
        this.#slots[dead.index] = slot;
        this.#watch(slot);
        this.logger.warn(`respawn() | worker respawned [worker:${slot.index}, pid:${slot.worker.pid}]`);
        this.safeEmit('workerrespawned', { index: slot.index, pid: slot.worker.pid });
      },
      (e: unknown) => this.logger.error(`respawn() | worker ${dead.index} could not be respawned`, e),
    );
    this.#respawns.add(work);
    void work.finally(() => this.#respawns.delete(work));
  }
}
