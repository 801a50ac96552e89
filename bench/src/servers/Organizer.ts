/**
 * Prepares a meeting through the hub's organizer HTTP API, as an organizer would: sign in, add
 * bridge points to the directory when the 34 provinces are not enough, create the meeting with
 * its invited sites and an agenda, and issue one join link per device.
 */
import type {
  CreateMeetingBody,
  DirectorySite,
  IssuedLink,
  IssueLinkBody,
  MeetingSummary,
} from '@giaoban/shared';
import { mapLimit } from '../util/log.js';

/** The central host site the seeded directory starts with. */
export const HOST_SITE = 'trung-uong';

/** A prepared meeting: its id and a join token per device. */
export interface PreparedMeeting {
  meetingId: string;
  hostSiteId: string;
  siteIds: string[];
  chair: string;
  operator: string;
  sites: Map<string, string>;
  observers: string[];
}

export class Organizer {
  private constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  /** Signs in. */
  static async login(base: string, username: string, password: string): Promise<Organizer> {
    const r = await call<{ token: string }>(base, 'POST', '/api/auth/login', null, { username, password });
    return new Organizer(base, r.token);
  }

  /** `count` invitable site ids (host excluded); creates simulated communes when the directory runs short. */
  async sites(count: number): Promise<string[]> {
    const existing = (
      await call<DirectorySite[]>(this.base, 'GET', '/api/directory/sites', this.token)
    ).filter((s) => s.id !== HOST_SITE);
    const ids = existing.map((s) => s.id as string);
    for (let i = ids.length; i < count; i++) {
      const site = await call<DirectorySite>(this.base, 'POST', '/api/directory/sites', this.token, {
        name: `Điểm cầu mô phỏng ${String(i + 1).padStart(3, '0')}`,
        region: 'Benchmark',
        kind: 'commune',
      });
      ids.push(site.id);
    }
    return ids.slice(0, count);
  }

  /** Uploads a report document to a meeting and waits until the hub has converted it; returns its id. */
  async uploadDocument(
    meetingId: string,
    body: Buffer,
    filename: string,
    timeoutMs = 60_000,
  ): Promise<string> {
    const res = await fetch(
      `${this.base}/api/meetings/${meetingId}/documents?${new URLSearchParams({ filename })}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(body),
      },
    );
    const text = await res.text();
    if (!res.ok) throw new Error(`upload ${filename} → ${res.status} ${text}`);
    const doc = JSON.parse(text) as { id: string };
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const docs = await call<{ id: string; status: string }[]>(
        this.base,
        'GET',
        `/api/meetings/${meetingId}/documents`,
        this.token,
      );
      const status = docs.find((d) => d.id === doc.id)?.status;
      if (status === 'ready') return doc.id;
      if (status === 'failed') throw new Error(`uploadDocument() | conversion of ${filename} failed`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`uploadDocument() | ${filename} not converted within ${timeoutMs} ms`);
  }

  /** Creates a meeting with `siteCount` invited sites and issues the links. */
  async prepare(siteCount: number, observers = 0): Promise<PreparedMeeting> {
    const siteIds = await this.sites(siteCount);
    const body: CreateMeetingBody = {
      title: `Benchmark: ${siteCount} điểm cầu`,
      scheduledAt: Date.now() + 60_000,
      hostSiteId: HOST_SITE as never,
      chairName: 'Đồng chí Chủ trì',
      floorSeconds: 0,
      maxConnections: 5000,
      invitedSiteIds: siteIds as never,
    };
    const summary = await call<MeetingSummary>(this.base, 'POST', '/api/meetings', this.token, body);
    const meetingId = summary.meeting.id;
    for (const title of ['Báo cáo kết quả công tác', 'Thảo luận của các điểm cầu']) {
      await call(this.base, 'POST', `/api/meetings/${meetingId}/agenda`, this.token, {
        title,
        kind: 'report',
        plannedMinutes: 15,
      });
    }
    const issue = (body: IssueLinkBody): Promise<string> =>
      call<IssuedLink>(this.base, 'POST', `/api/meetings/${meetingId}/links`, this.token, body).then(
        (l) => l.token,
      );
    const chair = await issue({ role: 'chair' });
    const operator = await issue({ role: 'operator' });
    const siteTokens = await mapLimit(siteIds, 8, (siteId) =>
      issue({ role: 'site', siteId: siteId as never }),
    );
    const observerTokens = await mapLimit(Array.from({ length: observers }), 8, (_, i) =>
      issue({ role: 'observer', displayName: `Theo dõi ${i + 1}` }),
    );
    return {
      meetingId,
      hostSiteId: HOST_SITE,
      siteIds,
      chair,
      operator,
      sites: new Map(siteIds.map((id, i) => [id, siteTokens[i] as string])),
      observers: observerTokens,
    };
  }
}

/** One organizer API call; throws with the server's error on a non-2xx status. */
async function call<T>(
  base: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Identity "tokens" for the bare harness, which has no authentication. */
export function bareMeeting(siteCount: number, observers = 0): PreparedMeeting {
  const siteIds = Array.from({ length: siteCount }, (_, i) => `site-${String(i + 1).padStart(3, '0')}`);
  const id = (role: string, siteId: string | null, name: string) => JSON.stringify({ role, siteId, name });
  return {
    meetingId: 'bare',
    hostSiteId: HOST_SITE,
    siteIds,
    chair: id('chair', HOST_SITE, 'chair'),
    operator: id('operator', null, 'operator'),
    sites: new Map(siteIds.map((s) => [s, id('site', s, s)])),
    observers: Array.from({ length: observers }, (_, i) => id('observer', null, `observer-${i}`)),
  };
}
