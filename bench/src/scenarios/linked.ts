/**
 * Linked meetings (issue 13 step 8): the delay each level adds, the time a floor change two levels
 * down takes to reach the top, and what relayed links cost the parent.
 *
 * Two hubs run in this process, each with its own memory store and its own mediasoup worker (a
 * process of its own, so worker CPU is each hub's): the national hub, and a province hub holding
 * the province meetings and one commune-level meeting below the first province. Every link is made
 * over the public protocol (`PUT /api/meetings/:id/parent` with a relay link), exactly as in
 * production. ffmpeg (libvpx, real-time) publishes the chairs' cameras into their peers through
 * PlainTransports.
 *
 * Delay per level: each level's program producer is consumed on a DirectTransport; a packet is
 * recognised at every level by the last 12 bytes of its payload (the program switchers rewrite
 * headers and the VP8 picture id, never the coded frame), so the delay is the difference of its
 * arrival times at two levels, on one clock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type ClientToServerEvents,
  type JoinResult,
  PROTOCOL_VERSION,
  type Result,
  type ServerToClientEvents,
} from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { io, type Socket } from 'socket.io-client';
import { errorText, log, sleep, waitFor } from '../util/log.js';
import { freeTcpPort, freeUdpPort } from '../util/ports.js';
import { allProcesses, descendsFrom } from '../util/proc.js';
import { type Distribution, distribution } from '../util/stats.js';

type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Hub = Awaited<ReturnType<typeof import('@giaoban/server')['startHub']>>;
type Media = Awaited<ReturnType<Hub['parts']['media']['get']>>;

const PASSWORD = 'bench-linked';
const NATIONAL_HOST = 'trung-uong';
/** The provinces linked to the national meeting, in order (slugs of the 2025 directory). */
const PROVINCES = [
  'nghe-an',
  'ha-tinh',
  'quang-tri',
  'hue',
  'da-nang',
  'quang-ngai',
  'gia-lai',
  'dak-lak',
  'khanh-hoa',
  'lam-dong',
  'dong-nai',
  'tay-ninh',
  'dong-thap',
  'vinh-long',
  'an-giang',
  'ca-mau',
  'can-tho',
  'ha-noi',
  'hai-phong',
  'quang-ninh',
  'bac-ninh',
  'hung-yen',
  'ninh-binh',
  'thanh-hoa',
  'phu-tho',
  'thai-nguyen',
  'tuyen-quang',
  'lao-cai',
  'lai-chau',
  'dien-bien',
  'son-la',
  'lang-son',
  'cao-bang',
];
/** The commune-level meeting's host (a bridge point of the first province) and its one site. */
const COMMUNE_HOST = 'thanh-pho-ho-chi-minh';
const COMMUNE_SITE = 'hue';

export interface LinkedOptions {
  /** Province meetings linked to the national meeting (the first also has a commune below it). */
  provinces: number;
  /** Seconds of the delay window. */
  duration: number;
  /** Floor changes two levels down to time. */
  floorChanges: number;
}

export interface LinkedResult {
  provinces: number;
  /** Packets recognised at both ends of each hop during the window. */
  matched: { nationalToProvince: number; provinceToCommune: number };
  delayMs: { nationalToProvince: Distribution; provinceToCommune: Distribution };
  /** `floor:grant` by the province chair → the commune's picture on the national program. */
  floorUpMs: Distribution;
  /** National worker CPU, % of one core, with one link and with all of them. */
  nationalWorkerCpu: { oneLink: number; allLinks: number; perExtraLink: number };
  /** CPU of the hubs' ffmpeg children (the links' audio mixes; not the cameras), % of a core. */
  ffmpegCpu: { oneLink: number; allLinks: number };
  /** Whether anything was transcoded: the program and mix codecs at each level. */
  codecs: string[];
}

async function startHub(dataDir: string): Promise<Hub> {
  const { startHub } = await import('@giaoban/server');
  const { hashPassword } = await import('@giaoban/server/dist/auth/passwords.js');
  return startHub({
    ...process.env,
    PORT: String(await freeTcpPort()),
    HOST: '127.0.0.1',
    GIAOBAN_DATA_DIR: dataDir,
    GIAOBAN_STORE: 'memory',
    GIAOBAN_ORGANIZERS: `bench:${hashPassword(PASSWORD)}`,
    JWT_SECRET: 'bench-linked-secret-bench-linked-secret',
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_WORKERS: '1',
    MEDIA_RTC_PORT: String(await freeUdpPort()),
    // Transports without the WebRtcServer (the relays' pipes, the cameras' PlainTransports) take
    // ports below the kernel's ephemeral range, where the WebRtcServer's free port came from.
    MEDIA_RTC_MIN_PORT: '20000',
    MEDIA_RTC_MAX_PORT: '29999',
    SIP_PORT: '0',
    LOG_LEVEL: 'warn',
    // A commune meeting's host is a site of the province meeting at the same hour: with every
    // meeting checked the calendar calls that a clash (see docs/LINKED-MEETINGS.md).
    BOOKING_CLASH_CHECK: 'bookings',
  });
}

async function api<T>(
  base: string,
  method: string,
  route: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An organizer of one hub. */
class Org {
  private constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  static async of(hub: Hub): Promise<Org> {
    const base = hub.url.replace('localhost', '127.0.0.1');
    const { token } = await api<{ token: string }>(base, 'POST', '/api/auth/login', null, {
      username: 'bench',
      password: PASSWORD,
    });
    return new Org(base, token);
  }

  async meeting(title: string, host: string, sites: string[]): Promise<string> {
    const summary = await api<{ meeting: { id: string } }>(this.base, 'POST', '/api/meetings', this.token, {
      title,
      scheduledAt: Date.now() + 60_000,
      hostSiteId: host,
      chairName: 'Đồng chí Chủ trì',
      floorSeconds: 0,
      maxConnections: 500,
      invitedSiteIds: sites,
    });
    return summary.meeting.id;
  }

  async link(meetingId: string, body: Record<string, unknown>): Promise<string> {
    return (
      await api<{ token: string }>(this.base, 'POST', `/api/meetings/${meetingId}/links`, this.token, body)
    ).token;
  }

  async attach(meetingId: string, parentUrl: string, token: string): Promise<void> {
    await api(this.base, 'PUT', `/api/meetings/${meetingId}/parent`, this.token, { url: parentUrl, token });
  }
}

/** A chair's connection: joined, live, and able to send commands. */
class Chair {
  private constructor(
    readonly socket: HubSocket,
    readonly join: JoinResult,
  ) {}

  static async connect(base: string, token: string): Promise<Chair> {
    const socket: HubSocket = io(base, {
      auth: { token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      forceNew: true,
    });
    socket.on('media:newConsumers', (infos, ack) => ack(infos.map(() => ({ ok: true, data: null }))));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const chair = new Chair(socket, await request<JoinResult>(socket, 'meeting:join', {}));
    await request(socket, 'meeting:openTechCheck', {});
    await request(socket, 'meeting:goLive', {});
    return chair;
  }

  command(event: string, payload: unknown): Promise<unknown> {
    return request(this.socket, event, payload);
  }
}

function request<T>(socket: HubSocket, event: string, payload: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    (
      socket.timeout(20_000).emit as (
        e: string,
        p: unknown,
        cb: (err: Error | null, r: Result<T>) => void,
      ) => void
    )(event, payload, (err, r) => {
      if (err) reject(err);
      else if (r.ok) resolve(r.data);
      else reject(new Error(`${event}: ${r.error.code} ${r.error.message}`));
    });
  });
}

/** ffmpeg publishing a VP8 test pattern as a chair's camera; stop() ends it. */
async function publishCamera(media: Media, chair: Chair, pattern: string): Promise<{ stop(): void }> {
  const peer = media.getPeer(chair.join.self.participantId);
  if (!peer) throw new Error('no media peer of the chair');
  // ffmpeg sends RTP and RTCP from two ports: no rtcp-mux, so comedia latches onto RTP's.
  const send = await peer.createPlainTransportForTesting('send', { comedia: true, rtcpMux: false });
  const ssrc = 10_000 + Math.floor(Math.random() * 1_000_000);
  await peer.produce({
    transportId: send.id,
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
      encodings: [{ ssrc }],
    },
  });
  const rtcpPort = send.rtcpTuple?.localPort ?? send.tuple.localPort + 1;
  const child: ChildProcess = spawn(
    '/usr/bin/ffmpeg',
    [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        `${pattern}=size=640x360:rate=25`,
      ],
      // ffmpeg ignores PLI: a key frame every 5 frames (200 ms) stands in for a browser's answer
      // to a key-frame request, which comes within a frame or two.
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k', '-g', '5'],
      ...['-an', '-f', 'rtp', '-payload_type', '101', '-ssrc', String(ssrc)],
      `rtp://127.0.0.1:${send.tuple.localPort}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ],
    { stdio: 'ignore' },
  );
  return { stop: () => child.kill('SIGKILL') };
}

/** Records when each packet of a producer arrives, by the last 12 bytes of its payload. */
class Arrivals {
  readonly at = new Map<string, number>();
  recording = false;
  #transport: ms.DirectTransport | null = null;

  static async on(media: Media, producerId: string): Promise<Arrivals> {
    const a = new Arrivals();
    const transport = await media.edgeRouter.createDirectTransport();
    a.#transport = transport;
    const consumer = await transport.consume({ producerId, rtpCapabilities: media.rtpCapabilities });
    consumer.on('rtp', (packet) => {
      if (!a.recording || packet.length < 40) return;
      const key = packet.subarray(packet.length - 12).toString('hex');
      if (!a.at.has(key)) a.at.set(key, performance.now());
    });
    return a;
  }

  /** The next packet of `known` (a set of payload keys) to arrive, as performance.now(). */
  async firstOf(known: Arrivals, since: number, timeoutMs: number): Promise<number | null> {
    let found: number | null = null;
    await waitFor(() => {
      for (const [key, t] of this.at) if (t >= since && known.at.has(key)) found = t;
      return found !== null;
    }, timeoutMs);
    return found;
  }

  close(): void {
    this.#transport?.close();
  }
}

function hop(from: Arrivals, to: Arrivals): number[] {
  const out: number[] = [];
  for (const [key, t] of from.at) {
    const later = to.at.get(key);
    if (later !== undefined) out.push(later - t);
  }
  return out;
}

/** Whether an ffmpeg of ours is a camera (a lavfi test source), not one of the hubs' audio mixes. */
function isCamera(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('lavfi');
  } catch {
    return false;
  }
}

/** Worker CPU (ms) of a hub's media workers, and of the hubs' ffmpeg children (the audio mixes). */
async function cpuNow(hub: Hub): Promise<{ worker: number; ffmpeg: number }> {
  const usage = await hub.parts.pool.getResourceUsage();
  const worker = usage.reduce((s, w) => s + (w.usage ? w.usage.ru_utime + w.usage.ru_stime : 0), 0);
  const procs = allProcesses();
  let ffmpeg = 0;
  for (const [pid, p] of procs)
    if (p.name === 'ffmpeg' && descendsFrom(procs, pid, process.pid) && !isCamera(pid)) ffmpeg += p.cpuMs;
  return { worker, ffmpeg };
}

async function cpuOver(hub: Hub, seconds: number): Promise<{ worker: number; ffmpeg: number }> {
  const a = await cpuNow(hub);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const b = await cpuNow(hub);
  const ms = performance.now() - t0;
  return { worker: ((b.worker - a.worker) / ms) * 100, ffmpeg: ((b.ffmpeg - a.ffmpeg) / ms) * 100 };
}

export async function runLinked(options: LinkedOptions): Promise<LinkedResult> {
  const provinces = Math.max(1, Math.min(options.provinces, PROVINCES.length));
  const scratch = mkdtempSync(path.join(tmpdir(), 'giaoban-bench-linked-'));
  const national = await startHub(path.join(scratch, 'national'));
  const province = await startHub(path.join(scratch, 'province'));
  const stops: Array<() => void> = [];
  const arrivals: Arrivals[] = [];
  try {
    const nOrg = await Org.of(national);
    const pOrg = await Org.of(province);
    const sites = PROVINCES.slice(0, provinces);
    const nMeeting = await nOrg.meeting('Hội nghị toàn quốc (benchmark)', NATIONAL_HOST, sites);
    const nChair = await Chair.connect(nOrg.base, await nOrg.link(nMeeting, { role: 'chair' }));
    const nMedia = await national.parts.media.get(nMeeting as never);
    stops.push((await publishCamera(nMedia, nChair, 'testsrc2')).stop);

    // The first province: its chair publishes, one of its sites is the commune meeting's relay.
    const first = sites[0] as string;
    const pMeeting = await pOrg.meeting(`Giao ban ${first}`, first, [COMMUNE_HOST]);
    const pChair = await Chair.connect(
      pOrg.base,
      await pOrg.link(pMeeting, { role: 'chair', siteId: first }),
    );
    const pMedia = await province.parts.media.get(pMeeting as never);
    stops.push((await publishCamera(pMedia, pChair, 'smptebars')).stop);
    const cMeeting = await pOrg.meeting('Giao ban cấp xã (benchmark)', COMMUNE_HOST, [COMMUNE_SITE]);
    const cChair = await Chair.connect(
      pOrg.base,
      await pOrg.link(cMeeting, { role: 'chair', siteId: COMMUNE_HOST }),
    );
    const cMedia = await province.parts.media.get(cMeeting as never);
    stops.push((await publishCamera(cMedia, cChair, 'mandelbrot')).stop);

    const relayOf = (meetingId: string) => province.parts.relay.clientOf(meetingId as never);
    await pOrg.attach(pMeeting, nOrg.base, await nOrg.link(nMeeting, { role: 'relay', siteId: first }));
    await pOrg.attach(
      cMeeting,
      pOrg.base,
      await pOrg.link(pMeeting, { role: 'relay', siteId: COMMUNE_HOST }),
    );
    const relaying = (id: string) => relayOf(id)?.state === 'relaying';
    if (!(await waitFor(() => relaying(pMeeting) && relaying(cMeeting), 60_000)))
      throw new Error('the province and commune meetings never relayed');
    log('linked', 'three levels linked', { national: nMeeting, province: pMeeting, commune: cMeeting });

    const nProgram = await Arrivals.on(nMedia, nMedia.program.producer.id);
    const pProgram = await Arrivals.on(pMedia, pMedia.program.producer.id);
    const cProgram = await Arrivals.on(cMedia, cMedia.program.producer.id);
    arrivals.push(nProgram, pProgram, cProgram);
    await sleep(3000);
    const one = await cpuOver(national, Math.min(10, options.duration));

    // The delay window: the national chair's packets through two levels.
    for (const a of arrivals) a.recording = true;
    await sleep(options.duration * 1000);
    for (const a of arrivals) a.recording = false;
    const nationalToProvince = hop(nProgram, pProgram);
    const provinceToCommune = hop(pProgram, cProgram);

    // A floor change two levels down reaching the top: the nation gives the province the floor,
    // then the province chair gives it to the commune (its picture goes up) and takes it back.
    const cameraId = cMedia.getPeer(cChair.join.self.participantId)?.producerIds.camera;
    if (!cameraId) throw new Error('no commune camera');
    const cLocal = await Arrivals.on(cMedia, cameraId);
    arrivals.push(cLocal);
    cLocal.recording = true;
    nProgram.at.clear();
    nProgram.recording = true;
    await nChair.command('floor:grant', { siteId: first, seconds: 0 });
    await waitFor(() => relayOf(pMeeting)?.onParentStage === true, 20_000);
    const floorUp: number[] = [];
    for (let i = 0; i < options.floorChanges; i++) {
      const t0 = performance.now();
      await pChair.command('floor:grant', { siteId: COMMUNE_HOST, seconds: 0 });
      const t1 = await nProgram.firstOf(cLocal, t0, 10_000);
      if (t1 !== null) floorUp.push(t1 - t0);
      await pChair.command('floor:revoke', {});
      await sleep(1500);
    }
    await nChair.command('floor:revoke', {});

    // The other provinces link too: what each relayed link costs the national hub.
    for (const site of sites.slice(1)) {
      const meeting = await pOrg.meeting(`Giao ban ${site}`, site, []);
      await Chair.connect(pOrg.base, await pOrg.link(meeting, { role: 'chair', siteId: site }));
      await pOrg.attach(meeting, nOrg.base, await nOrg.link(nMeeting, { role: 'relay', siteId: site }));
    }
    const others = sites.slice(1).length;
    if (others > 0 && !(await waitFor(() => nMedia.producerCount >= 3 + 2 * others, 60_000)))
      log('linked', 'not every province linked in time', { producers: nMedia.producerCount });
    await sleep(5000);
    const all = await cpuOver(national, Math.min(10, options.duration));

    const codecs = [nMedia, pMedia, cMedia].map(
      (m) => m.program.producer.rtpParameters.codecs[0]?.mimeType ?? '?',
    );
    const perExtra = provinces > 1 ? (all.worker - one.worker) / (provinces - 1) : 0;
    return {
      provinces,
      matched: { nationalToProvince: nationalToProvince.length, provinceToCommune: provinceToCommune.length },
      delayMs: {
        nationalToProvince: distribution(nationalToProvince),
        provinceToCommune: distribution(provinceToCommune),
      },
      floorUpMs: distribution(floorUp),
      nationalWorkerCpu: { oneLink: one.worker, allLinks: all.worker, perExtraLink: perExtra },
      ffmpegCpu: { oneLink: one.ffmpeg, allLinks: all.ffmpeg },
      codecs,
    };
  } catch (e) {
    log('linked', 'failed', { error: errorText(e) });
    throw e;
  } finally {
    for (const a of arrivals) a.close();
    for (const stop of stops) stop();
    await province.stop().catch(() => undefined);
    await national.stop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}
