/**
 * Real WebRTC through the worker built by infra/mediasoup/build-worker.sh, without the hub:
 * page 1 publishes Chromium's fake camera and microphone with mediasoup-client 3.24.1 to a
 * WebRtcServer on 127.0.0.1; page 2 consumes both; its getStats() must show decoded frames of a
 * real size and received audio packets. Signalling is a function exposed to the pages.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import mediasoup, { type types } from 'mediasoup';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { freeUdpPort } from '../support/ports.js';
import type { ReceiveStats } from './loopback-page.js';

const mediaCodecs: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const html =
  '<!doctype html><html><head><meta charset="utf-8"><title>loopback</title></head>' +
  '<body><script src="/page.js"></script></body></html>';

describe('browser ↔ mediasoup on loopback', () => {
  let worker: types.Worker;
  let router: types.Router;
  let webRtcServer: types.WebRtcServer;
  let http: Server;
  let baseUrl: string;
  let browser: Browser;
  const transports = new Map<string, types.WebRtcTransport>();
  const consumers = new Map<string, types.Consumer>();
  const producers: types.Producer[] = [];

  /** The Node side of the signalling: one small request/response API for both pages. */
  async function signal(method: string, data: Record<string, unknown> = {}): Promise<unknown> {
    switch (method) {
      case 'routerRtpCapabilities':
        return router.rtpCapabilities;
      case 'createTransport': {
        const t = await router.createWebRtcTransport({ webRtcServer });
        transports.set(t.id, t);
        return {
          id: t.id,
          iceParameters: t.iceParameters,
          iceCandidates: t.iceCandidates,
          dtlsParameters: t.dtlsParameters,
        };
      }
      case 'connectTransport':
        await transportOf(data).connect({ dtlsParameters: data.dtlsParameters as types.DtlsParameters });
        return true;
      case 'produce': {
        const producer = await transportOf(data).produce({
          kind: data.kind as types.MediaKind,
          rtpParameters: data.rtpParameters as types.RtpParameters,
        });
        producers.push(producer);
        return producer.id;
      }
      case 'consume': {
        // Created paused: the client must set up its side before media (and the first key
        // frame) flows, or that key frame would be lost. It asks to resume when ready.
        const consumer = await transportOf(data).consume({
          producerId: data.producerId as string,
          rtpCapabilities: data.rtpCapabilities as types.RtpCapabilities,
          paused: true,
        });
        consumers.set(consumer.id, consumer);
        return {
          id: consumer.id,
          producerId: consumer.producerId,
          kind: consumer.kind,
          rtpParameters: consumer.rtpParameters,
        };
      }
      case 'resumeConsumer':
        await consumers.get(data.consumerId as string)?.resume();
        return true;
      default:
        throw new Error(`signal() | unknown method [method:${method}]`);
    }
  }

  function transportOf(data: Record<string, unknown>): types.WebRtcTransport {
    const t = transports.get(data.transportId as string);
    if (!t) throw new Error(`signal() | unknown transport [id:${String(data.transportId)}]`);
    return t;
  }

  async function openPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error('page error |', error.message));
    await page.exposeFunction('signal', (method: string, data?: Record<string, unknown>) =>
      signal(method, data),
    );
    await page.goto(baseUrl);
    await page.waitForFunction(() => 'loopback' in window);
    return page;
  }

  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs });
    const port = await freeUdpPort();
    webRtcServer = await worker.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }],
    });

    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./loopback-page.ts', import.meta.url))],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'error',
    });
    const script = bundle.outputFiles[0]?.contents ?? new Uint8Array();
    http = createServer((req, res) => {
      if (req.url === '/page.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      }
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    if (address === null || typeof address === 'string') throw new Error('no http port');
    // http://127.0.0.1 is a secure context, so getUserMedia is allowed.
    baseUrl = `http://127.0.0.1:${address.port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    http?.close();
    worker?.close();
  });

  it('a second page decodes the video and receives the audio the first page publishes', async () => {
    const publisher = await openPage();
    const producerIds = await publisher.evaluate(() => window.loopback.publish());
    expect(producerIds).toHaveLength(2);

    const viewer = await openPage();
    await viewer.evaluate((ids) => window.loopback.consume(ids), producerIds);

    let stats: ReceiveStats = { framesDecoded: 0, frameWidth: 0, frameHeight: 0, audioPacketsReceived: 0 };
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      stats = await viewer.evaluate(() => window.loopback.receiveStats());
      if (stats.framesDecoded > 0 && stats.frameWidth > 0 && stats.audioPacketsReceived > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.info('viewer stats |', JSON.stringify(stats));

    expect(stats.framesDecoded, 'video frames decoded').toBeGreaterThan(0);
    expect(stats.frameWidth, 'decoded frame width').toBeGreaterThan(0);
    expect(stats.frameHeight, 'decoded frame height').toBeGreaterThan(0);
    expect(stats.audioPacketsReceived, 'audio packets received').toBeGreaterThan(0);
    expect(producers.every((p) => !p.closed)).toBe(true);
  });
});
