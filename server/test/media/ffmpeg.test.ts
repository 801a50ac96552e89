import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WorkerPool } from '../../src/media/index.js';
import {
  bytesSent,
  expectFlowing,
  FLOW_TIMEOUT_MS,
  mid,
  policy,
  site,
  TestRoom,
  testPool,
} from './helpers/room.js';

// Real encoded media: ffmpeg sends H264 (constrained baseline, 42e01f) into a site's PlainTransport.
const FFMPEG = '/usr/bin/ffmpeg';
const HOST = site('host');
const A = site('siteA');

let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(1);
});
afterAll(() => pool?.close());

// ffmpeg is a required package (infra/setup-system.sh installs it): no skip when it is missing.
describe('MeetingMedia with an ffmpeg publisher', () => {
  it('forwards a real H264 camera from a site to the program viewers, and not to paused ones', async () => {
    const meeting = await pool.createMeetingMedia(mid('ffmpeg'));
    const room = new TestRoom(meeting);
    let ff: ChildProcess | undefined;
    try {
      const chair = await room.join('chair', 'chair', HOST);
      const a = await room.join('a', 'site', A);
      await room.join('b', 'site', site('siteB'));
      // ffmpeg sends RTP and RTCP from two ports: comedia must not latch onto RTCP's, so no rtcp-mux.
      const send = await a.peer.createPlainTransportForTesting('send', { comedia: true, rtcpMux: false });
      a.cameraId = await a.peer.produce({
        transportId: send.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: {
          codecs: [
            {
              mimeType: 'video/H264',
              payloadType: 102,
              clockRate: 90000,
              parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
            },
          ],
          encodings: [{ ssrc: 22222222 }],
        },
      });
      await meeting.whenIdle();
      const rtcpPort = send.rtcpTuple?.localPort;
      ff = spawn(
        FFMPEG,
        [
          ...['-hide_banner', '-loglevel', 'error', '-re'],
          ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=8'],
          ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency'],
          ...[
            '-preset',
            'ultrafast',
            '-g',
            '25',
            '-an',
            '-f',
            'rtp',
            '-payload_type',
            '102',
            '-ssrc',
            '22222222',
          ],
          `rtp://127.0.0.1:${send.tuple.localPort}?rtcpport=${rtcpPort}&pkt_size=1200`,
        ],
        { stdio: 'ignore' },
      );
      await vi.waitFor(() => expect(meeting.siteMedia(A).state).toBe('flowing'), {
        timeout: FLOW_TIMEOUT_MS,
      });

      await meeting.applyPolicy(policy(A, [HOST, A]));
      const atChair = room.consumer('chair', 'a', 'camera');
      expect(atChair.type).toBe('simple');
      expect(atChair.paused).toBe(false);
      await expectFlowing(atChair, 5_000);
      const codecs = chair.signal.consumerOf(a.cameraId)?.rtpParameters.codecs as { mimeType: string }[];
      expect(codecs[0]?.mimeType).toBe('video/H264');

      // The floor returns to the chair: A's camera stops flowing everywhere…
      await meeting.applyPolicy(policy(HOST, [HOST]));
      expect(atChair.paused).toBe(true);
      expect(room.consumer('b', 'a', 'camera').paused).toBe(true);
      const atB = room.consumer('b', 'a', 'camera');
      const atBBefore = await bytesSent(atB);
      // …except as a grid tile the chair shows: it flows to the chair, still nothing to site B.
      await chair.peer.setVisibleTiles([A]);
      expect(atChair.paused).toBe(false);
      await expectFlowing(atChair, 5_000);
      expect(await bytesSent(atB)).toBe(atBBefore);
    } finally {
      ff?.kill('SIGKILL');
      meeting.close();
      room.close();
    }
  }, 90_000);
});
