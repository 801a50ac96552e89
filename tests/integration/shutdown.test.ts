/**
 * Shutting down restarts nothing. A hub run from a terminal shares its process group with its
 * children; Ctrl-C sends SIGINT to the whole group. The hub must stop its private redis-server
 * itself, last, and never start it again on the way out.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MeetingSummary, SiteId } from '@giaoban/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { api } from '../support/meeting.js';
import { type HubProcess, prepareMeeting, processAlive, startHubProcess } from '../support/redis.js';

const hubs: HubProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const h of hubs) await h.stop('SIGKILL');
  for (const d of dirs) {
    for (const pid of redisServersIn(path.join(d, 'redis'))) process.kill(pid, 'SIGKILL');
    rmSync(d, { recursive: true, force: true });
  }
});

/** Pids of the processes whose working directory is `dir` (Redis works in its data dir). */
function redisServersIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir && processAlive(Number(entry)))
        found.push(Number(entry));
    } catch {
      // gone, or not ours to inspect
    }
  }
  return found;
}

/** The process group of a process (field 5 of /proc/<pid>/stat, after the command in parentheses). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

const count = (text: string, pattern: RegExp): number => text.match(new RegExp(pattern, 'g'))?.length ?? 0;

describe('shutdown', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s to the whole process group stops the hub and its private Redis once, restarting nothing',
    async (signal) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'giaoban-shutdown-'));
      dirs.push(dataDir);
      const env = { GIAOBAN_DATA_DIR: dataDir, GIAOBAN_STORE: 'redis', REDIS_URL: '' };
      const hub = await startHubProcess(env, undefined, { ownProcessGroup: true });
      hubs.push(hub);
      const { meetingId, orgToken } = await prepareMeeting(hub.url, ['hue'] as SiteId[], {});
      const redisDir = path.join(dataDir, 'redis');
      const redisPid = Number(readFileSync(path.join(redisDir, 'redis.pid'), 'utf8').trim());
      expect(redisServersIn(redisDir)).toEqual([redisPid]);
      // Redis leads a process group of its own: a signal to the hub's group (Ctrl-C) never reaches it.
      expect(processGroupOf(redisPid)).not.toBe(processGroupOf(hub.pid));
      expect(processGroupOf(hub.pid)).toBe(hub.pid);

      expect(await hub.signalGroup(signal)).toBe(0);

      const output = hub.output();
      expect(count(output, /private redis-server ready/)).toBe(1);
      expect(output).not.toMatch(/redis-server exited unexpectedly|restart failed|shut down from outside/);
      expect(processAlive(redisPid)).toBe(false);
      expect(redisServersIn(redisDir)).toEqual([]);

      // What was written before the signal is there after the next start.
      const again = await startHubProcess(env);
      hubs.push(again);
      const listed = await api<MeetingSummary[]>(again.url, 'GET', '/api/meetings', orgToken);
      expect(listed.map((m) => m.meeting.id)).toContain(meetingId);
      expect(await again.stop('SIGTERM')).toBe(0);
      expect(redisServersIn(redisDir)).toEqual([]);
    },
    120_000,
  );
});
