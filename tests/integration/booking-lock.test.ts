/**
 * The booking lock across instances (issue 16): two hub processes on one Redis receive the same
 * booking — the same bridge point at the same hour — at the same moment, one on each. Exactly one
 * is booked; the other is refused with 409 CONFLICT naming the first, and the calendar holds one
 * meeting for that hour. Repeated for several slots, each pair sent together, so an unserialised
 * check-then-write between instances would let both through in some round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MeetingSummary } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../support/meeting.js';
import {
  type HubProcess,
  type RedisServer,
  redisHubEnv,
  startHubProcess,
  startRedis,
} from '../support/redis.js';

let redis: RedisServer;
const hubs: HubProcess[] = [];
const dirs: string[] = [];
const tokens: string[] = [];

/** A Vietnamese wall-clock instant some days from now. */
const at = (daysAhead: number, hh: number): number => {
  const d = new Date(Date.now() + daysAhead * 86_400_000 + 7 * 3600_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh - 7);
};

async function book(
  i: number,
  body: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: the assertions check the response's shape
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${hubs[i]?.url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  redis = await startRedis();
  const env = redisHubEnv(redis);
  for (let i = 0; i < 2; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-booking-lock-'));
    dirs.push(dir);
    hubs.push(await startHubProcess({ ...env, GIAOBAN_DATA_DIR: dir, SIP_PORT: '0', LOG_LEVEL: 'silent' }));
  }
  for (const hub of hubs) tokens.push(await login(hub.url, 'org', 'org-password'));
}, 90_000);

afterAll(async () => {
  for (const hub of hubs) await hub.stop();
  await redis?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('two instances booking the same site and hour at once', () => {
  it('books exactly one of each pair; the other gets CONFLICT naming it', async () => {
    for (let round = 0; round < 6; round++) {
      const scheduledAt = at(30 + round, 8);
      const body = (who: string) => ({
        title: `Giao ban tháng ${round + 1} (${who})`,
        scheduledAt,
        plannedMinutes: 120,
        hostSiteId: 'trung-uong',
        invitedSiteIds: ['hue'],
      });
      const results = await Promise.all([book(0, body('A')), book(1, body('B'))]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses, `round ${round}: ${JSON.stringify(results.map((r) => r.json))}`).toEqual([201, 409]);
      const booked = results.find((r) => r.status === 201)?.json as { meetingIds: string[] };
      const refused = results.find((r) => r.status === 409)?.json as {
        error: { code: string; message: string };
      };
      expect(refused.error.code).toBe('CONFLICT');
      expect(refused.error.message).toContain(booked.meetingIds[0]);

      const res = await fetch(`${hubs[round % 2]?.url}/api/meetings`, {
        headers: { authorization: `Bearer ${tokens[round % 2]}` },
      });
      const list = (await res.json()) as MeetingSummary[];
      expect(list.filter((m) => m.meeting.scheduledAt === scheduledAt)).toHaveLength(1);
    }
  });
});
