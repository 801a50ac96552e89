/**
 * Composition root: reads the configuration, builds storage, media, the meeting services and the
 * transports, wires them, and serves everything on one port. Nothing else reaches for globals.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JoinLinkId } from '@giaoban/shared';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { withBooking } from './app/BookedOrganizer.js';
import { MediaRegistry } from './app/MediaRegistry.js';
import { MeetingService } from './app/MeetingService.js';
import { OrganizerService } from './app/OrganizerService.js';
import { ScheduleService } from './app/ScheduleService.js';
import { TokenService } from './auth/tokens.js';
import { ClusterMedia } from './cluster/ClusterMedia.js';
import { HubCluster, newInstanceId } from './cluster/HubCluster.js';
import { InstanceBus } from './cluster/InstanceBus.js';
import { ConfigError, loadConfig } from './config/Config.js';
import { loadScheduleConfig, ScheduleConfigError } from './config/ScheduleConfig.js';
import { seedDirectory } from './directory/seed.js';
import { DocumentConfigError, loadDocumentConfig } from './documents/DocumentConfig.js';
import { DocumentService } from './documents/DocumentService.js';
import { DomainError } from './domain/index.js';
import { createHttpApp } from './http/app.js';
import { operationRoutes } from './http/operations.js';
import { recordBundleRoutes } from './http/recordBundle.js';
import { scheduleRoutes } from './http/schedule.js';
import { statisticsRoutes } from './http/statistics.js';
import { log } from './log/log.js';
import { consoleMediaLogger, loadMediaConfig, MediaConfigError, WorkerPool } from './media/index.js';
import { HubMetrics } from './metrics/HubMetrics.js';
import { MediaCensus } from './metrics/MediaCensus.js';
import { type Recording, wireRecording } from './record/wireRecording.js';
import { RelayService } from './relay/RelayService.js';
import { meetingReader, relayRoutes } from './relay/relayRoutes.js';
import { loadSipConfig, SipConfigError } from './sip/SipConfig.js';
import { SipCredentials } from './sip/SipCredentials.js';
import { SipGateway } from './sip/SipGateway.js';
import { createStore, type StoreChoice } from './store/createStore.js';
import { MemoryStore } from './store/MemoryStore.js';
import { RedisStore } from './store/RedisStore.js';
import { createPatientClient } from './store/redisClient.js';
import { MemoryScheduleStore, RedisScheduleStore } from './store/ScheduleStore.js';
import type { Store } from './store/Store.js';
import { SocketServer } from './transport/SocketServer.js';
import { IceServers } from './turn/IceServers.js';
import { loadTurnConfig, TurnConfigError } from './turn/TurnConfig.js';
import { TurnSupervisor } from './turn/TurnSupervisor.js';
import { ExportService } from './workspace/exports/ExportService.js';
import { PdfConverter } from './workspace/exports/PdfConverter.js';
import { WorkspaceService } from './workspace/WorkspaceService.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running hub; `stop()` closes everything in order and is idempotent. */
export interface Hub {
  url: string;
  stop(): Promise<void>;
  /** The wired parts, for in-process integration tests and the benchmark. */
  parts: {
    store: Store;
    meetings: MeetingService;
    media: MediaRegistry;
    pool: WorkerPool;
    tokens: TokenService;
    workspace: WorkspaceService;
    /** Set when the hub runs on Redis: this instance among the others (instance id, presence). */
    cluster: HubCluster | null;
    /** Set when the hub runs on Redis: where each meeting's media lives. */
    clusterMedia: ClusterMedia | null;
    documents: DocumentService;
    /** Booking, deadlines, the tech check's clock. */
    schedule: ScheduleService;
    /** The room-system edge; null when SIP is off or its port was taken. */
    sip: SipGateway | null;
    /** Linked meetings: relay links answered here, child meetings' links to their parents. */
    relay: RelayService;
    /** Recording (docs/RECORD.md): the service following the meetings, the library, its folder. */
    recording: Recording;
  };
}

/** Options of {@link startHub} that the environment cannot carry. */
export interface StartHubOptions {
  /**
   * A store the caller owns (tests restart a hub on the same store): used instead of building one,
   * and left open when the hub stops.
   */
  store?: Store;
}

async function seed(store: Store): Promise<void> {
  const existing = await store.directory.list();
  if (existing.length > 0) return;
  for (const site of seedDirectory()) await store.directory.put(site);
}

/** What infra/sysctl/60-giaoban-media.conf sets; below half of it the WebRtcServer socket overflows at ~64 sites. */
const MEDIA_RMEM_DEFAULT = 8 * 1024 * 1024;

/**
 * Each worker receives every site on one WebRtcServer UDP socket whose buffer mediasoup 3.12
 * cannot size: it gets the kernel default. Say so at start when that default is small.
 */
function warnSmallUdpBuffers(): void {
  let current: number;
  try {
    current = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8').trim());
  } catch {
    return; // not Linux: nothing to read, nothing to advise
  }
  if (current >= MEDIA_RMEM_DEFAULT / 2) return;
  log.warn(
    'main',
    `UDP receive buffer default is ${current} bytes: the WebRtcServer socket drops packets under load (~64 sites); ` +
      'run infra/tune-network.sh as root (see docs/DEPLOYMENT-NETWORK.md) or set MEDIA_RTC_PORT=0',
  );
}

/** One Redis round trip, in seconds. */
async function pingSeconds(redis: Redis): Promise<number> {
  const start = process.hrtime.bigint();
  await redis.ping();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Starts the hub with the given environment. */
export async function startHub(
  env: NodeJS.ProcessEnv = process.env,
  options: StartHubOptions = {},
): Promise<Hub> {
  const config = loadConfig(env, repoRoot);
  const mediaConfig = loadMediaConfig(env);
  const documentConfig = loadDocumentConfig(env, config.dataDir);
  const scheduleConfig = loadScheduleConfig(env);
  const turnConfig = loadTurnConfig(env, config.dataDir);
  const choice: StoreChoice = options.store
    ? {
        store: options.store,
        kind: 'memory',
        description: 'given by the caller',
        redis: null,
        stop: async () => {},
      }
    : await createStore(env, config.dataDir);
  const store: Store = choice.store;
  log.info('main', `storage: ${choice.description}`);
  if (store instanceof MemoryStore) {
    log.warn(
      'main',
      'storage is in memory: meetings, minutes and links are lost when the hub stops (not durable)',
    );
  }
  await seed(store);

  const tokens = new TokenService(config.jwtSecret);
  const meetings = new MeetingService(store);
  const workspace = new WorkspaceService(store, meetings);
  const pdf = new PdfConverter();
  if (mediaConfig.webRtcServerPort !== 0) warnSmallUdpBuffers();
  const pool = await WorkerPool.create(mediaConfig, consoleMediaLogger);
  // Loaded by the pool already (with the configured worker binary): only its observer is taken here.
  const census = new MediaCensus((await import('mediasoup')).observer, pool.workers);
  let serving = true;

  let sockets: SocketServer | null = null;
  // Room systems over SIP (docs/SIP.md): credentials derive from site links and the hub's secret.
  const sipConfig = loadSipConfig(env, mediaConfig);
  const sipCredentials =
    sipConfig.port !== 0 ? new SipCredentials(config.jwtSecret, sipConfig.domain, sipConfig.port) : null;
  let sip: SipGateway | null = null;
  const organizer = new OrganizerService(
    store,
    meetings,
    tokens,
    config.organizers,
    config.organizerSessionHours,
    (link) => {
      sockets?.endLinkSessions(link);
      sip?.linkRevoked(link);
    },
    workspace,
    sipCredentials ? (link) => sipCredentials.forLink(link) : undefined,
  );
  const media = new MediaRegistry(pool, meetings, (meetingId, levels) =>
    sockets?.sendAudioLevels(meetingId, levels),
  );
  // A worker died: its meetings have new routers; their clients rebuild transports (media:moving).
  media.onRebuilt = (meetingId) => sockets?.rejoinMeeting(meetingId);
  // Linked meetings (docs/LINKED-MEETINGS.md): this hub as a parent (relay links) and as a child.
  const relay = new RelayService(media, meetings, mediaConfig, store);

  // Several instances on one Redis: socket.io fans out through a Redis stream (which also keeps
  // connection-state recovery working across instances); each meeting's media has one owner.
  let cluster: HubCluster | null = null;
  let clusterMedia: ClusterMedia | null = null;
  let bus: InstanceBus | null = null;
  const redisClients: Redis[] = [];
  let adapter: ReturnType<typeof createAdapter> | undefined;
  let publicUrl = '';
  if (choice.redis && store instanceof RedisStore) {
    const { settings, keys } = choice.redis;
    const instanceId = newInstanceId();
    const sub = createPatientClient({ ...settings, name: 'giaoban:bus' });
    const adapterClient = createPatientClient({ ...settings, name: 'giaoban:socket.io' });
    redisClients.push(sub, adapterClient);
    bus = new InstanceBus(instanceId, keys, store.client, sub);
    await bus.start();
    adapter = createAdapter(adapterClient, {
      streamName: keys.socketStream(),
      channelPrefix: keys.socketChannelPrefix(),
      sessionKeyPrefix: keys.socketSessionPrefix(),
    });
    clusterMedia = new ClusterMedia({
      instanceId,
      registry: media,
      redis: store.client,
      keys,
      bus,
      rejoin: (meetingId) => sockets?.rejoinMeeting(meetingId),
    });
    cluster = new HubCluster({
      instanceId,
      url: () => publicUrl,
      redis: store.client,
      keys,
      bus,
      store,
      meetings,
      media: clusterMedia,
      onSwept: () => sockets?.rejoinAll(),
    });
    meetings.coordinate(cluster);
  }
  // Recording (docs/RECORD.md): only the instance holding a meeting's media records it.
  const recording = wireRecording({
    env,
    dataDir: config.dataDir,
    store,
    meetings,
    tokens,
    authenticateOrganizer: (token) => organizer.authenticate(token),
    media: (meetingId) => media.get(meetingId),
    holds: (meetingId) => clusterMedia?.holds(meetingId) ?? true,
    logger: consoleMediaLogger,
  });
  const exportsApi = new ExportService({
    store,
    tokens,
    meetings,
    workspace,
    pdf,
    authenticateOrganizer: (token) => organizer.authenticate(token),
  });
  const documents = new DocumentService({
    config: documentConfig,
    meetings,
    store,
    tokens,
    authenticateOrganizer: (token) => organizer.authenticate(token),
  });
  await documents.init();
  const schedule = new ScheduleService({
    store,
    schedule:
      store instanceof RedisStore
        ? new RedisScheduleStore(store.client, store.keys.prefix)
        : new MemoryScheduleStore(),
    meetings,
    organizer,
    tokens,
    config: scheduleConfig,
  });
  // HTTP has one owner: express handles every request, and socket.io, attached to that server,
  // takes only its own path (/socket.io/) in front of it. (Two independent `request` listeners
  // both answered a long-polling request, and the second write crashed the process.)
  const app = createHttpApp(
    withBooking(organizer, schedule),
    config.clientDir,
    exportsApi,
    documents,
    undefined,
    [
      scheduleRoutes(schedule, (token) => organizer.authenticate(token)),
      statisticsRoutes(store.meetings, (token) => organizer.authenticate(token)),
      relayRoutes(
        relay,
        (token) => organizer.authenticate(token),
        meetingReader(tokens, store.links, (token) => organizer.authenticate(token)),
      ),
      recording.routes,
      recordBundleRoutes(exportsApi, recording.library, recording.access),
      operationRoutes(
        new HubMetrics({
          meetings: () => store.meetings.list(),
          workers: () => pool.getResourceUsage(),
          census,
          ...(store instanceof RedisStore ? { redisPing: () => pingSeconds(store.client) } : {}),
        }),
        {
          store: async () => (store instanceof RedisStore ? (await store.client.ping()) === 'PONG' : true),
          media: () => pool.liveWorkers > 0,
          serving: () => serving,
        },
        env.METRICS_TOKEN || null,
      ),
    ],
  );
  app.set('trust proxy', config.trustProxy);
  const server = config.tls
    ? https.createServer(
        { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
        app,
      )
    : http.createServer(app);
  // Closed networks (docs/TURN.md): coturn started here like the private Redis, or the operators' own.
  const turn =
    turnConfig?.mode === 'embedded'
      ? await TurnSupervisor.start(
          turnConfig,
          [mediaConfig.listenIp, mediaConfig.announcedIp].filter(
            (ip): ip is string => !!ip && ip !== '0.0.0.0' && ip !== '::',
          ),
        )
      : null;
  const iceServers = turnConfig ? new IceServers(turnConfig, turn?.secret ?? turnConfig.secret ?? '') : null;
  sockets = new SocketServer(server, {
    tokens,
    store,
    meetings,
    media: clusterMedia ?? media,
    workspace,
    adapter,
    relay,
    ...(iceServers ? { ice: (linkId, pageHost) => iceServers.forPage(linkId, pageHost) } : {}),
    // The gateway starts after the sockets; a hub whose SIP port was taken has none (UNAVAILABLE).
    ...(sipCredentials
      ? {
          sip: {
            dialOut: (meetingId, siteId, uri, actor) => {
              if (!sip) throw new DomainError('UNAVAILABLE', 'the SIP edge is not running on this hub');
              return sip.dialOut(meetingId, siteId, uri, actor);
            },
            hangUp: (meetingId, siteId, actor) => {
              if (!sip) throw new DomainError('UNAVAILABLE', 'the SIP edge is not running on this hub');
              sip.hangUp(meetingId, siteId, actor);
            },
          },
        }
      : {}),
  });
  await meetings.recoverAfterRestart();
  await documents.recoverInterrupted();
  if (sipCredentials) {
    try {
      sip = await SipGateway.start({
        host: sipConfig.host,
        port: sipConfig.port,
        mediaAddress: sipConfig.mediaAddress,
        secret: config.jwtSecret,
        credentials: sipCredentials,
        links: { get: (id) => store.links.get(id as JoinLinkId) },
        meetings,
        media,
        maxCalls: sipConfig.maxCalls,
      });
    } catch (err) {
      // Another process holds the port: the hub serves browsers anyway; room systems cannot dial in.
      log.warn('main', `SIP gateway not started on port ${sipConfig.port}: ${(err as Error).message}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = config.tls ? 'https' : 'http';
  // Child meetings linked before a restart link again. One instance relays a meeting: with several
  // instances the organizer links it again (docs/LINKED-MEETINGS.md).
  if (!cluster) {
    void store.meetings
      .list()
      .then((all) => relay.restore(all.filter((r) => r.meeting.status !== 'ended').map((r) => r.meeting.id)))
      .catch((err) => log.warn('main', 'linked meetings not restored', { error: String(err) }));
  }
  const url = `${scheme}://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  publicUrl = url;
  schedule.hubUrl = url;
  schedule.start();
  if (cluster) {
    await cluster.start();
    cluster
      .resetOrphans()
      .catch((err) => log.warn('main', 'could not clear stale connections', { error: String(err) }));
  }
  if (config.generatedOrganizerPassword) {
    log.info(
      'main',
      `organizer sign-in: admin / ${config.generatedOrganizerPassword} (kept in ${config.dataDir}/secrets.json)`,
    );
  }
  console.log(`Giao Ban hub ready at ${url}`);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      serving = false;
      relay.close();
      // Each recording closes its current segment while the media still runs.
      await recording.service.close();
      sip?.stop();
      census.close();
      // This instance's connections leave the roster while the meeting service still runs.
      await cluster?.leave();
      await clusterMedia?.close();
      schedule.close();
      await documents.close();
      meetings.close();
      workspace.close();
      await sockets?.close();
      pdf.close();
      pool.close();
      // close() waits for every open connection: end the kept-alive and in-flight ones now, or a
      // page's pending request (through a proxy, say) holds the stop forever.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await bus?.close();
      for (const client of redisClients) client.disconnect();
      if (!options.store) await store.close();
      await choice.stop();
      await turn?.stop();
    })();
    return stopping;
  };
  return {
    url,
    stop,
    parts: {
      store,
      meetings,
      media,
      pool,
      tokens,
      workspace,
      cluster,
      clusterMedia,
      documents,
      schedule,
      sip,
      relay,
      recording,
    },
  };
}

/**
 * One failing request or callback must not take every meeting down: an error nobody caught is
 * logged with its stack and the hub keeps serving (its state lives in the store, each request is
 * independent). Installed by the process entry point only, so tests see their own failures.
 */
export function guardProcess(): void {
  process.on('uncaughtException', (err, origin) => {
    log.error('main', `uncaught ${origin}; the hub keeps running`, err);
  });
  process.on('unhandledRejection', (reason) => {
    log.error('main', 'unhandled promise rejection; the hub keeps running', reason);
  });
}

async function main(): Promise<void> {
  let hub: Hub;
  try {
    hub = await startHub();
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof MediaConfigError ||
      err instanceof DocumentConfigError ||
      err instanceof SipConfigError ||
      err instanceof ScheduleConfigError ||
      err instanceof TurnConfigError
    ) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const shutdown = (signal: string) => {
    log.info('main', `${signal} received, shutting down`);
    hub.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('main', 'shutdown failed', err);
        process.exit(1);
      },
    );
  };
  guardProcess();
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
