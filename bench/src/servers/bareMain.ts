/**
 * Child process: the baseline — a bare mediasoup harness with no hub code. One worker, a router
 * with the same codecs, a WebRtcServer and WebRtcTransports with the hub's settings, and only the
 * consumers that carry media: every site receives the chair's camera (top layer) and microphone,
 * the operator also every site's camera at the lowest layer. It tells the publishers what the hub
 * would (`media:publishLayers`: 3 for the chair, 1 for a site; `media:micState` closed for a
 * site), so the simulated sites send the same media to both servers. Signalling is a minimal socket.io
 * server answering the same events as the hub (so the very same simulated sites and browser pages
 * run against both), without authentication, domain, store or policy engine.
 *
 * Environment: PORT, MEDIA_RTC_PORT (UDP port of the WebRtcServer).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import mediasoup, { type types as ms } from 'mediasoup';
import { Server, type Socket } from 'socket.io';
import { type IpcMessage, serveIpc } from './ipc.js';
import { MediaCensus } from './MediaCensus.js';

const census = new MediaCensus(mediasoup);

const MEDIA_CODECS: ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: {} },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];

interface Peer {
  id: string;
  role: string;
  siteId: string | null;
  name: string;
  socket: Socket;
  caps: ms.RtpCapabilities | null;
  send: ms.WebRtcTransport | null;
  recv: ms.WebRtcTransport | null;
  visible: Set<string>;
  consumed: Set<string>;
}

interface Published {
  producer: ms.Producer;
  owner: Peer;
  source: string;
}

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
const webRtcServer = await worker.createWebRtcServer({
  listenInfos: [
    { protocol: 'udp', ip: '127.0.0.1', port: Number(process.env.MEDIA_RTC_PORT) },
    { protocol: 'tcp', ip: '127.0.0.1', port: Number(process.env.MEDIA_RTC_PORT) },
  ],
});
const peers = new Map<string, Peer>();
const published: Published[] = [];

/** The layer a viewer gets of a producer, or null when it gets nothing (paused in the hub's terms). */
function wanted(viewer: Peer, p: Published): number | null | 'none' {
  if (viewer.siteId !== null && viewer.siteId === p.owner.siteId) return 'none';
  if (p.source === 'mic') return p.owner.role === 'chair' ? null : 'none';
  if (p.owner.role === 'chair') return 2;
  if (viewer.role === 'operator' && p.owner.siteId && viewer.visible.has(p.owner.siteId)) return 0;
  return 'none';
}

async function consume(viewer: Peer, p: Published): Promise<void> {
  const layer = wanted(viewer, p);
  if (layer === 'none' || !viewer.recv || !viewer.caps || viewer.consumed.has(p.producer.id)) return;
  if (p.producer.closed || !router.canConsume({ producerId: p.producer.id, rtpCapabilities: viewer.caps }))
    return;
  viewer.consumed.add(p.producer.id);
  const consumer = await viewer.recv.consume({
    producerId: p.producer.id,
    rtpCapabilities: viewer.caps,
    paused: true,
    ...(layer !== null ? { preferredLayers: { spatialLayer: layer } } : {}),
    enableRtx: true,
    ignoreDtx: true,
  });
  // One consumer per batch (the hub batches what it creates in the same turn; here each is sent
  // as soon as it exists, which is what the hub's first, program-only batch looks like).
  const results = (await viewer.socket.timeout(10_000).emitWithAck('media:newConsumers', [
    {
      id: consumer.id,
      producerId: p.producer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      siteId: p.owner.siteId,
      participantId: p.owner.id,
      source: p.source,
    },
  ])) as { ok: boolean }[];
  if (!results[0]?.ok || consumer.closed) return;
  await consumer.resume();
  if (consumer.kind === 'video') await consumer.requestKeyFrame();
}

function consumeAll(viewer: Peer): void {
  setImmediate(() => {
    for (const p of published) void consume(viewer, p).catch(() => undefined);
  });
}

type Ack = (r: unknown) => void;

async function handle(peer: Peer, event: string, payload: Record<string, unknown>): Promise<unknown> {
  switch (event) {
    case 'meeting:join':
      return {
        self: { participantId: peer.id, role: peer.role, siteId: peer.siteId, displayName: peer.name },
        snapshot: null,
        routerRtpCapabilities: router.rtpCapabilities,
      };
    case 'media:setRtpCapabilities':
      peer.caps = payload.rtpCapabilities as ms.RtpCapabilities;
      if (peer.recv) consumeAll(peer);
      return null;
    case 'media:createTransport': {
      const t = await router.createWebRtcTransport({
        webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
      });
      if (payload.direction === 'send') {
        await t.setMaxIncomingBitrate(3_500_000);
        peer.send = t;
      } else {
        peer.recv = t;
        if (peer.caps) consumeAll(peer);
      }
      return {
        id: t.id,
        iceParameters: t.iceParameters,
        iceCandidates: t.iceCandidates,
        dtlsParameters: t.dtlsParameters,
      };
    }
    case 'media:connectTransport': {
      const t = [peer.send, peer.recv].find((x) => x?.id === payload.transportId);
      if (!t) throw new Error('no such transport');
      await t.connect({ dtlsParameters: payload.dtlsParameters as ms.DtlsParameters });
      return null;
    }
    case 'media:produce': {
      if (!peer.send) throw new Error('no send transport');
      const source = String(payload.source);
      const producer = await peer.send.produce({
        kind: payload.kind as ms.MediaKind,
        rtpParameters: payload.rtpParameters as ms.RtpParameters,
        // As in the hub: only the chair's microphone is heard until someone gets the floor.
        paused: source === 'mic' && peer.role !== 'chair',
      });
      // Dynacast as the hub does it for this load: the chair's camera is watched at the top layer
      // (all three encodings wanted), a site's only in the operator's grid (the lowest).
      if (producer.kind === 'video')
        setImmediate(() =>
          peer.socket.emit('media:publishLayers', {
            producerId: producer.id,
            spatialLayers: peer.role === 'chair' ? 3 : 1,
          }),
        );
      const p: Published = { producer, owner: peer, source };
      published.push(p);
      for (const viewer of peers.values())
        if (viewer !== peer) void consume(viewer, p).catch(() => undefined);
      return { producerId: producer.id };
    }
    case 'media:visibleTiles':
      peer.visible = new Set(payload.siteIds as string[]);
      consumeAll(peer);
      return null;
    default:
      return null;
  }
}

const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 1_000_000 });
io.on('connection', (socket) => {
  let identity: { role?: string; siteId?: string | null; name?: string } = {};
  try {
    identity = JSON.parse(String(socket.handshake.auth?.token ?? '{}'));
  } catch {
    // an unknown identity is an observer
  }
  const peer: Peer = {
    id: randomUUID(),
    role: identity.role ?? 'observer',
    siteId: identity.siteId ?? null,
    name: identity.name ?? 'peer',
    socket,
    caps: null,
    send: null,
    recv: null,
    visible: new Set(),
    consumed: new Set(),
  };
  peers.set(peer.id, peer);
  // As the hub: a site's microphone is not forwarded until it has the floor, and it is told so.
  if (peer.role === 'site') socket.emit('media:micState', { allowed: false, selfMuted: false, open: false });
  socket.onAny((event: string, payload: unknown, ack: unknown) => {
    if (typeof ack !== 'function') return;
    handle(peer, event, (payload ?? {}) as Record<string, unknown>).then(
      (data) => (ack as Ack)({ ok: true, data }),
      (e: unknown) => (ack as Ack)({ ok: false, error: { code: 'INTERNAL', message: String(e) } }),
    );
  });
  socket.on('disconnect', () => {
    peers.delete(peer.id);
    peer.send?.close();
    peer.recv?.close();
    for (let i = published.length - 1; i >= 0; i--) if (published[i]?.owner === peer) published.splice(i, 1);
  });
});
await new Promise<void>((resolve) => httpServer.listen(Number(process.env.PORT), '127.0.0.1', resolve));

serveIpc({
  usage: async () => {
    const ru = await worker.getResourceUsage();
    return {
      workers: [{ pid: worker.pid, cpuMs: ru.ru_utime + ru.ru_stime, maxRssMb: ru.ru_maxrss / 1024 }],
      processCpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      processPeakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  },
  packets: () => census.packetTotals(),
  counts: async () => census.counts(),
  producerPackets: (ids) => census.producerPackets(ids as string[]),
  watchFirstRtp: (id) => census.watchFirstRtp(String(id)),
  firstRtp: async (id) => census.firstRtp(String(id)),
  stop: async () => {
    io.disconnectSockets(true);
    worker.close();
    httpServer.close();
    setImmediate(() => process.exit(0));
    return null;
  },
});
process.send?.({ ready: { url: `http://127.0.0.1:${process.env.PORT}` } } satisfies IpcMessage);
