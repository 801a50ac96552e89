/**
 * Statistics across meetings on a real in-process hub: two short meetings with sites joining over
 * socket.io (one late, one absent from the second) and a floor turn, then the organizer reads the
 * per-site statistics (JSON, checked against the shared schema) and the CSV for Excel.
 */
import { type SiteId, SiteStatisticsResponse } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { api, connect, createMeeting, type HubSocket, issueLink, login, must } from '../support/meeting.js';

const HUE = 'hue' as SiteId;
const DA_NANG = 'da-nang' as SiteId;

let hub: Hub;
let url: string;
let orgToken: string;
const sockets: HubSocket[] = [];

/** A Vietnam-time day (UTC+7) as YYYY-MM-DD, `days` from now. */
function vnDay(days: number): string {
  return new Date(Date.now() + 7 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

async function meetingWithLinks(title: string): Promise<Record<'chair' | 'hue' | 'daNang', string>> {
  const summary = await createMeeting(url, orgToken, {
    title,
    scheduledAt: Date.now() + 60_000,
    hostSiteId: HOST_SITE,
    chairName: 'Đồng chí Chủ trì',
    floorSeconds: 120,
    invitedSiteIds: [HUE, DA_NANG],
  });
  const id = summary.meeting.id;
  const chair = await issueLink(url, orgToken, id, {
    role: 'chair',
    siteId: HOST_SITE,
    displayName: 'Chủ trì',
  });
  const hue = await issueLink(url, orgToken, id, { role: 'site', siteId: HUE });
  const daNang = await issueLink(url, orgToken, id, { role: 'site', siteId: DA_NANG });
  return { chair: chair.token, hue: hue.token, daNang: daNang.token };
}

async function join(token: string): Promise<HubSocket> {
  const s = await connect(url, token);
  sockets.push(s);
  await must(s, 'meeting:join', {});
  return s;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  hub = await startTestHub();
  url = hub.url.replace('localhost', '127.0.0.1');
  orgToken = await login(url, 'org', 'org-password');

  // Meeting 1: Huế on time and takes the floor; Đà Nẵng joins after the meeting went live.
  const m1 = await meetingWithLinks('Giao ban tuần 1');
  const chair1 = await join(m1.chair);
  const hue1 = await join(m1.hue);
  await must(chair1, 'meeting:openTechCheck', {});
  await must(chair1, 'meeting:goLive', {});
  await pause(20);
  await join(m1.daNang);
  const { requestId } = await must(hue1, 'queue:request', { topic: 'Báo cáo tình hình lũ lụt' });
  await must(chair1, 'floor:grant', { requestId: requestId as never });
  await pause(20);
  await must(hue1, 'floor:yield', {});
  await must(chair1, 'meeting:end', {});

  // Meeting 2: only Huế; Đà Nẵng is absent.
  const m2 = await meetingWithLinks('Giao ban tuần 2');
  const chair2 = await join(m2.chair);
  await join(m2.hue);
  await must(chair2, 'meeting:openTechCheck', {});
  await must(chair2, 'meeting:goLive', {});
  await must(chair2, 'meeting:end', {});

  // A meeting that never took place does not count against anyone.
  await meetingWithLinks('Giao ban chưa họp');
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await hub?.stop();
});

describe('statistics across meetings', () => {
  it('per site: invitations, attendance, lateness, speaking turns, with a timeline per meeting', async () => {
    const raw = await api<unknown>(
      url,
      'GET',
      `/api/statistics/sites?from=${vnDay(-1)}&to=${vnDay(1)}`,
      orgToken,
    );
    const stats = SiteStatisticsResponse.parse(raw);
    expect(stats.meetings.map((m) => m.title)).toEqual(['Giao ban tuần 1', 'Giao ban tuần 2']);
    const hue = stats.sites.find((s) => s.siteId === HUE);
    const daNang = stats.sites.find((s) => s.siteId === DA_NANG);
    expect(hue).toMatchObject({ invited: 2, attended: 2, attendanceRate: 1, lateCount: 0, turns: 1 });
    expect(hue?.timeline.map((p) => [p.title, p.attended, p.turns])).toEqual([
      ['Giao ban tuần 1', true, 1],
      ['Giao ban tuần 2', true, 0],
    ]);
    expect(daNang).toMatchObject({ invited: 2, attended: 1, attendanceRate: 0.5, lateCount: 1, turns: 0 });
    expect(daNang?.timeline.map((p) => p.attended)).toEqual([true, false]);
    expect(daNang?.timeline[0]?.lateMinutes).not.toBeNull();
    expect(stats.sites.find((s) => s.siteId === HOST_SITE)).toMatchObject({ invited: 2, attended: 2 });
  });

  it('a range without these meetings is empty; bad dates and no session are refused', async () => {
    const empty = SiteStatisticsResponse.parse(
      await api<unknown>(url, 'GET', `/api/statistics/sites?from=${vnDay(5)}&to=${vnDay(9)}`, orgToken),
    );
    expect(empty).toMatchObject({ meetings: [], sites: [] });
    const bad = await fetch(`${url}/api/statistics/sites?from=2025-02-30&to=2025-03-01`, {
      headers: { authorization: `Bearer ${orgToken}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION');
    const reversed = await fetch(`${url}/api/statistics/sites?from=${vnDay(1)}&to=${vnDay(-1)}`, {
      headers: { authorization: `Bearer ${orgToken}` },
    });
    expect(reversed.status).toBe(400);
    const anonymous = await fetch(`${url}/api/statistics/sites.csv?from=${vnDay(-1)}&to=${vnDay(1)}`);
    expect(anonymous.status).toBe(401);
  });

  it('the CSV opens in Excel with Vietnamese headers and site names', async () => {
    const res = await fetch(`${url}/api/statistics/sites.csv?from=${vnDay(-1)}&to=${vnDay(1)}`, {
      headers: { authorization: `Bearer ${orgToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]?.startsWith('Mã điểm cầu,Điểm cầu,Số cuộc họp được mời,Số cuộc họp tham dự')).toBe(true);
    const daNang = lines.find((l) => l.startsWith('da-nang,'));
    expect(daNang?.split(',').slice(2, 6)).toEqual(['2', '1', '50', '1']);
    expect(lines.some((l) => l.startsWith('hue,') && l.includes('Huế'))).toBe(true);
  });
});
