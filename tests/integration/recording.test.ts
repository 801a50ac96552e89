/**
 * Recording a live meeting end to end, on a real hub: real mediasoup, real ffmpeg publishers (the
 * host's and a site's camera and microphone, as a room system's edge producers), the hub's
 * RecordingService and its ffmpeg. The chair starts recording, opens an agenda item, gives a site
 * the floor on its request, turns a page, stops; the files are probed, the chapters read back, and
 * the playback routes checked with their access rules.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type {
  AuditEntry,
  DocumentId,
  MeetingId,
  ParticipantId,
  RecordingEntry,
  RecordingList,
  SiteId,
  SlideDocument,
} from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MeetingMedia } from '../../server/src/media/MeetingMedia.js';
import { CHAPTERS_FILE, type ChaptersFile } from '../../server/src/record/RecordingChapters.js';
import { HOST_SITE, type MeetingFixture, setupMeeting } from '../support/inProcessHub.js';
import { api, connect, eventually, type HubSocket, must, request } from '../support/meeting.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const run = promisify(execFile);
const HUE = 'hue' as SiteId;
const DA_NANG = 'da-nang' as SiteId;

let f: MeetingFixture;
let meetingId: MeetingId;
const sockets: HubSocket[] = [];
const publishers: ChildProcess[] = [];

async function join(name: string): Promise<HubSocket> {
  const s = await connect(f.url, f.links[name]?.token as string);
  sockets.push(s);
  await must(s, 'meeting:join', {});
  return s;
}

/** A room's camera (VP8) and microphone (Opus sine) from ffmpeg, added to the meeting as that site's. */
async function publishRoom(media: MeetingMedia, siteId: SiteId, ssrc: number, hz: number): Promise<void> {
  const transport = () =>
    media.edgeRouter.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, comedia: true, rtcpMux: false });
  const v = await transport();
  const a = await transport();
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
      encodings: [{ ssrc }],
    },
  });
  const mic = await a.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: ssrc + 1 }],
    },
  });
  const to = (t: ms.PlainTransport) =>
    `rtp://127.0.0.1:${t.tuple.localPort}?rtcpport=${t.rtcpTuple?.localPort}&pkt_size=1200`;
  publishers.push(
    spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-re'],
        ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15'],
        ...['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000`],
        ...['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '15'],
        ...['-b:v', '300k', '-f', 'rtp', '-payload_type', '101', '-ssrc', String(ssrc), to(v)],
        ...['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '32k'],
        ...['-f', 'rtp', '-payload_type', '100', '-ssrc', String(ssrc + 1), to(a)],
      ],
      { stdio: 'ignore' },
    ),
  );
  const participantId = `edge-${siteId}` as ParticipantId;
  media.addEdgeProducer({ producer: camera, participantId, siteId, role: 'site', source: 'camera' });
  media.addEdgeProducer({ producer: mic, participantId, siteId, role: 'site', source: 'mic' });
}

async function probe(file: string): Promise<{ kinds: string[]; duration: number }> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', file],
  ]);
  const j = JSON.parse(stdout) as { streams: { codec_type: string }[]; format: { duration?: string } };
  return { kinds: j.streams.map((s) => s.codec_type), duration: Number(j.format.duration ?? 0) };
}

/** The loudest sample of a file's audio, in dB (ffmpeg volumedetect). */
async function maxVolume(file: string): Promise<number> {
  const { stderr } = await run('ffmpeg', [
    '-hide_banner',
    '-i',
    file,
    '-map',
    '0:a',
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  return Number(/max_volume: (-?[\d.]+) dB/.exec(stderr)?.[1] ?? -999);
}

function http(method: string, p: string, token: string | null): Promise<Response> {
  return fetch(`${f.url}${p}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

beforeAll(async () => {
  // Short segments so a short meeting makes several (read by the hub this file starts).
  process.env.RECORDING_SEGMENT_SECONDS = '2';
  f = await setupMeeting([HUE, DA_NANG], {
    chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
    operator: { role: 'operator', displayName: 'Kỹ thuật viên' },
    secretary: { role: 'secretary', displayName: 'Thư ký Lê Thị B' },
    hue: { role: 'site', siteId: HUE },
    daNang: { role: 'site', siteId: DA_NANG },
  });
  meetingId = f.meetingId as MeetingId;
}, 120_000);

afterAll(async () => {
  for (const p of publishers) p.kill('SIGKILL');
  for (const s of sockets) s.close();
  await f?.hub.stop();
});

describe('recording a live meeting', () => {
  it('records the program and the heard microphones across an agenda item, a floor turn and a page turn; chapters in order; routes with access rules', async () => {
    const { hub } = f;
    const service = hub.parts.recording.service;
    const chair = await join('chair');
    const operator = await join('operator');
    const hue = await join('hue');
    const daNang = await join('daNang');
    await must(chair, 'meeting:openTechCheck', {});

    // Not live yet: refused with a reason.
    const early = await request(chair, 'recording:start', {});
    expect(early.ok ? null : early.error.code).toBe('INVALID_STATE');
    await must(chair, 'meeting:goLive', {});

    const media = await hub.parts.media.get(meetingId);
    await publishRoom(media, HOST_SITE, 5550000, 440);
    await publishRoom(media, HUE, 6660000, 880);

    // A site may not record.
    const bySite = await request(hue, 'recording:start', {});
    expect(bySite.ok ? null : bySite.error.code).toBe('FORBIDDEN');

    const { recordingId } = await must(chair, 'recording:start', {});
    const twice = await request(operator, 'recording:start', {});
    expect(twice.ok ? null : twice.error.code).toBe('CONFLICT');
    // Every page knows: the snapshot carries the recording.
    const seen = await must(daNang, 'meeting:sync', {});
    expect(seen.moderation.recording).toMatchObject({ recordingId, failure: null });
    expect(seen.moderation.recording?.by).toContain('Đồng chí Chủ trì');

    await eventually(() => service.recorderOf(meetingId) !== undefined, 'the recorder to start', 60_000);
    const recorder = service.recorderOf(meetingId);
    if (!recorder) throw new Error('no recorder');
    // The chair's microphone is mixed from the start.
    await vi.waitFor(() => expect(recorder.mixedMicIds.length).toBe(1), { timeout: 60_000 });
    await vi.waitFor(() => expect(recorder.segments.length).toBeGreaterThan(0), {
      timeout: 120_000,
      interval: 250,
    });

    const snapshot = await must(chair, 'meeting:sync', {});
    const item = snapshot.agenda.items[0];
    if (!item) throw new Error('no agenda item');
    await must(chair, 'agenda:open', { itemId: item.id });
    const { requestId } = await must(hue, 'queue:request', { topic: 'Tiến độ giải ngân vốn đầu tư công' });
    await must(operator, 'floor:grant', { requestId: requestId as never });
    // The floor holder's microphone joins the mix: two sources, one continuous audio stream.
    await vi.waitFor(() => expect(recorder.mixedMicIds.length).toBe(2), { timeout: 60_000 });

    const document: SlideDocument = {
      id: 'deck-1' as DocumentId,
      name: 'Báo cáo 5 tháng.pdf',
      kind: 'pdf',
      sizeBytes: 1000,
      agendaItemId: null,
      uploadedBy: 'Ban tổ chức',
      uploadedAt: Date.now(),
      status: 'ready',
      pageCount: 4,
      pagesDone: 4,
      aspect: 16 / 9,
      failure: null,
      error: null,
    };
    await hub.parts.meetings.run(
      meetingId,
      { participantId: 'org' as ParticipantId, role: 'organizer', siteId: null, displayName: 'Ban tổ chức' },
      { type: 'documents:add', document },
    );
    await must(operator, 'slides:show', { documentId: document.id });
    await must(operator, 'slides:page', { page: 2 });
    const before = recorder.segments.length;
    await vi.waitFor(() => expect(recorder.segments.length).toBeGreaterThan(before), {
      timeout: 120_000,
      interval: 250,
    });

    await must(operator, 'recording:stop', {});
    expect((await must(hue, 'meeting:sync', {})).moderation.recording).toBeNull();
    await eventually(() => service.recorderOf(meetingId) === undefined, 'the recorder to stop', 60_000);
    await service.settled(meetingId);
    expect(recorder.recording).toBe(false);

    // The files: every finished segment has the program video and the mixed audio.
    const dir = hub.parts.recording.library.folderOf(meetingId, recordingId);
    expect(recorder.segments.length).toBeGreaterThanOrEqual(2);
    let loudest = -999;
    for (const seg of recorder.segments) {
      const p = await probe(path.join(dir, seg));
      expect(p.kinds).toEqual(expect.arrayContaining(['video', 'audio']));
      expect(p.duration).toBeGreaterThan(0);
      loudest = Math.max(loudest, await maxVolume(path.join(dir, seg)));
    }
    // The sines are in the recording (not silence).
    expect(loudest).toBeGreaterThan(-40);

    const chapters = JSON.parse(await readFile(path.join(dir, CHAPTERS_FILE), 'utf8')) as ChaptersFile;
    expect(chapters.recordingId).toBe(recordingId);
    expect(chapters.chapters.map((c) => c.kind)).toEqual(['agenda', 'floor', 'page', 'page']);
    expect(chapters.chapters[0]?.label).toContain(item.title);
    expect(chapters.chapters[1]?.detail).toMatchObject({
      siteId: HUE,
      topic: 'Tiến độ giải ngân vốn đầu tư công',
    });
    expect(chapters.chapters[3]?.detail).toMatchObject({ documentId: 'deck-1', page: 2 });
    const times = chapters.chapters.map((c) => c.atMs);
    expect([...times].sort((x, y) => x - y)).toEqual(times);

    // Audit: who started and stopped it.
    const audit = await api<{ entries: AuditEntry[] }>(
      f.url,
      'GET',
      `/api/meetings/${meetingId}/audit`,
      f.orgToken,
    );
    expect(
      audit.entries.filter((e) => e.action.startsWith('recording:')).map((e) => [e.action, e.actorRole]),
    ).toEqual([
      ['recording:start', 'chair'],
      ['recording:stop', 'operator'],
    ]);

    // Playback routes: organizer and the meeting's secretary read; a site may not; nobody else.
    const list = `/api/meetings/${meetingId}/recordings`;
    const secretary = f.links.secretary?.token as string;
    const site = f.links.hue?.token as string;
    expect((await http('GET', list, null)).status).toBe(401);
    expect((await http('GET', list, site)).status).toBe(403);
    const listed = (await (await http('GET', list, secretary)).json()) as { recordings: RecordingEntry[] };
    expect(listed.recordings.map((r) => r.recordingId)).toEqual([recordingId]);
    expect(listed.recordings[0]?.segments.map((s) => s.file)).toEqual(recorder.segments);
    expect(listed.recordings[0]?.chapters).toEqual(chapters.chapters);
    const first = recorder.segments[0] as string;
    const served = await http(
      'GET',
      `${list}/${recordingId}/${first}?token=${encodeURIComponent(secretary)}`,
      null,
    );
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toContain('video/x-matroska');
    expect((await served.arrayBuffer()).byteLength).toBe(statSync(path.join(dir, first)).size);
    expect((await http('GET', `${list}/${recordingId}/rec.sdp`, secretary)).status).toBe(404);
    expect((await http('GET', `${list}/${recordingId}/${first}`, site)).status).toBe(403);
    expect((await http('DELETE', `${list}/${recordingId}`, secretary)).status).toBe(403);
    expect((await http('DELETE', `${list}/${recordingId}`, f.orgToken)).status).toBe(204);
    expect(((await (await http('GET', list, f.orgToken)).json()) as RecordingList).recordings).toEqual([]);
  });

  it('a recorder that dies marks the recording failed for every page; recording again works; the meeting end stops it', async () => {
    const { hub } = f;
    const service = hub.parts.recording.service;
    const [chair, , hue] = sockets as [HubSocket, HubSocket, HubSocket];
    const { recordingId } = await must(chair, 'recording:start', {});
    await eventually(
      () => service.recorderOf(meetingId)?.recordingId === recordingId,
      'the recorder',
      60_000,
    );
    const recorder = service.recorderOf(meetingId);
    await vi.waitFor(() => expect(recorder?.segments.length).toBeGreaterThan(0), {
      timeout: 120_000,
      interval: 250,
    });
    process.kill(recorder?.pidForTesting as number, 'SIGKILL');

    await vi.waitFor(
      async () => {
        const seen = await must(hue, 'meeting:sync', {});
        expect(seen.moderation.recording?.recordingId).toBe(recordingId);
        expect(seen.moderation.recording?.failure?.message).toContain('SIGKILL');
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(service.recorderOf(meetingId)).toBeUndefined();
    // What was finished before the crash is listed and kept.
    const listed = await api<{ recordings: RecordingEntry[] }>(
      f.url,
      'GET',
      `/api/meetings/${meetingId}/recordings`,
      f.orgToken,
    );
    expect(listed.recordings.find((r) => r.recordingId === recordingId)?.segments.length).toBeGreaterThan(0);

    // A new recording may start after a failure; ending the meeting stops it.
    const again = await must(chair, 'recording:start', {});
    await eventually(
      () => service.recorderOf(meetingId)?.recordingId === again.recordingId,
      'the new recorder',
      60_000,
    );
    const second = service.recorderOf(meetingId);
    await must(chair, 'meeting:end', {});
    await eventually(
      () => service.recorderOf(meetingId) === undefined,
      'the recorder to stop at the end',
      60_000,
    );
    await service.settled(meetingId);
    expect(second?.recording).toBe(false);
    expect((await hub.parts.meetings.get(meetingId)).moderation.recording).toBeNull();
  });
});
