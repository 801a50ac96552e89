import dgram from 'node:dgram';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentMediaLogger, type WorkerPool } from '../../../src/media/index.js';
import { readH264 } from '../../../src/media/program/H264Packets.js';
import { ProgramSwitcher } from '../../../src/media/program/ProgramSwitcher.js';
import { readRtp, seqDelta } from '../../../src/media/program/RtpPackets.js';
import { mid, site, sleep, TestRoom, testPool } from '../helpers/room.js';

// A real mediasoup worker: a meeting set to H.264 has an H.264 program; two H.264 cameras are
// produced on PlainTransports fed from Node sockets (x264-style key frames: SPS, PPS single NAL
// units, then an FU-A IDR), and a viewer consumes the program on a PlainTransport.

let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(1);
});
afterAll(() => pool?.close());
vi.setConfig({ testTimeout: 30_000 });

const H264_PARAMS = { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 };

/** An H.264 camera as the SIP edge produces one, and a socket that sends its packets. */
async function h264Camera(router: ms.Router, ssrc: number, tag: number) {
  const transport = await router.createPlainTransport({
    listenIp: { ip: '127.0.0.1' },
    comedia: true,
    rtcpMux: true,
  });
  const producer = await transport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [
        {
          mimeType: 'video/H264',
          clockRate: 90000,
          payloadType: 107,
          parameters: H264_PARAMS,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        },
      ],
      encodings: [{ ssrc }],
    },
  });
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  let seq = tag * 1000;
  let ts = tag * 100_000;
  let keyRequests = 0;
  socket.on('message', (m) => {
    if ((m[1] ?? 0) === 206) keyRequests++;
  });
  const send = (payload: number[], marker: boolean) => {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | 107;
    h.writeUInt16BE(seq++ & 0xffff, 2);
    h.writeUInt32BE(ts >>> 0, 4);
    h.writeUInt32BE(ssrc, 8);
    socket.send(Buffer.concat([h, Buffer.from([...payload, tag])]), transport.tuple.localPort, '127.0.0.1');
  };
  /** One frame: a key frame as x264 packetizes it, or a delta frame in two FU-A fragments. */
  const frame = (key: boolean) => {
    if (key) {
      send([0x67, 0x42, 0xe0, 0x1f], false); // SPS
      send([0x68, 0xce], false); // PPS
      send([0x7c, 0x85, 0x88], false); // FU-A start, IDR
      send([0x7c, 0x45, 0x88], true); // FU-A end
    } else {
      send([0x7c, 0x81, 0x9a], false);
      send([0x7c, 0x41, 0x9a], true);
    }
    ts += 3600;
  };
  return {
    producer,
    frame,
    get keyRequests() {
      return keyRequests;
    },
    close: () => {
      socket.close();
      transport.close();
    },
  };
}

async function until(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('ProgramSwitcher in an H.264 meeting, real mediasoup', () => {
  it('makes an H.264 program, carries H.264 cameras only, and switches at the IDR of the new one', async () => {
    const meeting = await pool.createMeetingMedia(mid('program-h264'), 'h264');
    const router = meeting.routerForTesting;
    const room = new TestRoom(meeting);
    // The meeting's own program follows its policy; this one is driven by the test alone.
    const switcher = await ProgramSwitcher.create(router, silentMediaLogger, 'h264');
    const a = await h264Camera(router, 0x1111, 1);
    const b = await h264Camera(router, 0x2222, 2);
    const sink = dgram.createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
    try {
      expect(meeting.program.codec).toBe('h264');
      expect(meeting.program.producer.rtpParameters.codecs[0]?.mimeType).toBe('video/H264');
      expect(switcher.codec).toBe('h264');
      expect(switcher.producer.rtpParameters.codecs[0]).toMatchObject({
        mimeType: 'video/H264',
        parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
      });
      // A VP8 camera cannot feed it (it would need transcoding).
      await room.join('v', 'site', site('v'), { publish: true, consume: false, rtp: false });
      const vp8 = room.producer('v', 'camera');
      expect(ProgramSwitcher.canCarry(vp8, 'h264')).toBe(false);
      expect(ProgramSwitcher.canCarry(a.producer, 'h264')).toBe(true);
      await switcher.setSource(vp8);
      expect(switcher.targetProducerId).toBeNull();

      // A viewer of the program (as a SIP room system: H.264 pm=1, the top layer).
      const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, comedia: false });
      await transport.connect({ ip: '127.0.0.1', port: sink.address().port });
      const viewer = await transport.consume({
        producerId: switcher.producer.id,
        rtpCapabilities: {
          codecs: [
            {
              kind: 'video',
              mimeType: 'video/H264',
              clockRate: 90000,
              parameters: H264_PARAMS,
              rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
            },
          ],
          headerExtensions: [],
        },
        preferredLayers: { spatialLayer: 2 },
      });
      const seen: { seq: number; tag: number; sps: boolean }[] = [];
      sink.on('message', (m) => {
        const rtp = readRtp(m);
        if (
          !rtp ||
          (rtp.payloadType >= 64 && rtp.payloadType <= 95) ||
          rtp.ssrc !== viewer.rtpParameters.encodings?.[0]?.ssrc
        )
          return;
        seen.push({
          seq: rtp.sequenceNumber,
          tag: m[rtp.payloadOffset + rtp.payloadLength - 1] ?? -1,
          sps: readH264(m, rtp)?.sps ?? false,
        });
      });

      await switcher.setSource(a.producer);
      expect(switcher.targetProducerId).toBe(a.producer.id);
      for (let i = 0; i < 5 && !seen.some((s) => s.tag === 1); i++) {
        a.frame(true);
        for (let j = 0; j < 3; j++) a.frame(false);
        await sleep(200);
      }
      await until('A on the program', () => seen.some((s) => s.tag === 1));
      expect(seen[0]?.sps).toBe(true);

      // Switch to B: its delta frames do not take over; its IDR does, asked for at once.
      const requests = b.keyRequests;
      await switcher.setSource(b.producer);
      b.frame(false);
      a.frame(false);
      await sleep(200);
      // The top layer still shows A and waits for B.
      expect(switcher.layersForTesting[2]?.current).toBe(a.producer.id);
      expect(switcher.layersForTesting[2]?.pending).toBe(b.producer.id);
      await until('B asked for a key frame', () => b.keyRequests > requests);
      b.frame(true);
      b.frame(false);
      a.frame(false);
      await until('B on the program', () => seen.some((s) => s.tag === 2));
      expect(switcher.sourceProducerId).toBe(b.producer.id);

      const firstB = seen.findIndex((s) => s.tag === 2);
      expect(seen[firstB]?.sps).toBe(true);
      expect(seen.slice(firstB).every((s) => s.tag === 2)).toBe(true);
      const fromA = seen.findIndex((s) => s.tag === 1);
      for (let i = fromA + 1; i < seen.length; i++)
        expect(seqDelta(seen[i]?.seq as number, seen[i - 1]?.seq as number)).toBe(1);
    } finally {
      sink.close();
      switcher.close();
      a.close();
      b.close();
      room.close();
      meeting.close();
    }
  });
});
