import dgram from 'node:dgram';
import type { MeetingId, ParticipantId, Role, SiteId, TransportInfo } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { expect, vi } from 'vitest';
import {
  loadMediaConfig,
  type MediaConfig,
  type MediaPeer,
  type MediaPolicySnapshot,
  type MeetingMedia,
  silentMediaLogger,
  WorkerPool,
} from '../../../src/media/index.js';
import { cameraRtpParameters, FakeSiteSender, micRtpParameters } from './FakeSiteSender.js';
import { freeUdpTcpPort } from './ports.js';
import { RecordingSignal } from './RecordingSignal.js';

export const site = (s: string) => s as SiteId;
export const pid = (s: string) => s as ParticipantId;
export const mid = (s: string) => s as MeetingId;

/** A test media config: loopback only, few workers, a WebRtcServer on free ports. */
export async function testConfig(
  numWorkers: number,
  overrides: Partial<MediaConfig> = {},
): Promise<MediaConfig> {
  const port = await freeUdpTcpPort();
  return {
    ...loadMediaConfig({
      NODE_ENV: 'test',
      MEDIA_WORKERS: String(numWorkers),
      MEDIA_RTC_PORT: String(port),
      MEDIA_LOG_LEVEL: 'error',
      ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
    }),
    audioLevelIntervalMs: 200,
    ...overrides,
  };
}

export async function testPool(numWorkers = 1, overrides: Partial<MediaConfig> = {}): Promise<WorkerPool> {
  return WorkerPool.create(await testConfig(numWorkers, overrides), silentMediaLogger);
}

/** A participant in a test room: its peer, what it was told, and (if it publishes) its RTP sender. */
export interface TestParticipant {
  peer: MediaPeer;
  signal: RecordingSignal;
  siteId: SiteId | null;
  sender: FakeSiteSender | null;
  micId: string | null;
  cameraId: string | null;
  recv: ms.Transport | null;
  send: ms.PlainTransport | null;
  /** What the client got from createTransport('recv') when it receives over WebRTC. */
  transportInfo?: TransportInfo;
}

let ssrcBase = 1_000_000;

/** Builds test participants on a meeting and cleans them up. */
export class TestRoom {
  readonly participants = new Map<string, TestParticipant>();
  readonly #sockets: dgram.Socket[] = [];
  readonly #producers = new Map<string, ms.Producer>();

  constructor(readonly meeting: MeetingMedia) {
    meeting.routerForTesting.observer.on('newtransport', (t) => {
      t.observer.on('newproducer', (producer) => this.#producers.set(producer.id, producer));
    });
  }

  /**
   * Adds a participant. Publishers get a PlainTransport fed by a FakeSiteSender (mic + 3-layer
   * camera); everyone receives on a PlainTransport pointed at a local UDP sink, so consumer
   * byte counts are real — or, with `webRtcRecv`, on a WebRtcTransport as a browser would.
   * `rtp: false` creates the publisher's producers without sending any RTP (counting tests).
   */
  async join(
    name: string,
    role: Role,
    siteId: SiteId | null,
    options: { publish?: boolean; webRtcRecv?: boolean; consume?: boolean; rtp?: boolean } = {},
  ): Promise<TestParticipant> {
    const signal = new RecordingSignal((consumerId) => this.#serverPaused(consumerId));
    const peer = this.meeting.addPeer({ participantId: pid(name), siteId, role }, signal);
    const p: TestParticipant = {
      peer,
      signal,
      siteId,
      sender: null,
      micId: null,
      cameraId: null,
      recv: null,
      send: null,
    };
    this.participants.set(name, p);
    if (options.consume !== false) {
      if (options.webRtcRecv) {
        p.transportInfo = await peer.createTransport('recv');
      } else {
        const sink = dgram.createSocket('udp4');
        this.#sockets.push(sink);
        await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
        const recv = await peer.createPlainTransportForTesting('recv', { comedia: false });
        await recv.connect({ ip: '127.0.0.1', port: sink.address().port });
        p.recv = recv;
      }
      peer.setRtpCapabilities(this.meeting.rtpCapabilities as unknown as Record<string, unknown>);
    }
    if (options.publish) await this.publish(name, { rtp: options.rtp ?? true });
    return p;
  }

  /** Starts a participant's mic and camera (producers only, no packets, with `rtp: false`). */
  async publish(name: string, options: { rtp?: boolean } = {}): Promise<void> {
    const p = this.#get(name);
    const send = await p.peer.createPlainTransportForTesting('send');
    ssrcBase += 10;
    const base = ssrcBase;
    const sender = new FakeSiteSender(base, [base + 1, base + 2, base + 3]);
    if (options.rtp !== false) await sender.start(send);
    p.sender = sender;
    p.send = send;
    p.micId = await p.peer.produce({
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: micRtpParameters(sender.micSsrc) as unknown as Record<string, unknown>,
    });
    p.cameraId = await p.peer.produce({
      transportId: send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: cameraRtpParameters(sender.cameraSsrcs) as unknown as Record<string, unknown>,
    });
  }

  /** The server-side consumer that `viewer` has of `publisher`'s camera or mic. */
  consumer(viewer: string, publisher: string, source: 'camera' | 'mic'): ms.Consumer {
    const v = this.#get(viewer);
    const p = this.#get(publisher);
    const producerId = source === 'camera' ? p.cameraId : p.micId;
    const c = producerId ? v.peer.consumersForTesting().get(producerId) : undefined;
    if (!c) throw new Error(`${viewer} has no consumer of ${publisher}'s ${source}`);
    return c;
  }

  /** The server-side producer of a participant. */
  producer(name: string, source: 'camera' | 'mic'): ms.Producer {
    const p = this.#get(name);
    const id = source === 'camera' ? p.cameraId : p.micId;
    const producer = id ? this.#producers.get(id) : undefined;
    if (!producer) throw new Error(`${name} has no ${source} producer`);
    return producer;
  }

  close(): void {
    for (const p of this.participants.values()) p.sender?.stop();
    for (const s of this.#sockets) {
      try {
        s.close();
      } catch {
        // closed
      }
    }
  }

  #get(name: string): TestParticipant {
    const p = this.participants.get(name);
    if (!p) throw new Error(`no participant ${name}`);
    return p;
  }

  #serverPaused(consumerId: string): boolean | undefined {
    for (const p of this.participants.values()) {
      for (const c of p.peer.consumersForTesting().values()) if (c.id === consumerId) return c.paused;
    }
    return undefined;
  }
}

/** A policy built from plain data, as the app layer would from the domain. */
export function policy(
  programSiteId: SiteId | null,
  allowed: readonly SiteId[],
  selfMuted: readonly SiteId[] = [],
  cornerSiteId: SiteId | null = null,
): MediaPolicySnapshot {
  return {
    programSiteId,
    cornerSiteId,
    micAllowed: (s) => allowed.includes(s),
    selfMuted: (s) => selfMuted.includes(s),
    gridViewer: (role) => role === 'chair' || role === 'operator',
  };
}

/** Bytes a consumer has sent so far. */
export async function bytesSent(consumer: ms.Consumer): Promise<number> {
  const stats = await consumer.getStats();
  return stats.filter((s) => s.type === 'outbound-rtp').reduce((sum, s) => sum + s.byteCount, 0);
}

/** How long a test waits for media to show up before it fails (a busy machine is slow, not wrong). */
export const FLOW_TIMEOUT_MS = 20_000;

/**
 * Waits until a consumer has forwarded more than `bytes` further bytes: media flowed. No time
 * window is asserted, only that it happened.
 */
export async function expectFlowing(consumer: ms.Consumer, bytes = 1_000): Promise<void> {
  const before = await bytesSent(consumer);
  await vi.waitFor(async () => expect(await bytesSent(consumer)).toBeGreaterThan(before + bytes), {
    timeout: FLOW_TIMEOUT_MS,
    interval: 100,
  });
}

/**
 * `silent` forwards nothing while `control` (same sender, same worker) forwards more than `bytes`:
 * whatever the machine's speed, the silence is measured against media that did flow.
 */
export async function expectSilentWhileFlowing(
  silent: ms.Consumer,
  control: ms.Consumer,
  bytes = 1_000,
): Promise<void> {
  const before = await bytesSent(silent);
  await expectFlowing(control, bytes);
  expect(await bytesSent(silent)).toBe(before);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
