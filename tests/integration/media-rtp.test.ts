/**
 * The media path through the worker built by infra/mediasoup/build-worker.sh, without the hub:
 * ffmpeg sends VP8 and Opus over RTP into PlainTransports (producers), the router forwards them
 * to consumers on another PlainTransport, which sends RTP to a Node UDP socket.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import mediasoup, { type types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const mediaCodecs: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

/** Sums a stats report's byte counts for one RTP stream type. */
function bytes(stats: Array<{ type: string; byteCount?: number }>, type: string): number {
  return stats.filter((s) => s.type === type).reduce((sum, s) => sum + (s.byteCount ?? 0), 0);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('mediasoup worker media path (RTP in, RTP out)', () => {
  let worker: types.Worker;
  let ffmpeg: ChildProcess | undefined;
  let receiver: Socket;
  let receivedPackets = 0;

  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    receiver = createSocket('udp4');
    receiver.on('message', (packet) => {
      // RTCP packet types 192..223 share the socket (rtcpMux); count RTP only.
      const packetType = packet[1] ?? 0;
      if (packetType < 192 || packetType > 223) receivedPackets++;
    });
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    ffmpeg?.kill('SIGKILL');
    receiver?.close();
    worker?.close();
  });

  it('forwards VP8 and Opus from an RTP sender to consumers, counted by getStats()', async () => {
    const router = await worker.createRouter({ mediaCodecs });
    // ffmpeg sends RTP and RTCP from two different ports: with comedia, rtcpMux must be off or the
    // transport may latch onto the RTCP port.
    const plainOptions = { listenIp: { ip: '127.0.0.1' }, rtcpMux: false, comedia: true };
    const videoIn = await router.createPlainTransport(plainOptions);
    const audioIn = await router.createPlainTransport(plainOptions);
    const videoProducer = await videoIn.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc: 11111111 }],
      },
    });
    const audioProducer = await audioIn.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 22222222 }],
      },
    });

    const out = await router.createPlainTransport({
      listenIp: { ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
    });
    await out.connect({ ip: '127.0.0.1', port: receiver.address().port });
    const videoConsumer = await out.consume({
      producerId: videoProducer.id,
      rtpCapabilities: router.rtpCapabilities,
    });
    const audioConsumer = await out.consume({
      producerId: audioProducer.id,
      rtpCapabilities: router.rtpCapabilities,
    });

    const rtpUrl = (t: types.PlainTransport): string =>
      `rtp://127.0.0.1:${t.tuple.localPort}?rtcpport=${t.rtcpTuple?.localPort}&pkt_size=1200`;
    // biome-ignore format: one ffmpeg option per line is easier to read
    ffmpeg = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30:duration=4',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4',
      '-map', '0:v', '-pix_fmt', 'yuv420p', '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-an',
      '-f', 'rtp', '-payload_type', '101', '-ssrc', '11111111', rtpUrl(videoIn),
      '-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '48k', '-vn',
      '-f', 'rtp', '-payload_type', '100', '-ssrc', '22222222', rtpUrl(audioIn),
    ], { stdio: ['ignore', 'ignore', 'inherit'] });

    const stats = async () => ({
      videoIn: bytes(await videoProducer.getStats(), 'inbound-rtp'),
      audioIn: bytes(await audioProducer.getStats(), 'inbound-rtp'),
      videoOut: bytes(await videoConsumer.getStats(), 'outbound-rtp'),
      audioOut: bytes(await audioConsumer.getStats(), 'outbound-rtp'),
    });
    await until(async () => Object.values(await stats()).every((n) => n > 2000), 10_000);
    const final = await stats();

    expect(final.videoIn, 'VP8 producer bytes').toBeGreaterThan(0);
    expect(final.audioIn, 'Opus producer bytes').toBeGreaterThan(0);
    expect(final.videoOut, 'VP8 consumer bytes').toBeGreaterThan(0);
    expect(final.audioOut, 'Opus consumer bytes').toBeGreaterThan(0);
    expect(receivedPackets, 'RTP packets at the receiving socket').toBeGreaterThan(0);
  });
});
