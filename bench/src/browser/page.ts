/**
 * Runs in a real Chromium page (bundled with mediasoup-client and socket.io-client by esbuild):
 * joins a meeting as a bridge point exactly as the client app's media service does
 * (client/src/services/media.ts: Device, RTP capabilities, receive transport, one consumer per
 * consumer of a `media:newConsumers` batch, acked together), and reports when the first frame of
 * the program camera is decoded (requestVideoFrameCallback, which fires about 60 ms before
 * getStats() would show it).
 *
 * `benchPublish` is the other half of a site's page: it publishes Chromium's fake camera (the
 * client's three simulcast encodings) and microphone as client/src/services/publisher.ts does,
 * and follows the hub's dynacast (`media:publishLayers` → `setMaxSpatialLayer`) and microphone
 * state (`media:micState` → pause/resume with zeroRtpOnPause), recording when each arrived.
 */
import { Device, type types } from 'mediasoup-client';
import { io } from 'socket.io-client';

/** Milestones in ms since `join()` was called. */
export interface PageJoinTimings {
  socketConnected: number;
  joined: number;
  deviceLoaded: number;
  transportConnected: number;
  firstFrame: number;
  frameWidth: number;
  consumers: number;
}

type Ack = (r: unknown) => void;
interface Info {
  id: string;
  producerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
  siteId: string | null;
  source: string;
}

/** What a publishing page has seen so far (read with `benchPublisherState`). */
export interface PublisherState {
  cameraProducerId: string;
  micProducerId: string;
  /** The last `media:publishLayers` applied (setMaxSpatialLayer done), and when (Date.now()). */
  spatialLayers: number;
  layersAppliedAt: number;
  micOpen: boolean | null;
  /** Date.now() of every `media:micState` that opened the microphone, and of its resume done. */
  micOpenedAt: number[];
  micResumedAt: number[];
  errors: string[];
}

/** The camera sender's outbound-rtp stats per encoding. */
export interface EncodingStats {
  rid: string;
  framesEncoded: number;
  totalEncodeTime: number;
  packetsSent: number;
  bytesSent: number;
  frameWidth: number;
  qualityLimitationReason: string;
}

declare global {
  interface Window {
    benchPublish(url: string, token: string, protocolVersion: number): Promise<PublisherState>;
    benchPublisherState(): PublisherState;
    benchEncoderStats(): Promise<EncodingStats[]>;
    benchJoin(
      url: string,
      token: string,
      protocolVersion: number,
      programSiteId: string,
    ): Promise<PageJoinTimings>;
  }
}

window.benchJoin = async (url, token, protocolVersion, programSiteId) => {
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const out: PageJoinTimings = {
    socketConnected: Number.NaN,
    joined: Number.NaN,
    deviceLoaded: Number.NaN,
    transportConnected: Number.NaN,
    firstFrame: Number.NaN,
    frameWidth: 0,
    consumers: 0,
  };
  const socket = io(url, {
    auth: { token, protocolVersion },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const request = <T>(event: string, payload: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      socket.emit(event, payload, (r: { ok: boolean; data?: T; error?: { message: string } }) =>
        r.ok ? resolve(r.data as T) : reject(new Error(`${event}: ${r.error?.message}`)),
      );
    });
  let setRecv: (t: types.Transport) => void = () => undefined;
  const recvReady = new Promise<types.Transport>((r) => {
    setRecv = r;
  });
  let frameSeen: (at: number, width: number) => void = () => undefined;
  const firstFrame = new Promise<void>((resolve) => {
    frameSeen = (at, width) => {
      if (Number.isNaN(out.firstFrame)) {
        out.firstFrame = at;
        out.frameWidth = width;
      }
      resolve();
    };
  });
  // One consumer built and shown; the hub announces them in batches, the bare harness one by one.
  const build = async (info: Info): Promise<Parameters<Ack>[0]> => {
    try {
      const recv = await recvReady;
      const consumer = await recv.consume({
        id: info.id,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters,
      });
      out.consumers++;
      const el = document.createElement(consumer.kind === 'video' ? 'video' : 'audio');
      el.autoplay = true;
      el.muted = true;
      el.srcObject = new MediaStream([consumer.track]);
      document.body.append(el);
      if (
        el instanceof HTMLVideoElement &&
        ((info.siteId === programSiteId && info.source === 'camera') || info.source === 'program')
      ) {
        el.playsInline = true;
        el.requestVideoFrameCallback((_now, meta) => frameSeen(since(), meta.width));
      }
      return { ok: true, data: null };
    } catch (e) {
      return { ok: false, error: { code: 'INTERNAL', message: String(e) } };
    }
  };
  socket.on('media:newConsumers', async (infos: Info[], ack: (results: Parameters<Ack>[0][]) => void) =>
    ack(await Promise.all(infos.map(build))),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  out.socketConnected = since();
  const join = await request<{ routerRtpCapabilities: types.RtpCapabilities }>('meeting:join', {});
  out.joined = since();
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities: join.routerRtpCapabilities });
  out.deviceLoaded = since();
  await request('media:setRtpCapabilities', { rtpCapabilities: device.recvRtpCapabilities });
  const info = await request<{
    id: string;
    iceParameters: types.IceParameters;
    iceCandidates: types.IceCandidate[];
    dtlsParameters: types.DtlsParameters;
  }>('media:createTransport', { direction: 'recv' });
  const recv = device.createRecvTransport(info);
  recv.on('connect', ({ dtlsParameters }, done, fail) => {
    request('media:connectTransport', { transportId: recv.id, dtlsParameters }).then(() => done(), fail);
  });
  recv.on('connectionstatechange', (state) => {
    if (state === 'connected' && Number.isNaN(out.transportConnected)) out.transportConnected = since();
  });
  setRecv(recv);
  await Promise.race([firstFrame, new Promise((r) => setTimeout(r, 15_000))]);
  socket.close();
  recv.close();
  return out;
};

/** The client's camera encodings (client/src/services/publisher.ts CAMERA_ENCODINGS). */
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];

let publisherState: PublisherState | null = null;
let cameraProducer: types.Producer | null = null;

window.benchPublisherState = () => {
  if (!publisherState) throw new Error('benchPublish() has not run');
  return publisherState;
};

window.benchEncoderStats = async () => {
  const out: EncodingStats[] = [];
  if (!cameraProducer) return out;
  const report = await cameraProducer.getStats();
  report.forEach((s: Record<string, unknown>) => {
    if (s.type !== 'outbound-rtp') return;
    out.push({
      rid: String(s.rid ?? ''),
      framesEncoded: Number(s.framesEncoded ?? 0),
      totalEncodeTime: Number(s.totalEncodeTime ?? 0),
      packetsSent: Number(s.packetsSent ?? 0),
      bytesSent: Number(s.bytesSent ?? 0),
      frameWidth: Number(s.frameWidth ?? 0),
      qualityLimitationReason: String(s.qualityLimitationReason ?? ''),
    });
  });
  return out.sort((a, b) => a.rid.localeCompare(b.rid));
};

window.benchPublish = async (url, token, protocolVersion) => {
  const state: PublisherState = {
    cameraProducerId: '',
    micProducerId: '',
    spatialLayers: 3,
    layersAppliedAt: 0,
    micOpen: null,
    micOpenedAt: [],
    micResumedAt: [],
    errors: [],
  };
  publisherState = state;
  const socket = io(url, {
    auth: { token, protocolVersion },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const request = <T>(event: string, payload: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      socket.emit(event, payload, (r: { ok: boolean; data?: T; error?: { message: string } }) =>
        r.ok ? resolve(r.data as T) : reject(new Error(`${event}: ${r.error?.message}`)),
      );
    });
  let mic: types.Producer | null = null;
  const pendingLayers = new Map<string, number>();
  let layersRun: Promise<void> = Promise.resolve();
  const applyLayers = (producerId: string, spatialLayers: number): void => {
    const camera = cameraProducer;
    if (camera?.id !== producerId) {
      pendingLayers.set(producerId, spatialLayers);
      return;
    }
    layersRun = layersRun.then(async () => {
      try {
        if (camera.maxSpatialLayer !== spatialLayers - 1) await camera.setMaxSpatialLayer(spatialLayers - 1);
        state.spatialLayers = spatialLayers;
        state.layersAppliedAt = Date.now();
      } catch (e) {
        state.errors.push(`setMaxSpatialLayer: ${String(e)}`);
      }
    });
  };
  const applyMic = (): void => {
    if (!mic || mic.closed || state.micOpen === null || mic.paused === !state.micOpen) return;
    if (state.micOpen) {
      mic.resume();
      state.micResumedAt.push(Date.now());
    } else mic.pause();
  };
  socket.on('media:publishLayers', (l: { producerId: string; spatialLayers: number }) =>
    applyLayers(l.producerId, l.spatialLayers),
  );
  socket.on('media:micState', (m: { open: boolean }) => {
    if (m.open && state.micOpen !== true) state.micOpenedAt.push(Date.now());
    state.micOpen = m.open;
    applyMic();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  const join = await request<{ routerRtpCapabilities: types.RtpCapabilities }>('meeting:join', {});
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities: join.routerRtpCapabilities });
  await request('media:setRtpCapabilities', { rtpCapabilities: device.recvRtpCapabilities });
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } },
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const info = await request<{
    id: string;
    iceParameters: types.IceParameters;
    iceCandidates: types.IceCandidate[];
    dtlsParameters: types.DtlsParameters;
  }>('media:createTransport', { direction: 'send' });
  const send = device.createSendTransport(info);
  send.on('connect', ({ dtlsParameters }, done, fail) => {
    request('media:connectTransport', { transportId: send.id, dtlsParameters }).then(() => done(), fail);
  });
  send.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
    request<{ producerId: string }>('media:produce', {
      transportId: send.id,
      kind,
      source: appData.source,
      rtpParameters,
    }).then(({ producerId }) => done({ id: producerId }), fail);
  });
  const [videoTrack] = stream.getVideoTracks();
  const [audioTrack] = stream.getAudioTracks();
  const codec = device.sendRtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
  cameraProducer = await send.produce({
    track: videoTrack as MediaStreamTrack,
    encodings: CAMERA_ENCODINGS,
    ...(codec ? { codec } : {}),
    codecOptions: { videoGoogleStartBitrate: 1000 },
    stopTracks: false,
    appData: { source: 'camera' },
  });
  state.cameraProducerId = cameraProducer.id;
  const pending = pendingLayers.get(cameraProducer.id);
  if (pending !== undefined) applyLayers(cameraProducer.id, pending);
  mic = await send.produce({
    track: audioTrack as MediaStreamTrack,
    codecOptions: { opusStereo: false, opusDtx: true, opusFec: true },
    stopTracks: false,
    zeroRtpOnPause: true,
    appData: { source: 'mic' },
  });
  state.micProducerId = mic.id;
  applyMic();
  return state;
};
