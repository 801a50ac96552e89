import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/index.js';
import { type RecordingAccess, recordingRoutes } from '../../src/http/recordings.js';
import { RecordingLibrary } from '../../src/record/RecordingLibrary.js';

// The playback routes over a recording folder as the recorder leaves it (segments.csv, chapters.json).

let root: string;
let server: Server;
let base: string;

const access: RecordingAccess = {
  async mayRead(token) {
    if (token !== 'organizer' && token !== 'secretary') throw new DomainError('FORBIDDEN', 'not yours');
  },
  async mayDelete(token) {
    if (token !== 'organizer') throw new DomainError('FORBIDDEN', 'organizer only');
  },
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'giaoban-recroutes-'));
  const dir = join(root, 'm1', 'r1');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'seg-00000.mkv'), Buffer.from('segment zero'));
  await writeFile(join(dir, 'seg-00001.mkv'), Buffer.from('being written'));
  await writeFile(join(dir, 'rec.sdp'), 'v=0\n');
  // Only the first segment is finished: the second is still being written.
  await writeFile(join(dir, 'segments.csv'), 'seg-00000.mkv,0.000000,60.012000\n');
  await writeFile(
    join(dir, 'chapters.json'),
    JSON.stringify({
      recordingId: 'r1',
      startedAt: '2026-12-05T08:00:00.000Z',
      chapters: [{ kind: 'floor', atMs: 1200, label: 'Sở Y tế' }],
    }),
  );
  const app = express();
  app.use(recordingRoutes(new RecordingLibrary(root), access));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await rm(root, { recursive: true, force: true });
});

const as = (token: string | null, method = 'GET'): RequestInit => {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return { method, headers };
};

describe('recording routes', () => {
  it('lists finished segments and chapters for a secretary', async () => {
    const res = await fetch(`${base}/api/meetings/m1/recordings`, as('secretary'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      recordings: { recordingId: string; segments: { file: string }[] }[];
    };
    expect(body.recordings).toHaveLength(1);
    expect(body.recordings[0]?.segments.map((s) => s.file)).toEqual(['seg-00000.mkv']);
    expect(body.recordings[0]).toMatchObject({ chapters: [{ kind: 'floor', label: 'Sở Y tế' }] });
  });

  it('serves a finished segment, and NOT_FOUND for one being written or any other file', async () => {
    const ok = await fetch(`${base}/api/meetings/m1/recordings/r1/seg-00000.mkv`, as('organizer'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('video/x-matroska');
    expect(await ok.text()).toBe('segment zero');
    for (const file of ['seg-00001.mkv', 'rec.sdp', '..%2Fr1%2Frec.sdp']) {
      const res = await fetch(`${base}/api/meetings/m1/recordings/r1/${file}`, as('organizer'));
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });

  it('refuses without a token (UNAUTHENTICATED) and a stranger (FORBIDDEN)', async () => {
    const none = await fetch(`${base}/api/meetings/m1/recordings`, as(null));
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const stranger = await fetch(`${base}/api/meetings/m1/recordings`, as('someone'));
    expect(stranger.status).toBe(403);
  });

  it('lets only the organizer delete a recording', async () => {
    const bySecretary = await fetch(`${base}/api/meetings/m1/recordings/r1`, as('secretary', 'DELETE'));
    expect(bySecretary.status).toBe(403);
    const byOrganizer = await fetch(`${base}/api/meetings/m1/recordings/r1`, as('organizer', 'DELETE'));
    expect(byOrganizer.status).toBe(204);
    const again = await fetch(`${base}/api/meetings/m1/recordings/r1`, as('organizer', 'DELETE'));
    expect(again.status).toBe(404);
    const list = (await (await fetch(`${base}/api/meetings/m1/recordings`, as('organizer'))).json()) as {
      recordings: unknown[];
    };
    expect(list.recordings).toEqual([]);
  });
});
