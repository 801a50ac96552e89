import dgram from 'node:dgram';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentMediaLogger, type WorkerPool } from '../../../src/media/index.js';
import { ProgramSwitcher } from '../../../src/media/program/ProgramSwitcher.js';
import { readRtp, readVp8 } from '../../../src/media/program/RtpPackets.js';
import { mid, site, sleep, TestRoom, testPool } from '../helpers/room.js';

// A real mediasoup worker: two sites publish a 3-layer VP8-like camera from Node UDP sockets
// (FakeSiteSender tags each payload with sender + layer), the switcher feeds the program, and a
// viewer consumes the program on a PlainTransport whose packets land on a local UDP socket.

let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(1);
});
afterAll(() => pool?.close());
vi.setConfig({ testTimeout: 30_000 });

interface Seen {
  seq: number;
  tag: number;
  key: boolean;
}

/** A viewer of the program: consumer on a PlainTransport, packets recorded in arrival order. */
async function programViewer(router: ms.Router, program: ms.Producer, layer: number) {
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  const transport = await router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: sink.address().port });
  // As the benchmark's bots: no bandwidth estimation, so the viewer gets the layer it prefers.
  const caps: ms.RtpCapabilities = {
    codecs: router.rtpCapabilities.codecs?.map((c) => ({
      ...c,
      rtcpFeedback: c.rtcpFeedback?.filter((f) => f.type !== 'transport-cc' && f.type !== 'goog-remb'),
    })),
    headerExtensions: [],
  };
  const consumer = await transport.consume({
    producerId: program.id,
    rtpCapabilities: caps,
    preferredLayers: { spatialLayer: layer },
  });
  const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
  const seen: Seen[] = [];
  sink.on('message', (m) => {
    const rtp = readRtp(m);
    if (!rtp || rtp.ssrc !== ssrc) return;
    const vp8 = readVp8(m, rtp);
    seen.push({
      seq: rtp.sequenceNumber,
      tag: m[rtp.payloadOffset + rtp.payloadLength - 1] ?? -1,
      key: vp8?.keyFrameStart ?? false,
    });
  });
  return {
    consumer,
    seen,
    close: () => {
      transport.close();
      sink.close();
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

const A_TAG = 0x10;
const B_TAG = 0x20;

describe('ProgramSwitcher with real mediasoup', () => {
  it('switches the program to a new source at its key frame: one consumer, continuous sequence numbers', async () => {
    const meeting = await pool.createMeetingMedia(mid('program-switch'));
    const room = new TestRoom(meeting);
    const switcher = await ProgramSwitcher.create(meeting.routerForTesting, silentMediaLogger);
    const viewer = await programViewer(meeting.routerForTesting, switcher.producer, 2);
    try {
      const a = await room.join('a', 'site', site('a'), { publish: true, consume: false });
      const b = await room.join('b', 'site', site('b'), { publish: true, consume: false });
      if (!a.sender || !b.sender) throw new Error('no senders');
      a.sender.tag = A_TAG;
      b.sender.tag = B_TAG;

      await switcher.setSource(room.producer('a', 'camera'));
      // The viewer reaches the top layer of A (it may start lower and climb once Sender Reports flow).
      await until('A top layer at the viewer', () => viewer.seen.some((s) => s.tag === A_TAG + 2));
      expect(switcher.sourceProducerId).toBe(room.producer('a', 'camera').id);

      const switched = new Promise<string | null>((r) => switcher.once('switched', r));
      const requestsBefore = b.sender.keyFrameRequests;
      await switcher.setSource(room.producer('b', 'camera'));
      expect(await switched).toBe(room.producer('b', 'camera').id);
      // Every program layer waited for B's key frame, which the switcher asked B for.
      expect(b.sender.keyFrameRequests).toBeGreaterThan(requestsBefore);
      await until('B at the viewer', () => viewer.seen.filter((s) => s.tag === B_TAG + 2).length > 10);

      const fromA = viewer.seen.findIndex((s) => s.tag === A_TAG + 2);
      const firstB = viewer.seen.findIndex((s) => s.tag >= B_TAG);
      const window = viewer.seen.slice(fromA);
      // B's first packet on the program starts a key frame, at its top layer; A never comes back.
      expect(viewer.seen[firstB]).toMatchObject({ key: true, tag: B_TAG + 2 });
      expect(viewer.seen.slice(firstB).every((s) => s.tag === B_TAG + 2)).toBe(true);
      // One stream across the switch: sequence numbers without a gap or a repeat.
      const seqs = window.map((s) => s.seq);
      for (let i = 1; i < seqs.length; i++)
        expect(((seqs[i] as number) - (seqs[i - 1] as number)) & 0xffff).toBe(1);
      // The viewer's consumer was never touched.
      expect(viewer.consumer.closed).toBe(false);
      expect(viewer.consumer.paused).toBe(false);
      // Only the current source is consumed now: A's consumers were closed after the switch.
      const dump = (await meeting.routerForTesting.dump()) as unknown as {
        mapProducerIdConsumerIds: Record<string, string[]>;
      };
      const consumersOf = (id: string) => dump.mapProducerIdConsumerIds[id]?.length ?? 0;
      expect(consumersOf(room.producer('a', 'camera').id)).toBe(0);
      expect(consumersOf(room.producer('b', 'camera').id)).toBe(3);
    } finally {
      viewer.close();
      switcher.close();
      room.close();
      meeting.close();
    }
  });

  it("forwards a program viewer's key-frame request to the source on the program", async () => {
    const meeting = await pool.createMeetingMedia(mid('program-pli'));
    const room = new TestRoom(meeting);
    const switcher = await ProgramSwitcher.create(meeting.routerForTesting, silentMediaLogger);
    const viewer = await programViewer(meeting.routerForTesting, switcher.producer, 0);
    try {
      const a = await room.join('a', 'site', site('a'), { publish: true, consume: false });
      const b = await room.join('b', 'site', site('b'), { publish: true, consume: false });
      if (!a.sender || !b.sender) throw new Error('no senders');
      await switcher.setSource(room.producer('a', 'camera'));
      await until('program at the viewer', () => viewer.seen.length > 5);
      await sleep(300);
      const aBefore = a.sender.keyFrameRequests;
      const bBefore = b.sender.keyFrameRequests;
      await viewer.consumer.requestKeyFrame();
      await until('A asked for a key frame', () => (a.sender?.keyFrameRequests ?? 0) > aBefore);
      expect(b.sender.keyFrameRequests).toBe(bBefore);
    } finally {
      viewer.close();
      switcher.close();
      room.close();
      meeting.close();
    }
  });

  it('refuses a source that is not VP8 and keeps the program where it was', async () => {
    const meeting = await pool.createMeetingMedia(mid('program-codec'));
    const room = new TestRoom(meeting);
    const switcher = await ProgramSwitcher.create(meeting.routerForTesting, silentMediaLogger);
    try {
      await room.join('a', 'site', site('a'), { publish: true, consume: false, rtp: false });
      await switcher.setSource(room.producer('a', 'mic'));
      expect(switcher.targetProducerId).toBeNull();
      await switcher.setSource(room.producer('a', 'camera'));
      expect(switcher.targetProducerId).toBe(room.producer('a', 'camera').id);
    } finally {
      switcher.close();
      room.close();
      meeting.close();
    }
  });
});
