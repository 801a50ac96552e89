/**
 * Starts the hub in this process (so tests can reach its media layer through `hub.parts`) with
 * a throwaway data dir, a known organizer account and media on loopback, and prepares a meeting
 * with the given sites and one join link per participant.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IssueLinkBody, SiteId } from '@giaoban/shared';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { type Hub, startHub } from '../../server/src/main.js';
import { api, createMeeting, issueLink, login } from './meeting.js';
import { freeTcpPort, freeUdpPort } from './ports.js';

export const TEST_JWT_SECRET = 'integration-test-secret-integration-test-secret';
export const HOST_SITE = 'trung-uong' as SiteId;

/** A hub with one prepared meeting. */
export interface MeetingFixture {
  hub: Hub;
  url: string;
  orgToken: string;
  meetingId: string;
  links: Record<string, { token: string; linkId: string }>;
}

/** Starts an in-process hub on free loopback ports, on the memory store unless `extraEnv` says otherwise. */
export async function startTestHub(extraEnv: Record<string, string> = {}): Promise<Hub> {
  return startHub({
    ...process.env,
    PORT: String(await freeTcpPort()),
    HOST: '127.0.0.1',
    GIAOBAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'giaoban-it-')),
    JWT_SECRET: TEST_JWT_SECRET,
    GIAOBAN_ORGANIZERS: `org:${hashPassword('org-password')}`,
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_WORKERS: '1',
    MEDIA_RTC_PORT: String(await freeUdpPort()),
    MEDIA_RTC_MIN_PORT: '20000',
    MEDIA_RTC_MAX_PORT: '29999',
    LOG_LEVEL: 'silent',
    // No SIP edge unless a test asks for one (SIP_PORT): hubs in parallel files would race for 5060.
    SIP_PORT: '0',
    // Fast and isolated by default; Redis tests pass REDIS_URL (and GIAOBAN_STORE: 'redis').
    GIAOBAN_STORE: 'memory',
    ...extraEnv,
  });
}

/** Starts a hub and prepares a meeting: the sites invited, two agenda items, the links issued. */
export async function setupMeeting(
  sites: readonly SiteId[],
  people: Record<string, IssueLinkBody>,
  extraEnv: Record<string, string> = {},
): Promise<MeetingFixture> {
  const hub = await startTestHub(extraEnv);
  const url = hub.url.replace('localhost', '127.0.0.1');
  const orgToken = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, orgToken, {
    title: 'Hội nghị giao ban trực tuyến quý IV',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    chairName: 'Đồng chí Chủ trì',
    floorSeconds: 120,
    invitedSiteIds: [...sites],
  });
  const meetingId = summary.meeting.id;
  for (const [title, kind] of [
    ['Báo cáo kết quả công tác 5 tháng', 'report'],
    ['Thảo luận của các điểm cầu', 'discussion'],
  ] as const) {
    await api(url, 'POST', `/api/meetings/${meetingId}/agenda`, orgToken, {
      title,
      kind,
      plannedMinutes: 15,
    });
  }
  const links: MeetingFixture['links'] = {};
  for (const [name, body] of Object.entries(people)) {
    const l = await issueLink(url, orgToken, meetingId, body);
    links[name] = { token: l.token, linkId: l.link.id };
  }
  return { hub, url, orgToken, meetingId, links };
}
