/** The organizer HTTP API: sign-in, validation, clear 4xx errors, directory, links, OpenAPI. */
import type { DirectorySite, MeetingSummary } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { startTestHub } from '../support/inProcessHub.js';
import { login } from '../support/meeting.js';

let hub: Hub;
let url: string;
let token: string;

async function call(
  method: string,
  path: string,
  body?: unknown,
  auth = true,
  // biome-ignore lint/suspicious/noExplicitAny: responses are read loosely; the assertions check their shape
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  hub = await startTestHub();
  url = hub.url.replace('localhost', '127.0.0.1');
  token = await login(url, 'org', 'org-password');
});
afterAll(async () => hub?.stop());

describe('organizer HTTP API', () => {
  it('refuses a wrong password and calls without a session with 401', async () => {
    const bad = await call('POST', '/api/auth/login', { username: 'org', password: 'nope' }, false);
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('UNAUTHENTICATED');
    const anon = await call('GET', '/api/meetings', undefined, false);
    expect(anon.status).toBe(401);
  });

  it('seeds the directory with the central host and the 34 provincial-level units of 2025', async () => {
    const { status, json } = await call('GET', '/api/directory/sites');
    expect(status).toBe(200);
    const sites = json as DirectorySite[];
    expect(sites).toHaveLength(35);
    expect(sites[0]?.kind).toBe('central');
    expect(sites.filter((s) => s.kind === 'city')).toHaveLength(6);
    expect(sites.find((s) => s.id === 'thanh-pho-ho-chi-minh')?.mergedFrom).toEqual([
      'Bình Dương',
      'Bà Rịa - Vũng Tàu',
    ]);
  });

  it('adds a commune under a province', async () => {
    const { status, json } = await call('POST', '/api/directory/sites', {
      name: 'Xã Tân Lập',
      kind: 'commune',
      parentId: 'lang-son',
    });
    expect(status).toBe(201);
    expect(json.parentId).toBe('lang-son');
    const bad = await call('POST', '/api/directory/sites', { name: 'X', parentId: 'nowhere' });
    expect(bad.status).toBe(404);
  });

  it('validates bodies with clear 400 errors', async () => {
    const missing = await call('POST', '/api/meetings', { title: '' });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe('VALIDATION');
    expect(missing.json.error.message).toMatch(/title|scheduledAt|hostSiteId/);
    const notJson = await call('POST', '/api/meetings', '{oops');
    expect(notJson.status).toBe(400);
    const unknownSite = await call('POST', '/api/meetings', {
      title: 'Giao ban',
      scheduledAt: Date.now(),
      hostSiteId: 'atlantis',
    });
    expect(unknownSite.status).toBe(404);
  });

  it('creates a meeting, edits its agenda and sites, issues and lists links', async () => {
    const created = await call('POST', '/api/meetings', {
      title: 'Giao ban tháng 11',
      scheduledAt: Date.now() + 86_400_000,
      hostSiteId: 'trung-uong',
      invitedSiteIds: ['ha-noi', 'hue'],
    });
    expect(created.status).toBe(201);
    const m = created.json as MeetingSummary;
    expect(m.sites.map((s) => s.id)).toEqual(['trung-uong', 'ha-noi', 'hue']);
    const item = await call('POST', `/api/meetings/${m.meeting.id}/agenda`, {
      title: 'Khai mạc',
      plannedMinutes: 5,
    });
    expect(item.status).toBe(201);
    const edited = await call('PATCH', `/api/meetings/${m.meeting.id}/agenda/${item.json.id}`, {
      title: 'Phát biểu khai mạc',
      plannedMinutes: 7,
    });
    expect(edited.json.plannedMinutes).toBe(7);
    const invited = await call('PUT', `/api/meetings/${m.meeting.id}/sites`, { siteIds: ['hue', 'da-nang'] });
    expect((invited.json as MeetingSummary).sites.map((s) => s.id)).toEqual(['trung-uong', 'hue', 'da-nang']);
    const siteLink = await call('POST', `/api/meetings/${m.meeting.id}/links`, {
      role: 'site',
      siteId: 'hue',
    });
    expect(siteLink.status).toBe(201);
    // Absolute, on the hub's address (PUBLIC_URL when set).
    expect(siteLink.json.url).toBe(`${url}/join#${siteLink.json.token}`);
    expect(siteLink.json.link.displayName).toBe('Huế');
    const notInvited = await call('POST', `/api/meetings/${m.meeting.id}/links`, {
      role: 'site',
      siteId: 'ha-noi',
    });
    expect(notInvited.status).toBe(404);
    const noSite = await call('POST', `/api/meetings/${m.meeting.id}/links`, { role: 'site' });
    expect(noSite.status).toBe(400);
    const list = await call('GET', `/api/meetings/${m.meeting.id}/links`);
    expect(list.json).toHaveLength(1);
    expect(list.json[0].token).toBeUndefined();
  });

  it('describes itself in OpenAPI 3.1 generated from the validating schemas', async () => {
    const { json } = await call('GET', '/api/openapi.json', undefined, false);
    expect(json.openapi).toBe('3.1.0');
    expect(
      json.paths['/api/meetings'].post.requestBody.content['application/json'].schema.required,
    ).toContain('title');
  });
});
