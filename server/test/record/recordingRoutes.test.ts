import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../src/app/AuditTrail.js';
import { DomainError } from '../../src/domain/index.js';
import { type RecordingAccess, recordingRoutes } from '../../src/http/recordings.js';
import { RecordingLibrary } from '../../src/record/RecordingLibrary.js';
import { RecordingRetentions } from '../../src/record/RecordingRetention.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';

// The playback routes over a recording folder as the recorder leaves it (segments.csv, chapters.json).

let root: string;
let server: Server;
const store = new MemoryStore();
const audit = new AuditTrail(store);
let base: string;

const access: RecordingAccess = {
  async mayRead(token) {
    if (token !== 'organizer' && token !== 'secretary') throw new DomainError('FORBIDDEN', 'not yours');
  },
  async mayDelete(token) {
    if (token !== 'organizer') throw new DomainError('FORBIDDEN', 'organizer only');
    return 'admin';
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
  // The hub keeps recordings 30 days by default.
  app.use(
    recordingRoutes(new RecordingLibrary(root), access, new RecordingRetentions(store, audit, 30), audit),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await rm(root, { recursive: true, force: true });
});

const as = (token: string | null, method = 'GET', body?: unknown): RequestInit => {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) };
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

  it("shows each recording's expiry from the hub default, and the organizer's own setting wins", async () => {
    const list = async () =>
      (await (await fetch(`${base}/api/meetings/m1/recordings`, as('secretary'))).json()) as {
        recordings: { expiresAt: string | null }[];
        retention: { defaultDays: number; meeting: { mode: string } };
      };
    const before = await list();
    expect(before.retention).toEqual({ defaultDays: 30, meeting: { mode: 'default' } });
    expect(before.recordings[0]?.expiresAt).toBe('2027-01-04T08:00:00.000Z');

    const put = (token: string, body: unknown) =>
      fetch(`${base}/api/meetings/m1/recording-retention`, as(token, 'PUT', body));
    expect((await put('secretary', { mode: 'forever' })).status).toBe(403);
    const bad = await put('organizer', { mode: 'until', keepUntil: '2099-02-30' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');
    const past = await put('organizer', { mode: 'until', keepUntil: '2020-01-01' });
    expect(((await past.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');

    expect((await put('organizer', { mode: 'until', keepUntil: '2099-03-31' })).status).toBe(200);
    // The end of 31 March in Vietnam (UTC+7).
    expect((await list()).recordings[0]?.expiresAt).toBe('2099-03-31T17:00:00.000Z');
    expect((await put('organizer', { mode: 'forever' })).status).toBe(200);
    expect((await list()).recordings[0]?.expiresAt).toBeNull();
    expect((await list()).retention.meeting).toEqual({ mode: 'forever' });
    const entries = await audit.list('m1');
    expect(entries.filter((e) => e.action === 'recording:retention').map((e) => e.detail)).toEqual([
      'lưu trữ đến hết ngày 2099-03-31',
      'lưu trữ cho đến khi xóa',
    ]);
    await put('organizer', { mode: 'default' });
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
    const deleted = (await audit.list('m1')).filter((e) => e.action === 'recording:delete');
    expect(deleted.map((e) => [e.actorRole, e.actorName, e.target])).toEqual([['organizer', 'admin', 'r1']]);
  });
});
