/**
 * The secretaries' workspace is the only minutes system, and what they write there keeps its
 * agenda item: an organizer cannot delete an item that has minutes or conclusions in the
 * workspace (INVALID_STATE, with the reason), while an empty item can still be removed.
 */
import { type AgendaItemId, addConclusion, type SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { api, connect, type HubSocket, must } from '../support/meeting.js';
import { prepareMeeting } from '../support/redis.js';

let hub: Hub;
let url: string;
let meetingId: string;
let orgToken: string;
let secretary: HubSocket;
const items: AgendaItemId[] = [];

/** DELETE an agenda item; the HTTP status and the error code of a refusal. */
async function removeItem(itemId: string): Promise<{ status: number; code: string | null; message: string }> {
  const res = await fetch(`${url}/api/meetings/${meetingId}/agenda/${itemId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${orgToken}` },
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  return { status: res.status, code: body.error?.code ?? null, message: body.error?.message ?? '' };
}

beforeAll(async () => {
  hub = await startTestHub();
  url = hub.url.replace('localhost', '127.0.0.1');
  const prepared = await prepareMeeting(url, ['hue' as SiteId], {
    chair: { role: 'chair', siteId: HOST_SITE },
    secretary: { role: 'secretary', displayName: 'Thư ký' },
  });
  ({ meetingId, orgToken } = prepared);
  await api(url, 'POST', `/api/meetings/${meetingId}/agenda`, orgToken, {
    title: 'Kết luận',
    kind: 'conclusion',
    plannedMinutes: 10,
  });
  const summary = await api<{ agenda: { id: AgendaItemId }[] }>(
    url,
    'GET',
    `/api/meetings/${meetingId}`,
    orgToken,
  );
  items.push(...summary.agenda.map((i) => i.id));
  secretary = await connect(url, prepared.tokens.secretary as string);
  await must(secretary, 'meeting:join', {});
}, 60_000);

afterAll(async () => {
  secretary?.close();
  await hub?.stop();
});

describe('agenda items with workspace content', () => {
  it('an item with minutes in the workspace cannot be deleted', async () => {
    const doc = new Y.Doc();
    doc.getText(`minutes:${items[0]}`).insert(0, 'Đồng chí Giám đốc Sở báo cáo kết quả 5 tháng.');
    await must(secretary, 'doc:update', { update: Y.encodeStateAsUpdate(doc) });
    const r = await removeItem(items[0] as string);
    expect(r.code).toBe('INVALID_STATE');
    expect(r.status).toBe(409);
    expect(r.message).toMatch(/workspace/);
  });

  it('an item with a conclusion in the workspace cannot be deleted', async () => {
    const doc = new Y.Doc();
    addConclusion(doc, items[2] as string, {
      id: 'kl-1',
      text: 'Các địa phương đẩy nhanh giải ngân vốn đầu tư công.',
      author: 'Thư ký',
      at: Date.now(),
    });
    await must(secretary, 'doc:update', { update: Y.encodeStateAsUpdate(doc) });
    expect((await removeItem(items[2] as string)).code).toBe('INVALID_STATE');
  });

  it('an item nobody wrote for is deleted', async () => {
    const r = await removeItem(items[1] as string);
    expect(r.code).toBeNull();
    expect(r.status).toBeLessThan(300);
    const summary = await api<{ agenda: { id: string }[] }>(
      url,
      'GET',
      `/api/meetings/${meetingId}`,
      orgToken,
    );
    expect(summary.agenda.map((i) => i.id)).toEqual([items[0], items[2]]);
  });
});
