/**
 * Runs inside the test pages of loopback-media.test.ts, bundled with mediasoup-client by esbuild.
 * Talks to the Node side through `window.signal`, a function the test exposes with Playwright.
 */
import { Device, type types } from 'mediasoup-client';

type Signal = (method: string, data?: unknown) => Promise<unknown>;

interface TransportInfo {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
}

/** What the receiving page reports from its RTCPeerConnection stats. */
export interface ReceiveStats {
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  audioPacketsReceived: number;
}

declare global {
  interface Window {
    signal: Signal;
    loopback: {
      publish(): Promise<string[]>;
      consume(producerIds: string[]): Promise<void>;
      receiveStats(): Promise<ReceiveStats>;
    };
  }
}

let device: Device | undefined;
const consumers: types.Consumer[] = [];

async function loadDevice(): Promise<Device> {
  if (device) return device;
  const created = await Device.factory();
  const routerRtpCapabilities = (await window.signal('routerRtpCapabilities')) as types.RtpCapabilities;
  await created.load({ routerRtpCapabilities });
  device = created;
  return created;
}

/** Publishes the fake camera and microphone; resolves with the producer ids. */
async function publish(): Promise<string[]> {
  const dev = await loadDevice();
  const info = (await window.signal('createTransport')) as TransportInfo;
  const transport = dev.createSendTransport(info);
  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    window.signal('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => done(), fail);
  });
  transport.on('produce', ({ kind, rtpParameters }, done, fail) => {
    window
      .signal('produce', { transportId: transport.id, kind, rtpParameters })
      .then((id) => done({ id: id as string }), fail);
  });
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 640, height: 480 },
  });
  const ids: string[] = [];
  for (const track of stream.getTracks()) {
    const producer = await transport.produce({ track });
    ids.push(producer.id);
  }
  return ids;
}

/** Consumes the given producers and renders them (video in a <video>, audio in an <audio>). */
async function consume(producerIds: string[]): Promise<void> {
  const dev = await loadDevice();
  const info = (await window.signal('createTransport')) as TransportInfo;
  const transport = dev.createRecvTransport(info);
  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    window.signal('connectTransport', { transportId: transport.id, dtlsParameters }).then(() => done(), fail);
  });
  for (const producerId of producerIds) {
    const params = (await window.signal('consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: dev.recvRtpCapabilities,
    })) as ConsumerInfo;
    const consumer = await transport.consume(params);
    consumers.push(consumer);
    const element = document.createElement(consumer.kind === 'video' ? 'video' : 'audio');
    element.autoplay = true;
    element.muted = true;
    if (element instanceof HTMLVideoElement) element.playsInline = true;
    element.srcObject = new MediaStream([consumer.track]);
    document.body.append(element);
    // The server created the consumer paused; now that this side is ready, let media flow.
    await window.signal('resumeConsumer', { consumerId: consumer.id });
  }
}

async function receiveStats(): Promise<ReceiveStats> {
  const result: ReceiveStats = { framesDecoded: 0, frameWidth: 0, frameHeight: 0, audioPacketsReceived: 0 };
  for (const consumer of consumers) {
    const report = await consumer.getStats();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') {
        result.framesDecoded += Number(s.framesDecoded ?? 0);
        result.frameWidth = Math.max(result.frameWidth, Number(s.frameWidth ?? 0));
        result.frameHeight = Math.max(result.frameHeight, Number(s.frameHeight ?? 0));
      } else if (s.kind === 'audio') {
        result.audioPacketsReceived += Number(s.packetsReceived ?? 0);
      }
    });
  }
  return result;
}

window.loopback = { publish, consume, receiveStats };
