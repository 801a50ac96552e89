/**
 * A recording as part of the meeting's record, on a real hub (real mediasoup, the hub's ffmpeg
 * recorder, a room's camera and microphone from ffmpeg): the record bundle (record.zip) carries each
 * recording's Matroska segments and chapters, which ffprobe and JSON read back; the organizer sets
 * how long the recordings are kept, and the sweeper deletes an expired one from the library route
 * and the disk, with an audit entry.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AuditEntry, MeetingId, ParticipantId, RecordingList, SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MeetingMedia } from '../../server/src/media/MeetingMedia.js';
import type { ChaptersFile } from '../../server/src/record/RecordingChapters.js';
import { HOST_SITE, type MeetingFixture, setupMeeting } from '../support/inProcessHub.js';
import { api, connect, eventually, type HubSocket, must } from '../support/meeting.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const run = promisify(execFile);
const HUE = 'hue' as SiteId;
const DAY = 86_400_000;

let f: MeetingFixture;
let meetingId: MeetingId;
let work: string;
const sockets: HubSocket[] = [];
const publishers: ChildProcess[] = [];

/** The host room's camera (VP8) and microphone (Opus sine) from ffmpeg, as the host site's producers. */
async function publishRoom(media: MeetingMedia, siteId: SiteId, ssrc: number): Promise<void> {
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
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
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

function http(method: string, p: string, token: string | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${f.url}${p}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** Downloads record.zip with a token into the work folder; its entries (unzip -Z1). */
async function bundle(
  token: string,
  name: string,
): Promise<{ file: string; entries: string[]; res: Response }> {
  const res = await http('GET', `/api/meetings/${meetingId}/record.zip`, token);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/zip');
  const file = path.join(work, `${name}.zip`);
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  await run('unzip', ['-tq', file]);
  const { stdout } = await run('unzip', ['-Z1', file]);
  return { file, entries: stdout.trim().split('\n'), res };
}

async function probe(file: string): Promise<{ kinds: string[]; duration: number }> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', file],
  ]);
  const j = JSON.parse(stdout) as { streams: { codec_type: string }[]; format: { duration?: string } };
  return { kinds: j.streams.map((s) => s.codec_type), duration: Number(j.format.duration ?? 0) };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'giaoban-record-zip-'));
  f = await setupMeeting(
    [HUE],
    {
      chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
      secretary: { role: 'secretary', displayName: 'Thư ký Lê Thị B' },
      hue: { role: 'site', siteId: HUE },
    },
    { RECORDING_SEGMENT_SECONDS: '2', RECORDING_RETENTION_DAYS: '7' },
  );
  meetingId = f.meetingId as MeetingId;
}, 120_000);

afterAll(async () => {
  for (const p of publishers) p.kill('SIGKILL');
  for (const s of sockets) s.close();
  await f?.hub.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a recording in the meeting record', () => {
  let recordingId: string;

  it('record.zip carries the recording: segments ffprobe reads as video and audio, chapters.json as recorded', async () => {
    const { hub } = f;
    const service = hub.parts.recording.service;
    const chair = await connect(f.url, f.links.chair?.token as string);
    sockets.push(chair);
    await must(chair, 'meeting:join', {});
    await must(chair, 'meeting:openTechCheck', {});
    await must(chair, 'meeting:goLive', {});
    await publishRoom(await hub.parts.media.get(meetingId), HOST_SITE, 7770000);
    ({ recordingId } = await must(chair, 'recording:start', {}));
    await eventually(() => service.recorderOf(meetingId) !== undefined, 'the recorder to start', 60_000);
    const recorder = service.recorderOf(meetingId);
    await vi.waitFor(() => expect(recorder?.segments.length).toBeGreaterThan(0), {
      timeout: 120_000,
      interval: 250,
    });
    const item = (await must(chair, 'meeting:sync', {})).agenda.items[0];
    if (!item) throw new Error('no agenda item');
    await must(chair, 'agenda:open', { itemId: item.id });
    const before = recorder?.segments.length ?? 0;
    await vi.waitFor(() => expect(recorder?.segments.length).toBeGreaterThan(before), {
      timeout: 120_000,
      interval: 250,
    });
    await must(chair, 'recording:stop', {});
    await eventually(() => service.recorderOf(meetingId) === undefined, 'the recorder to stop', 60_000);
    await service.settled(meetingId);
    const segments = recorder?.segments ?? [];
    expect(segments.length).toBeGreaterThanOrEqual(2);

    // The secretary may watch recordings: the bundle has the documents and the recording.
    const secretary = await bundle(f.links.secretary?.token as string, 'secretary');
    expect(secretary.res.headers.get('content-disposition')).toContain('.zip');
    expect(secretary.res.headers.get('x-giaoban-recordings')).toBe(String(segments.length + 1));
    expect(secretary.entries).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Biên bản hội nghị - .*\.docx$/),
        expect.stringMatching(/^Thông báo kết luận - .*\.docx$/),
        expect.stringMatching(/^Báo cáo điểm danh - .*\.csv$/),
        expect.stringMatching(/^Trò chuyện - .*\.csv$/),
        expect.stringMatching(/^Nhật ký điều hành - .*\.csv$/),
      ]),
    );
    const inZip = secretary.entries.filter((e) => e.startsWith('recordings/'));
    expect(inZip).toEqual([
      ...segments.map((s) => `recordings/${recordingId}/${s}`),
      `recordings/${recordingId}/chapters.json`,
    ]);
    const out = path.join(work, 'unzipped');
    await run('unzip', ['-q', '-o', secretary.file, 'recordings/*', '-d', out]);
    const dir = hub.parts.recording.library.folderOf(meetingId, recordingId);
    for (const s of segments) {
      const extracted = path.join(out, 'recordings', recordingId, s);
      expect((await stat(extracted)).size).toBe((await stat(path.join(dir, s))).size);
      const p = await probe(extracted);
      expect(p.kinds).toEqual(expect.arrayContaining(['video', 'audio']));
      expect(p.duration).toBeGreaterThan(0);
    }
    const chapters = JSON.parse(
      await readFile(path.join(out, 'recordings', recordingId, 'chapters.json'), 'utf8'),
    ) as ChaptersFile;
    expect(chapters.recordingId).toBe(recordingId);
    expect(chapters.chapters.map((c) => c.kind)).toEqual(['agenda']);
    expect(chapters.chapters[0]?.label).toContain(item.title);

    // The chair exports the record but does not watch recordings: no recordings/ folder.
    const byChair = await bundle(f.links.chair?.token as string, 'chair');
    expect(byChair.res.headers.get('x-giaoban-recordings')).toBe('none');
    expect(byChair.entries.some((e) => e.startsWith('recordings/'))).toBe(false);
    expect(byChair.entries.length).toBe(6);
    // A bridge point gets nothing.
    const bySite = await http('GET', `/api/meetings/${meetingId}/record.zip`, f.links.hue?.token as string);
    expect(bySite.status).toBe(403);
  });

  it('an expired recording is deleted by the sweeper: gone from the library route and the disk, and audited', async () => {
    const { hub } = f;
    const list = `/api/meetings/${meetingId}/recordings`;
    const listed = (await (await http('GET', list, f.orgToken)).json()) as RecordingList;
    expect(listed.retention).toEqual({ defaultDays: 7, meeting: { mode: 'default' } });
    const entry = listed.recordings.find((r) => r.recordingId === recordingId);
    const started = Date.parse(entry?.startedAt ?? '');
    expect(entry?.expiresAt).toBe(new Date(started + 7 * DAY).toISOString());

    // "Keep until deleted" holds it past the default; only the organizer sets it.
    const retention = `/api/meetings/${meetingId}/recording-retention`;
    expect(
      (await http('PUT', retention, f.links.secretary?.token as string, { mode: 'forever' })).status,
    ).toBe(403);
    expect((await http('PUT', retention, f.orgToken, { mode: 'forever' })).status).toBe(200);
    const sweeper = hub.parts.recording.sweeper;
    expect(await sweeper.sweep(started + 30 * DAY)).toEqual([]);

    // Back to the hub default: eight days on, it is past its seven.
    const back = (await (
      await http('PUT', retention, f.orgToken, { mode: 'default' })
    ).json()) as RecordingList;
    expect(back.recordings[0]?.expiresAt).toBe(entry?.expiresAt);
    const dir = hub.parts.recording.library.folderOf(meetingId, recordingId);
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect(await sweeper.sweep(started + 7 * DAY - 1)).toEqual([]);
    expect(await sweeper.sweep(started + 8 * DAY)).toEqual([`${meetingId}/${recordingId}`]);
    expect(((await (await http('GET', list, f.orgToken)).json()) as RecordingList).recordings).toEqual([]);
    expect(await stat(dir).catch(() => null)).toBeNull();

    const audit = await api<{ entries: AuditEntry[] }>(
      f.url,
      'GET',
      `/api/meetings/${meetingId}/audit`,
      f.orgToken,
    );
    const actions = audit.entries.map((e) => [e.action, e.target]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['recording:retention', null],
        ['recording:expired', recordingId],
      ]),
    );
    expect(audit.entries.find((e) => e.action === 'recording:expired')?.detail).toContain('mặc định 7 ngày');
  });
});
