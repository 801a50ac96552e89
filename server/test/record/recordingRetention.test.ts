import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../src/app/AuditTrail.js';
import { consoleMediaLogger } from '../../src/media/index.js';
import { RecordingLibrary } from '../../src/record/RecordingLibrary.js';
import {
  expiresAt,
  isExpired,
  RecordingRetentions,
  vietnamDay,
} from '../../src/record/RecordingRetention.js';
import { RecordingSweeper } from '../../src/record/RecordingSweeper.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';

const DAY = 86_400_000;
const STARTED = Date.parse('2026-12-05T08:00:00.000Z');

describe('the retention rule', () => {
  it('expiresAt() is the hub default after the start, never when the default is 0', () => {
    expect(expiresAt(STARTED, 30)).toBe(STARTED + 30 * DAY);
    expect(expiresAt(STARTED, 30, { mode: 'default' })).toBe(STARTED + 30 * DAY);
    expect(expiresAt(STARTED, 0)).toBeNull();
  });

  it('expiresAt() follows the meeting: the end of the kept day in Vietnam (UTC+7), or never', () => {
    expect(
      new Date(expiresAt(STARTED, 30, { mode: 'until', keepUntil: '2026-12-10' }) ?? 0).toISOString(),
    ).toBe('2026-12-10T17:00:00.000Z');
    // The meeting's own date wins over a longer or a shorter default, and over "keep forever" (0).
    expect(expiresAt(STARTED, 0, { mode: 'until', keepUntil: '2026-12-10' })).not.toBeNull();
    expect(expiresAt(STARTED, 365, { mode: 'forever' })).toBeNull();
  });

  it('isExpired() is true from the expiry on, not a millisecond before', () => {
    const at = STARTED + 7 * DAY;
    expect(isExpired(STARTED, at - 1, 7)).toBe(false);
    expect(isExpired(STARTED, at, 7)).toBe(true);
    expect(isExpired(STARTED, at + 100 * DAY, 7, { mode: 'forever' })).toBe(false);
    expect(isExpired(STARTED, at + 100 * DAY, 0)).toBe(false);
  });

  it('vietnamDay() is the civil day in Vietnam', () => {
    expect(vietnamDay(Date.parse('2026-12-05T16:59:59.999Z'))).toBe('2026-12-05');
    expect(vietnamDay(Date.parse('2026-12-05T17:00:00.000Z'))).toBe('2026-12-06');
  });
});

describe('RecordingSweeper', () => {
  let root: string;
  const store = new MemoryStore();
  const audit = new AuditTrail(store);

  async function recording(meetingId: string, recordingId: string, startedAt: string): Promise<string> {
    const dir = join(root, meetingId, recordingId);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'seg-00000.mkv'), Buffer.alloc(100));
    await writeFile(join(dir, 'segments.csv'), 'seg-00000.mkv,0.000000,60.000000\n');
    await writeFile(join(dir, 'chapters.json'), JSON.stringify({ recordingId, startedAt, chapters: [] }));
    return dir;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'giaoban-sweep-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('deletes only expired recordings, never the one being written, and audits each deletion once', async () => {
    const library = new RecordingLibrary(root);
    const retentions = new RecordingRetentions(store, audit, 30, () => STARTED);
    const old = await recording('m1', 'old', '2026-10-01T08:00:00.000Z');
    const recent = await recording('m1', 'recent', '2026-12-01T08:00:00.000Z');
    const writing = await recording('m1', 'writing', '2026-10-01T09:00:00.000Z');
    const kept = await recording('m2', 'kept', '2026-10-01T08:00:00.000Z');
    await retentions.set('m2', 'admin', { mode: 'forever' });
    const sweeper = new RecordingSweeper({
      library,
      retentions,
      audit,
      writing: (m, r) => m === 'm1' && r === 'writing',
      logger: consoleMediaLogger,
    });
    // Two sweeps at once (two instances over one shared folder behave the same): one deletion each.
    const [a, b] = await Promise.all([sweeper.sweep(STARTED), sweeper.sweep(STARTED)]);
    expect(a).toEqual(['m1/old']);
    expect(b).toEqual(a);
    const other = new RecordingSweeper({
      library,
      retentions,
      audit,
      writing: () => true,
      logger: consoleMediaLogger,
    });
    expect(await other.sweep(STARTED)).toEqual([]);
    expect(await stat(old).catch(() => null)).toBeNull();
    for (const dir of [recent, writing, kept]) expect(await stat(dir)).toBeTruthy();
    expect((await library.list('m1')).map((r) => r.recordingId)).toEqual(['writing', 'recent']);

    const entries = (await audit.list('m1')).filter((e) => e.action === 'recording:expired');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorRole: 'organizer', target: 'old', at: STARTED });
    expect(entries[0]?.detail).toContain('mặc định 30 ngày');

    // The meeting's own last day moves the recent one out at the end of that day.
    await retentions.set('m1', 'admin', { mode: 'until', keepUntil: '2026-12-06' });
    expect(await sweeper.sweep(Date.parse('2026-12-06T16:59:00.000Z'))).toEqual([]);
    expect(await sweeper.sweep(Date.parse('2026-12-06T17:00:00.000Z'))).toEqual(['m1/recent']);
  });

  it('library.remove() lets exactly one of two racing removers delete', async () => {
    const library = new RecordingLibrary(root);
    await recording('m3', 'race', '2026-10-01T08:00:00.000Z');
    const results = await Promise.all([library.remove('m3', 'race'), library.remove('m3', 'race')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await library.list('m3')).toEqual([]);
  });
});
