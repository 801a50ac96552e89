import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentMediaLogger, type WorkerPool } from '../../src/media/index.js';
import { ProgramSwitcher } from '../../src/media/program/ProgramSwitcher.js';
import { MeetingRecorder, type RecorderFailure } from '../../src/record/MeetingRecorder.js';
import type { ChaptersFile } from '../../src/record/RecordingChapters.js';
import { RecordingLibrary } from '../../src/record/RecordingLibrary.js';
import { mid, sleep, testPool } from '../media/helpers/room.js';

// Real mediasoup and real ffmpeg (Debian): each site is an ffmpeg publishing a real VP8 camera and
// an Opus microphone into PlainTransports; the program switcher shows one of them; the recorder
// consumes the program and both microphones into its own ffmpeg and writes 2-second segments.

const run = promisify(execFile);
let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(1);
});
afterAll(() => pool?.close());
vi.setConfig({ testTimeout: 90_000 });

interface Site {
  camera: ms.Producer;
  mic: ms.Producer;
  ffmpeg: ChildProcess;
}

async function recvTransport(router: ms.Router): Promise<ms.PlainTransport> {
  // ffmpeg sends RTP and RTCP from two ports: comedia must not latch onto RTCP's, so no rtcp-mux.
  return router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, comedia: true, rtcpMux: false });
}

function target(t: ms.PlainTransport): string {
  return `rtp://127.0.0.1:${t.tuple.localPort}?rtcpport=${t.rtcpTuple?.localPort}&pkt_size=1200`;
}

/** A site as an ffmpeg: a VP8 test picture (a key frame each second) and a sine on Opus. */
async function publishSite(router: ms.Router, ssrcBase: number, hz: number, opusKbps = 32): Promise<Site> {
  const v = await recvTransport(router);
  const a = await recvTransport(router);
  const camera = await v.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: 101,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
        },
      ],
      encodings: [{ ssrc: ssrcBase }],
    },
  });
  const mic = await a.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: ssrcBase + 1 }],
    },
  });
  const ffmpeg = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15'],
      ...['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000`],
      ...[
        '-map',
        '0:v',
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-g',
        '15',
        '-b:v',
        '300k',
      ],
      ...['-f', 'rtp', '-payload_type', '101', '-ssrc', String(ssrcBase), target(v)],
      ...['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', `${opusKbps}k`],
      ...['-f', 'rtp', '-payload_type', '100', '-ssrc', String(ssrcBase + 1), target(a)],
    ],
    { stdio: 'ignore' },
  );
  return { camera, mic, ffmpeg };
}

/** What ffprobe says of a segment: its streams' kinds and its duration in seconds. */
async function probe(file: string): Promise<{ kinds: string[]; duration: number }> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'stream=codec_type,codec_name:format=duration'],
    ...['-of', 'json', file],
  ]);
  const j = JSON.parse(stdout) as { streams: { codec_type: string }[]; format: { duration?: string } };
  return { kinds: j.streams.map((s) => s.codec_type), duration: Number(j.format.duration ?? 0) };
}

/** Decodes a whole segment; ffmpeg exits non-zero (execFile rejects) on a broken file. */
async function decodes(file: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']);
  return stderr;
}

describe('MeetingRecorder with real mediasoup and ffmpeg', () => {
  it('records two floor turns and a page turn: playable segments, chapters in order', async () => {
    const meeting = await pool.createMeetingMedia(mid('record-turns'));
    const router = meeting.routerForTesting;
    const root = await mkdtemp(join(tmpdir(), 'giaoban-rec-'));
    const library = new RecordingLibrary(root);
    const dir = library.folderOf('m1', 'r1');
    const switcher = await ProgramSwitcher.create(router, silentMediaLogger);
    const sites: Site[] = [];
    try {
      const a = await publishSite(router, 1111000, 440);
      sites.push(a);
      const b = await publishSite(router, 2222000, 660);
      sites.push(b);
      await switcher.setSource(a.camera);
      const rec = await MeetingRecorder.start({
        recordingId: 'r1',
        router,
        program: switcher.producer,
        mics: [a.mic, b.mic],
        dir,
        segmentSeconds: 2,
        logger: silentMediaLogger,
      });
      await rec.chapters.mark('floor', 'Sở Y tế', { siteId: 'a', topic: 'Báo cáo tình hình' });
      await vi.waitFor(() => expect(rec.segments.length).toBeGreaterThan(0), {
        timeout: 30_000,
        interval: 250,
      });
      await rec.chapters.mark('page', 'Báo cáo quý — trang 2', { documentId: 'deck', page: 2 });
      await switcher.setSource(b.camera);
      await rec.chapters.mark('floor', 'Sở Giáo dục', { siteId: 'b', topic: 'Kiến nghị' });
      const before = rec.segments.length;
      await vi.waitFor(() => expect(rec.segments.length).toBeGreaterThan(before), {
        timeout: 30_000,
        interval: 250,
      });
      const segments = await rec.stop();
      expect(rec.recording).toBe(false);
      expect(segments.length).toBeGreaterThanOrEqual(2);
      for (const seg of segments) {
        const p = await probe(join(dir, seg));
        expect(p.kinds).toContain('video');
        expect(p.kinds).toContain('audio');
        expect(p.duration).toBeGreaterThan(0);
        await decodes(join(dir, seg));
      }
      const chapters = JSON.parse(await readFile(join(dir, 'chapters.json'), 'utf8')) as ChaptersFile;
      expect(chapters.recordingId).toBe('r1');
      expect(chapters.chapters.map((c) => [c.kind, c.label])).toEqual([
        ['floor', 'Sở Y tế'],
        ['page', 'Báo cáo quý — trang 2'],
        ['floor', 'Sở Giáo dục'],
      ]);
      const times = chapters.chapters.map((c) => c.atMs);
      expect([...times].sort((x, y) => x - y)).toEqual(times);

      // What the playback routes read: the finished segments with their times, and the chapters.
      const [entry, ...others] = await library.list('m1');
      expect(others).toHaveLength(0);
      expect(entry?.segments.map((s) => s.file)).toEqual(segments);
      expect(entry?.chapters).toEqual(chapters.chapters);
      expect(entry?.bytes).toBeGreaterThan(0);
      expect(await library.segmentPath('m1', 'r1', segments[0] ?? '')).toBe(join(dir, segments[0] ?? ''));
      expect(await library.segmentPath('m1', 'r1', '../r1/rec.sdp')).toBeNull();
      expect(await library.segmentPath('m1', 'r1', 'seg-99999.mkv')).toBeNull();
      expect(await library.remove('m1', 'r1')).toBe(true);
      expect(await library.list('m1')).toEqual([]);
    } finally {
      for (const s of sites) s.ffmpeg.kill('SIGKILL');
      switcher.close();
      meeting.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it("records the 'mix' audio at 48 kHz: a 10 kHz tone, beyond a 16 kHz mix's band, is in the file", async () => {
    const meeting = await pool.createMeetingMedia(mid('record-fullband'));
    const router = meeting.routerForTesting;
    const root = await mkdtemp(join(tmpdir(), 'giaoban-rec-'));
    const dir = new RecordingLibrary(root).folderOf('m1', 'r48');
    const switcher = await ProgramSwitcher.create(router, silentMediaLogger);
    const sites: Site[] = [];
    try {
      const a = await publishSite(router, 4444000, 10_000, 96);
      sites.push(a);
      await switcher.setSource(a.camera);
      const rec = await MeetingRecorder.start({
        recordingId: 'r48',
        router,
        program: switcher.producer,
        mics: [a.mic],
        audio: 'mix',
        dir,
        segmentSeconds: 2,
        logger: silentMediaLogger,
      });
      await vi.waitFor(() => expect(rec.segments.length).toBeGreaterThan(1), {
        timeout: 60_000,
        interval: 250,
      });
      const segments = await rec.stop();
      expect(await readFile(join(dir, 'rec.sdp'), 'utf8')).toContain('a=rtpmap:96 L16/48000/1');
      // Above 8 kHz a 16 kHz mix holds nothing (G.722 ends at 7 kHz); at 48 kHz the tone is there.
      const last = join(dir, segments.at(-1) ?? '');
      const { stderr } = await run('ffmpeg', [
        ...[
          '-hide_banner',
          '-i',
          last,
          '-map',
          '0:a',
          '-af',
          'highpass=f=8000,volumedetect',
          '-f',
          'null',
          '-',
        ],
      ]);
      const loudest = Number(/max_volume: (-?[\d.]+) dB/.exec(stderr)?.[1] ?? -999);
      expect(loudest).toBeGreaterThan(-30);
    } finally {
      for (const s of sites) s.ffmpeg.kill('SIGKILL');
      switcher.close();
      meeting.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it("records an H.264 meeting's program as H.264, copied, not re-encoded", async () => {
    const meeting = await pool.createMeetingMedia(mid('record-h264'));
    const router = meeting.routerForTesting;
    const dir = await mkdtemp(join(tmpdir(), 'giaoban-rec-'));
    const switcher = await ProgramSwitcher.create(router, silentMediaLogger, 'h264');
    let ffmpeg: ChildProcess | undefined;
    try {
      // A room system or a browser in an H.264 meeting: constrained baseline, packetization-mode 1.
      const v = await recvTransport(router);
      const camera = await v.produce({
        kind: 'video',
        rtpParameters: {
          codecs: [
            {
              mimeType: 'video/H264',
              payloadType: 102,
              clockRate: 90000,
              parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
              rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
            },
          ],
          encodings: [{ ssrc: 4444000 }],
        },
      });
      ffmpeg = spawn(
        'ffmpeg',
        [
          ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
          ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15'],
          ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency'],
          ...['-preset', 'ultrafast', '-g', '15', '-an'],
          ...['-f', 'rtp', '-payload_type', '102', '-ssrc', '4444000', target(v)],
        ],
        { stdio: 'ignore' },
      );
      await switcher.setSource(camera);
      const rec = await MeetingRecorder.start({
        recordingId: 'r-h264',
        router,
        program: switcher.producer,
        mics: [],
        dir,
        segmentSeconds: 2,
        logger: silentMediaLogger,
      });
      await vi.waitFor(() => expect(rec.segments.length).toBeGreaterThan(1), {
        timeout: 40_000,
        interval: 250,
      });
      const segments = await rec.stop();
      for (const seg of segments) {
        const { stdout } = await run('ffprobe', [
          ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width'],
          ...['-of', 'json', join(dir, seg)],
        ]);
        const streams = (JSON.parse(stdout) as { streams: { codec_name: string; width: number }[] }).streams;
        expect(streams).toEqual([{ codec_name: 'h264', width: 320 }]);
        await decodes(join(dir, seg));
      }
    } finally {
      ffmpeg?.kill('SIGKILL');
      switcher.close();
      meeting.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a recorder killed mid-meeting leaves every finished segment playable and raises RECORDER_DIED', async () => {
    const meeting = await pool.createMeetingMedia(mid('record-crash'));
    const router = meeting.routerForTesting;
    const dir = await mkdtemp(join(tmpdir(), 'giaoban-rec-'));
    const switcher = await ProgramSwitcher.create(router, silentMediaLogger);
    let site: Site | undefined;
    try {
      site = await publishSite(router, 3333000, 500);
      await switcher.setSource(site.camera);
      const rec = await MeetingRecorder.start({
        recordingId: 'r2',
        router,
        program: switcher.producer,
        mics: [site.mic],
        dir,
        segmentSeconds: 2,
        logger: silentMediaLogger,
      });
      const failed = new Promise<RecorderFailure>((r) => rec.once('failed', r));
      await vi.waitFor(() => expect(rec.segments.length).toBeGreaterThan(1), {
        timeout: 40_000,
        interval: 250,
      });
      await sleep(500);
      process.kill(rec.pidForTesting ?? -1, 'SIGKILL');
      const failure = await failed;
      expect(failure.code).toBe('RECORDER_DIED');
      expect(failure.signal).toBe('SIGKILL');
      expect(failure.message).toMatch(/unexpectedly/);
      expect(rec.recording).toBe(false);
      expect(failure.segments.length).toBeGreaterThan(1);
      for (const seg of failure.segments) {
        const p = await probe(join(dir, seg));
        expect(p.kinds).toContain('video');
        expect(p.duration).toBeGreaterThan(0);
        await decodes(join(dir, seg));
      }
      // stop() after a failure resolves with the same finished segments.
      expect(await rec.stop()).toEqual(failure.segments);
    } finally {
      site?.ffmpeg.kill('SIGKILL');
      switcher.close();
      meeting.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('raises RECORDER_DIED at once when ffmpeg cannot be started, and stop() still resolves', async () => {
    const meeting = await pool.createMeetingMedia(mid('record-noffmpeg'));
    const dir = await mkdtemp(join(tmpdir(), 'giaoban-rec-'));
    const switcher = await ProgramSwitcher.create(meeting.routerForTesting, silentMediaLogger);
    try {
      const rec = await MeetingRecorder.start({
        recordingId: 'r3',
        router: meeting.routerForTesting,
        program: switcher.producer,
        mics: [],
        dir,
        ffmpeg: join(dir, 'no-such-ffmpeg'),
        logger: silentMediaLogger,
      });
      const failure = await new Promise<RecorderFailure>((r) => rec.once('failed', r));
      expect(failure).toMatchObject({ code: 'RECORDER_DIED', segments: [] });
      expect(await rec.stop()).toEqual([]);
      expect(rec.recording).toBe(false);
    } finally {
      switcher.close();
      meeting.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
