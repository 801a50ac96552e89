/**
 * A backup of one deployment (Redis keys + documents folder) restored into a fresh Redis and a
 * fresh data folder: a new hub there shows the same meetings, plans, minutes and documents.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type MeetingId, type MeetingSummary, WORKSPACE_DOC } from '@giaoban/shared';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Hub } from '../../server/src/main.js';
import { backup, restore } from '../../server/src/ops/Backup.js';
import { startTestHub } from '../support/inProcessHub.js';
import { api, login } from '../support/meeting.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import { FIXTURES } from '../support/slides.js';

const dirs: string[] = [];
const tmp = (name: string) => {
  const d = mkdtempSync(path.join(tmpdir(), name));
  dirs.push(d);
  return d;
};
const redises: RedisServer[] = [];
const hubs: Hub[] = [];

afterAll(async () => {
  for (const h of hubs) await h.stop().catch(() => undefined);
  for (const r of redises) await r.stop().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Converters run as `nobody` when the hub is root: they must reach their private folder. */
function workDir(): string {
  const d = tmp('giaoban-backup-work-');
  chmodSync(d, 0o755);
  return d;
}

async function hubOn(
  redis: RedisServer,
  prefix: string,
  dataDir: string,
): Promise<{ hub: Hub; url: string; token: string }> {
  const hub = await startTestHub({
    GIAOBAN_STORE: 'redis',
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    GIAOBAN_DATA_DIR: dataDir,
    DOCUMENT_WORK_DIR: workDir(),
  });
  hubs.push(hub);
  const url = hub.url.replace('localhost', '127.0.0.1');
  return { hub, url, token: await login(url, 'org', 'org-password') };
}

describe('backup and restore', () => {
  it('a backup restored into a fresh Redis and data folder shows the same meetings, minutes and documents', {
    timeout: 180_000,
  }, async () => {
    const redisA = await startRedis();
    redises.push(redisA);
    const dataA = tmp('giaoban-backup-a-');
    const a = await hubOn(redisA, 'prodA:', dataA);
    const booked = await api<{ meetingIds: string[] }>(a.url, 'POST', '/api/bookings', a.token, {
      title: 'Giao ban quý I',
      scheduledAt: Date.now() + 5 * 86_400_000,
      plannedMinutes: 150,
      hostSiteId: 'trung-uong',
      invitedSiteIds: ['hue', 'ha-noi'],
      recurrence: { every: 'quarter', count: 2 },
    });
    const meetingId = booked.meetingIds[0] as string;
    await api(a.url, 'POST', `/api/meetings/${meetingId}/agenda`, a.token, {
      title: 'Báo cáo',
      kind: 'report',
    });
    // The secretaries' minutes: a Yjs update in the meeting's document log.
    const doc = new Y.Doc();
    doc.getText('backup-probe').insert(0, 'Kết luận: các tỉnh hoàn thành báo cáo trước 15/12.');
    await a.hub.parts.store.appendDocUpdate(
      meetingId as MeetingId,
      WORKSPACE_DOC,
      Y.encodeStateAsUpdate(doc),
    );
    // A report document, converted to pages.
    const res = await fetch(`${a.url}/api/meetings/${meetingId}/documents?filename=tong-hop.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(readFileSync(path.join(FIXTURES, 'tong-hop.pdf'))),
    });
    expect(res.status).toBe(202);
    const documentId = ((await res.json()) as { id: string }).id;
    for (let i = 0; ; i++) {
      const docs = await api<{ id: string; status: string }[]>(
        a.url,
        'GET',
        `/api/meetings/${meetingId}/documents`,
        a.token,
      );
      const status = docs.find((d) => d.id === documentId)?.status;
      if (status === 'ready') break;
      expect(status, 'the report converts').not.toBe('failed');
      if (i > 900) throw new Error('the document did not convert');
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = await api<MeetingSummary[]>(a.url, 'GET', '/api/meetings', a.token);
    const deadlinesBefore = await api(a.url, 'GET', `/api/meetings/${meetingId}/deadlines`, a.token);
    const updatesBefore = await a.hub.parts.store.readDocUpdates(meetingId as MeetingId, WORKSPACE_DOC);

    // Back up while the hub runs, then lose the machine.
    const backupDir = tmp('giaoban-backup-');
    const clientA = new Redis(redisA.url);
    const taken = await backup(clientA, 'prodA:', path.join(dataA, 'documents'), backupDir);
    clientA.disconnect();
    expect(taken.keys).toBeGreaterThan(5);
    expect(taken.documents).toBe(true);
    await a.hub.stop();
    await redisA.stop();

    // A fresh Redis and data folder (another prefix, too); a second restore is refused.
    const redisB = await startRedis();
    redises.push(redisB);
    const dataB = tmp('giaoban-backup-b-');
    const clientB = new Redis(redisB.url);
    const put = await restore(clientB, 'prodB:', path.join(dataB, 'documents'), backupDir);
    expect(put.keys).toBe(taken.keys);
    await expect(restore(clientB, 'prodB:', path.join(dataB, 'documents'), backupDir)).rejects.toThrow(
      /already holds meetings/,
    );
    clientB.disconnect();

    const b = await hubOn(redisB, 'prodB:', dataB);
    expect(await api<MeetingSummary[]>(b.url, 'GET', '/api/meetings', b.token)).toEqual(before);
    expect(await api(b.url, 'GET', `/api/meetings/${meetingId}/deadlines`, b.token)).toEqual(deadlinesBefore);
    const updatesAfter = await b.hub.parts.store.readDocUpdates(meetingId as MeetingId, WORKSPACE_DOC);
    expect(updatesAfter.map((u) => Buffer.from(u).toString('base64'))).toEqual(
      updatesBefore.map((u) => Buffer.from(u).toString('base64')),
    );
    const restoredDoc = new Y.Doc();
    for (const u of updatesAfter) Y.applyUpdate(restoredDoc, u);
    expect(restoredDoc.getText('backup-probe').toString()).toContain('trước 15/12');
    const docs = await api<{ id: string; status: string }[]>(
      b.url,
      'GET',
      `/api/meetings/${meetingId}/documents`,
      b.token,
    );
    expect(docs.find((d) => d.id === documentId)?.status).toBe('ready');
    const page = await fetch(`${b.url}/api/documents/${documentId}/pages/1.png?token=${b.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('image/png');
  });
});
