/**
 * Runs in a real Chromium page (bundled with mediasoup-client and socket.io-client by esbuild):
 * joins a meeting as a bridge point exactly as the client app's media service does
 * (client/src/services/media.ts: Device, RTP capabilities, receive transport, one consumer per
 * `media:newConsumers` from the hub, `media:newConsumer` from the bare harness, ack), and reports when the first frame of the program camera is decoded
 * (requestVideoFrameCallback, which fires about 60 ms before getStats() would show it).
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

declare global {
  interface Window {
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
  socket.on('media:newConsumer', async (info: Info, ack: Ack) => ack(await build(info)));
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
