/**
 * A throwaway redis-server (Debian's, installed by infra/setup-system.sh) on a free loopback port,
 * with the settings the hub recommends (AOF, appendfsync always, noeviction, no RDB) in a temp
 * dir, for the Redis store and multi-instance tests. Started through the hub's own supervisor.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  applyChanges,
  type ConsumerInfo,
  type ConsumerState,
  type IssueLinkBody,
  type JoinResult,
  type MeetingChanged,
  type MeetingId,
  type MeetingSnapshot,
  type MicState,
  PROTOCOL_VERSION,
  type SiteId,
} from '@giaoban/shared';
import { io } from 'socket.io-client';
import { hashPassword } from '../../server/src/auth/passwords.js';
import type { Hub } from '../../server/src/main.js';
import { RedisSupervisor } from '../../server/src/store/RedisSupervisor.js';
import { repoRoot } from './hub.js';
import { HOST_SITE, TEST_JWT_SECRET } from './inProcessHub.js';
import {
  api,
  createMeeting,
  eventually,
  type HubSocket,
  issueLink,
  login,
  must,
  request,
} from './meeting.js';
import { freeTcpPort, freeUdpPort } from './ports.js';
import { stopProcess, waitForLine } from './process.js';

/** A running redis-server. */
export interface RedisServer {
  /** e.g. `redis://:password@127.0.0.1:41234` */
  url: string;
  port: number;
  /** SIGTERM; removes the data dir. */
  stop(): Promise<void>;
  /** Clean stop (AOF flushed), `downMs` of nothing listening, start again from the same AOF. */
  restart(downMs?: number): Promise<void>;
  /** SIGKILL, `downMs` down, start again: only what was fsynced survives. */
  crash(downMs?: number): Promise<void>;
}

/** Starts `redis-server` and waits until it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-redis-'));
  const server = await RedisSupervisor.start({ dataDir: dir, restartOnCrash: false });
  return {
    url: server.url,
    port: server.port,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    restart: (downMs = 0) => server.restartForTesting(downMs),
    crash: (downMs = 0) => server.crashAndRestartForTesting(downMs),
  };
}

let prefixes = 0;

/** Environment for an in-process hub on this Redis; hubs given the same `prefix` share state. */
export function redisHubEnv(
  redis: RedisServer,
  prefix = `it${process.pid}-${++prefixes}:`,
): Record<string, string> {
  return {
    GIAOBAN_STORE: 'redis',
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    REDIS_COMMAND_TIMEOUT_MS: '1000',
  };
}

// ---- clients and meetings for multi-instance tests -------------------------------------------

/** One participant's client, as the real one behaves: it rejoins by itself after any reconnect. */
export interface LiveClient {
  name: string;
  socket: HubSocket;
  /** The latest join reply. */
  join: JoinResult;
  snapshot: MeetingSnapshot;
  /** Consumers announced since the latest join. */
  consumers: Map<string, ConsumerInfo>;
  states: Map<string, ConsumerState>;
  mic: MicState | null;
  /** How many times it has joined. */
  joins: number;
  close(): void;
}

/**
 * Connects with a join token and joins; after a dropped connection or a server-side disconnect
 * (a hub stopping, a media owner moving) it reconnects to `url` and joins again, like the client app.
 */
export async function liveClient(url: string, token: string, name: string): Promise<LiveClient> {
  const socket: HubSocket = io(url, {
    auth: { token, protocolVersion: PROTOCOL_VERSION },
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1_000,
    forceNew: true,
  });
  let closed = false;
  const client: LiveClient = {
    name,
    socket,
    join: undefined as unknown as JoinResult,
    snapshot: undefined as unknown as MeetingSnapshot,
    consumers: new Map(),
    states: new Map(),
    mic: null,
    joins: 0,
    close: () => {
      closed = true;
      socket.close();
    },
  };
  const joinNow = async (): Promise<void> => {
    const r = await request(socket, 'meeting:join', {});
    if (!r.ok) {
      // Storage or media briefly away: try again, as the client app does on its next connect.
      if (!closed && socket.connected) setTimeout(() => void joinNow(), 300);
      return;
    }
    client.consumers = new Map();
    client.states = new Map();
    client.join = r.data;
    client.snapshot = r.data.snapshot;
    client.joins++;
  };
  socket.on('connect', () => void joinNow());
  socket.on('disconnect', (reason) => {
    // socket.io does not retry a server-side disconnect; the client app does, after a beat.
    if (reason === 'io server disconnect' && !closed) setTimeout(() => socket.connect(), 300);
  });
  socket.on('meeting:changed', (batch: MeetingChanged) => {
    if (!client.snapshot) return;
    const out = applyChanges(client.snapshot, batch);
    if (out.kind === 'applied') client.snapshot = out.snapshot;
    // A gap re-syncs; refused only while a reconnect has not joined yet, and that join brings a snapshot.
    if (out.kind === 'gap')
      void must(socket, 'meeting:sync', {}).then(
        (s) => (client.snapshot = s),
        () => undefined,
      );
  });
  socket.on('media:newConsumers', (infos, ack) => {
    for (const info of infos) client.consumers.set(info.id, info);
    ack(infos.map(() => ({ ok: true, data: null })));
  });
  socket.on('media:consumerState', (s) => client.states.set(s.id, s));
  socket.on('media:micState', (s) => (client.mic = s));
  await eventually(() => client.joins > 0, `${name} joined`, 15_000);
  return client;
}

/** Sets up receiving like a mediasoup-client Device would: capabilities, then a recv transport. */
export async function receive(c: LiveClient): Promise<void> {
  await must(c.socket, 'media:setRtpCapabilities', { rtpCapabilities: c.join.routerRtpCapabilities });
  await must(c.socket, 'media:createTransport', { direction: 'recv' });
}

/**
 * Publishes a simulcast camera and a microphone for a participant through a PlainTransport on
 * the hub that holds the meeting's media (RTP comes from the test, as in meeting-script).
 */
export async function publishOn(
  owner: Hub,
  meetingId: string,
  c: Pick<LiveClient, 'join'>,
  ssrcBase: number,
): Promise<void> {
  const media = await owner.parts.media.get(meetingId as MeetingId);
  const peer = media.getPeer(c.join.self.participantId);
  if (!peer) throw new Error(`publishOn() | no media peer of ${c.join.self.displayName} on this hub`);
  const transport = await peer.createPlainTransportForTesting('send', { comedia: true, rtcpMux: false });
  await peer.produce({
    transportId: transport.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: 101,
          clockRate: 90000,
          rtcpFeedback: [
            { type: 'nack' },
            { type: 'nack', parameter: 'pli' },
            { type: 'ccm', parameter: 'fir' },
          ],
        },
      ],
      encodings: [{ ssrc: ssrcBase }, { ssrc: ssrcBase + 1 }, { ssrc: ssrcBase + 2 }],
    },
  });
  await peer.produce({
    transportId: transport.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: ssrcBase + 10 }],
    },
  });
}

/**
 * Whether the hub says a site's source flows to this client: a consumer of it, or — for a camera —
 * the program stream while that site is on stage.
 */
export function flowing(c: LiveClient, siteId: string, source: 'camera' | 'mic'): boolean {
  const on = (id: string) => {
    const state = c.states.get(id);
    return state !== undefined && !state.paused && !state.producerPaused;
  };
  const all = [...c.consumers.values()];
  if (source === 'camera' && (c.snapshot?.stage.programSiteId ?? c.snapshot?.meeting.hostSiteId) === siteId) {
    if (all.some((x) => x.source === 'program' && on(x.id))) return true;
  }
  return all.some((x) => x.siteId === siteId && x.source === source && on(x.id));
}

/** Creates a meeting on a hub (host site, invited sites, two agenda items) and issues the links. */
export async function prepareMeeting(
  url: string,
  sites: readonly SiteId[],
  people: Record<string, IssueLinkBody>,
): Promise<{ orgToken: string; meetingId: string; tokens: Record<string, string> }> {
  const orgToken = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, orgToken, {
    title: 'Giao ban trực tuyến — nhiều máy chủ',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    chairName: 'Đồng chí Chủ trì',
    floorSeconds: 120,
    invitedSiteIds: [...sites],
  });
  const meetingId = summary.meeting.id;
  for (const title of ['Báo cáo kết quả công tác', 'Thảo luận của các điểm cầu']) {
    await api(url, 'POST', `/api/meetings/${meetingId}/agenda`, orgToken, {
      title,
      kind: 'report',
      plannedMinutes: 15,
    });
  }
  const tokens: Record<string, string> = {};
  for (const [name, body] of Object.entries(people))
    tokens[name] = (await issueLink(url, orgToken, meetingId, body)).token;
  return { orgToken, meetingId, tokens };
}

// ---- hub processes -----------------------------------------------------------------------------

/** A hub running as its own process (server/dist/main.js, as `npm start` runs it). */
export interface HubProcess {
  url: string;
  port: number;
  pid: number;
  output(): string;
  /** Sends the signal and resolves with the exit code (SIGKILL: null). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /**
   * Sends the signal to the hub's whole process group, as a terminal's Ctrl-C does (needs
   * `ownProcessGroup`), and resolves with the hub's exit code.
   */
  signalGroup(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns the built hub with `env` on `port` (a free one by default) and waits for its ready line.
 * Loopback media, a known organizer and JWT secret are set; `env` adds to and overrides them.
 */
export async function startHubProcess(
  env: Record<string, string>,
  port?: number,
  options: {
    /** Lead a process group of its own, like a command run in a terminal. */ ownProcessGroup?: boolean;
  } = {},
): Promise<HubProcess> {
  const entry = path.join(repoRoot, 'server/dist/main.js');
  if (!existsSync(entry))
    throw new Error(`startHubProcess() | ${entry} missing: run \`npx turbo run build\` first`);
  const listen = port ?? (await freeTcpPort());
  const child = spawn(process.execPath, [entry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(listen),
      JWT_SECRET: TEST_JWT_SECRET,
      GIAOBAN_ORGANIZERS: `org:${hashPassword('org-password')}`,
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_WORKERS: '1',
      MEDIA_RTC_PORT: String(await freeUdpPort()),
      MEDIA_RTC_MIN_PORT: '20000',
      MEDIA_RTC_MAX_PORT: '29999',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  const { line, output } = waitForLine(
    child,
    /Giao Ban hub ready at/,
    60_000,
    `startHubProcess() [port:${listen}]`,
  );
  try {
    await line;
  } catch (error) {
    await stopProcess(child, 'SIGKILL');
    throw error;
  }
  return {
    url: `http://127.0.0.1:${listen}`,
    port: listen,
    pid: child.pid ?? -1,
    output,
    stop: (signal = 'SIGTERM') => stopProcess(child, signal),
    signalGroup: async (signal) => {
      if (!options.ownProcessGroup || child.pid === undefined)
        throw new Error('signalGroup() | not a group leader');
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      process.kill(-child.pid, signal);
      return exited;
    },
  };
}

/** Whether a process is alive (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
