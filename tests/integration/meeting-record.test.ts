/**
 * The meeting's record over socket.io, on a real hub with the Redis store: a vote from several
 * sites read back in the exported conclusion notice and minutes; the chat with its private thread,
 * moderation (delete, mute) and persistence across a hub restart on the same store; the audit log
 * with an entry for every moderator command, on the organizer's page (JSON) and as CSV.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEntry, ChatMessage, SiteId, VoteId, VoteTally } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import {
  api,
  connect,
  createMeeting,
  eventually,
  type HubSocket,
  issueLink,
  login,
  must,
  request,
} from '../support/meeting.js';
import { type RedisServer, redisHubEnv, startRedis } from '../support/redis.js';

const HUE = 'hue' as SiteId;
const DA_NANG = 'da-nang' as SiteId;
const CAN_THO = 'can-tho' as SiteId;
const SITES = [HUE, DA_NANG, CAN_THO];

let redis: RedisServer;
let env: Record<string, string>;
let hub: Hub;
let url: string;
let orgToken: string;
let meetingId: string;
let dir: string;
const tokens: Record<string, string> = {};
const linkIds: Record<string, string> = {};
const sockets: HubSocket[] = [];

async function join(name: string): Promise<HubSocket> {
  const s = await connect(url, tokens[name] as string);
  sockets.push(s);
  await must(s, 'meeting:join', {});
  return s;
}

async function download(file: string, token = orgToken): Promise<Buffer> {
  const res = await fetch(`${url}/api/meetings/${meetingId}/exports/${file}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status, file).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** The text of a DOCX (word/document.xml without tags), one line per paragraph. */
function docxText(bytes: Buffer): string {
  const file = path.join(dir, `d${Math.random()}.docx`);
  writeFileSync(file, bytes);
  return execFileSync('unzip', ['-p', file, 'word/document.xml'])
    .toString('utf8')
    .replace(/<\/w:p>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

async function auditLog(): Promise<AuditEntry[]> {
  return (await api<{ entries: AuditEntry[] }>(url, 'GET', `/api/meetings/${meetingId}/audit`, orgToken))
    .entries;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'giaoban-record-'));
  redis = await startRedis();
  env = redisHubEnv(redis);
  hub = await startTestHub(env);
  url = hub.url.replace('localhost', '127.0.0.1');
  orgToken = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, orgToken, {
    title: 'Hội nghị giao ban trực tuyến tháng 12',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    chairName: 'Đồng chí Chủ trì',
    floorSeconds: 120,
    invitedSiteIds: SITES,
  });
  meetingId = summary.meeting.id;
  await api(url, 'POST', `/api/meetings/${meetingId}/agenda`, orgToken, {
    title: 'Thông qua nghị quyết',
    kind: 'discussion',
    plannedMinutes: 15,
  });
  const people = {
    chair: { role: 'chair', siteId: HOST_SITE, displayName: 'Đồng chí Chủ trì' },
    operator: { role: 'operator', displayName: 'Kỹ thuật viên' },
    observer: { role: 'observer', displayName: 'Lãnh đạo theo dõi' },
    hue: { role: 'site', siteId: HUE },
    daNang: { role: 'site', siteId: DA_NANG },
    canTho: { role: 'site', siteId: CAN_THO },
  } as const;
  for (const [name, body] of Object.entries(people)) {
    const l = await issueLink(url, orgToken, meetingId, body);
    tokens[name] = l.token;
    linkIds[name] = l.link.id;
  }
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await hub?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the meeting record over socket.io (Redis store)', () => {
  let chair: HubSocket;
  let operator: HubSocket;
  let observer: HubSocket;
  let hue: HubSocket;
  let daNang: HubSocket;
  let canTho: HubSocket;

  it('a vote from several sites: refusals say why, the chair follows the tally, the notice states the result', async () => {
    chair = await join('chair');
    operator = await join('operator');
    observer = await join('observer');
    hue = await join('hue');
    daNang = await join('daNang');
    canTho = await join('canTho');
    await must(chair, 'meeting:openTechCheck', {});
    await must(chair, 'meeting:goLive', {});
    await must(chair, 'agenda:advance', {});
    const tallies: VoteTally[][] = [];
    chair.on('vote:tally', (t) => tallies.push(t));

    const refusedOpen = await request(hue, 'vote:open', { question: 'x', counting: 'site', secret: false });
    expect(refusedOpen.ok || refusedOpen.error.code).toBe('FORBIDDEN');
    const { voteId } = await must(chair, 'vote:open', {
      question: 'Thông qua Nghị quyết về nhiệm vụ năm 2027',
      counting: 'site',
      secret: false,
    });
    await must(hue, 'vote:cast', { voteId: voteId as VoteId, choice: 0 });
    const twice = await request(hue, 'vote:cast', { voteId: voteId as VoteId, choice: 1 });
    expect(twice.ok || twice.error).toMatchObject({ code: 'CONFLICT' });
    const wrongRole = await request(observer, 'vote:cast', { voteId: voteId as VoteId, choice: 0 });
    expect(wrongRole.ok || wrongRole.error.code).toBe('FORBIDDEN');
    // Đà Nẵng drops and reconnects during the vote, then votes.
    daNang.close();
    daNang = await join('daNang');
    await must(daNang, 'vote:cast', { voteId: voteId as VoteId, choice: 0 });
    await eventually(() => tallies.some((t) => t[0]?.voted === 2), 'the live tally after two ballots');
    expect(tallies.at(-1)?.[0]?.totals).toEqual([2, 0, 0]);
    // Sites do not see the totals while the vote is open.
    const siteView = await must(canTho, 'meeting:sync', {});
    expect(siteView.votes[0]?.totals).toBeNull();
    expect(siteView.votes[0]?.voters.map((v) => v.siteId)).toEqual([HUE, DA_NANG]);
    await must(canTho, 'vote:cast', { voteId: voteId as VoteId, choice: 1 });
    await must(chair, 'vote:close', { voteId: voteId as VoteId });
    const late = await request(hue, 'vote:cast', { voteId: voteId as VoteId, choice: 2 });
    expect(late.ok || late.error).toMatchObject({ code: 'INVALID_STATE' });
    expect((await must(hue, 'meeting:sync', {})).votes[0]?.totals).toEqual([2, 1, 0]);

    const notice = docxText(await download('notice.docx'));
    expect(notice).toContain(
      'Biểu quyết về "Thông qua Nghị quyết về nhiệm vụ năm 2027": Tán thành 2/3 điểm cầu; Không tán thành 1/3 điểm cầu; Không biểu quyết 0/3 điểm cầu (3/3 điểm cầu biểu quyết).',
    );
    const minutes = docxText(await download('minutes.docx'));
    expect(minutes).toContain('IV. KẾT QUẢ BIỂU QUYẾT');
    expect(minutes).toContain('Thông qua Nghị quyết về nhiệm vụ năm 2027');
    expect(minutes).toContain('Tán thành 2/3 điểm cầu');
  });

  it('chat: meeting-wide messages reach everyone, a private thread only its site and the operator', async () => {
    const seen: Record<string, ChatMessage[]> = { hue: [], daNang: [], operator: [], observer: [] };
    for (const [name, s] of [
      ['hue', hue],
      ['daNang', daNang],
      ['operator', operator],
      ['observer', observer],
    ] as const) {
      await must(s, 'chat:history', {});
      s.on('chat:message', (m) => seen[name]?.push(m));
    }
    const wide = await must(hue, 'chat:send', { text: 'Điểm cầu Huế: âm thanh rõ, hình ảnh tốt.' });
    const secret = await must(daNang, 'chat:send', {
      text: 'Đà Nẵng: micro bị rè, nhờ kỹ thuật hỗ trợ',
      thread: DA_NANG,
    });
    const reply = await must(operator, 'chat:send', {
      text: 'Kỹ thuật: anh thử đổi cổng micro',
      thread: DA_NANG,
    });
    await eventually(
      () => (seen.operator?.length ?? 0) >= 3 && (seen.daNang?.length ?? 0) >= 3,
      'chat delivered',
    );
    expect(seen.observer?.map((m) => m.id)).toEqual([wide.id]);
    expect(seen.hue?.map((m) => m.id)).toEqual([wide.id]);
    expect(seen.daNang?.map((m) => m.id)).toEqual([wide.id, secret.id, reply.id]);
    const intrude = await request(hue, 'chat:send', { text: 'xin vào', thread: DA_NANG });
    expect(intrude.ok || intrude.error.code).toBe('FORBIDDEN');
    const fromObserver = await request(observer, 'chat:send', { text: 'Tôi theo dõi' });
    expect(fromObserver.ok || fromObserver.error.code).toBe('FORBIDDEN');
  });

  it('chat moderation: a deleted message is gone for everyone, a muted site may not post until unmuted', async () => {
    const spam = await must(canTho, 'chat:send', { text: 'Cần Thơ gửi nhầm tin nhắn' });
    const deleted: ChatMessage[] = [];
    hue.on('chat:deleted', (m) => deleted.push(m));
    expect((await request(hue, 'chat:delete', { messageId: spam.id })).ok).toBe(false);
    await must(operator, 'chat:delete', { messageId: spam.id });
    await eventually(() => deleted.length === 1, 'the deletion reaches the sites');
    expect(deleted[0]).toMatchObject({ id: spam.id, text: '', deletedBy: 'Kỹ thuật viên (operator)' });
    await must(chair, 'chat:mute', { siteId: CAN_THO, muted: true });
    const muted = await request(canTho, 'chat:send', { text: 'Cần Thơ xin ý kiến' });
    expect(muted.ok || muted.error).toMatchObject({ code: 'FORBIDDEN' });
    await must(chair, 'chat:mute', { siteId: CAN_THO, muted: false });
    await must(canTho, 'chat:send', { text: 'Cần Thơ xin ý kiến' });
  });

  it('mute all and talk-back are moderator commands in the snapshot', async () => {
    await must(operator, 'mic:muteAll', {});
    const snap = await must(hue, 'meeting:sync', {});
    expect(snap.sites.filter((s) => !s.isHost).every((s) => s.mutedByModerator)).toBe(true);
    expect((await request(hue, 'mic:muteAll', {})).ok).toBe(false);
    await must(operator, 'talkback:set', { siteId: DA_NANG });
    expect((await must(daNang, 'meeting:sync', {})).moderation.talkBack).toEqual({
      siteId: DA_NANG,
      operatorName: 'Kỹ thuật viên',
    });
    await must(operator, 'talkback:set', { siteId: null });
    const { requestId } = await must(hue, 'queue:request', { topic: 'Kiến nghị về biên chế' });
    await must(operator, 'floor:grant', { requestId: requestId as never });
    await must(operator, 'floor:extend', { seconds: 30 });
    await must(chair, 'stage:pin', { siteId: CAN_THO });
    await must(chair, 'floor:revoke', {});
    await must(operator, 'mic:set', { siteId: CAN_THO, open: true });
  });

  it('every moderator command is in the audit log with who, when and what; the floor log says who granted', async () => {
    await api(url, 'POST', `/api/meetings/${meetingId}/links/${linkIds.observer}/revoke`, orgToken, {});
    const entries = await auditLog();
    const actions = entries.map((e) => e.action);
    for (const action of [
      'meeting:openTechCheck',
      'meeting:goLive',
      'agenda:advance',
      'vote:open',
      'vote:close',
      'chat:delete',
      'chat:mute',
      'mic:muteAll',
      'talkback:set',
      'floor:grant',
      'floor:extend',
      'stage:pin',
      'floor:revoke',
      'mic:set',
      'link:revoke',
    ]) {
      expect(actions, action).toContain(action);
    }
    // Site actions (requesting the floor, voting, chatting) are not moderation.
    expect(actions).not.toContain('vote:cast');
    expect(actions).not.toContain('queue:request');
    const grant = entries.find((e) => e.action === 'floor:grant');
    expect(grant).toMatchObject({ actorRole: 'operator', actorName: 'Kỹ thuật viên', target: HUE });
    expect(entries.find((e) => e.action === 'link:revoke')).toMatchObject({
      actorRole: 'organizer',
      actorName: 'org',
    });
    const times = entries.map((e) => e.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const snap = await must(chair, 'meeting:sync', {});
    expect(snap.queue.history.at(-1)?.grantedBy).toBe('Kỹ thuật viên (operator)');
    const csv = (await download('audit.csv')).toString('utf8');
    expect(csv.startsWith('\uFEFFThời gian,Người thực hiện')).toBe(true);
    expect(csv).toContain('floor:grant');
    expect(csv).toContain('Kỹ thuật viên');
    // A site's link may not read the audit log.
    const res = await fetch(`${url}/api/meetings/${meetingId}/audit`, {
      headers: { authorization: `Bearer ${tokens.hue}` },
    });
    expect(res.status).toBe(403);
  });

  it('after a hub restart on the same store, the chat, its deletions, mutes, votes and the audit log are all there', async () => {
    const before = await auditLog();
    for (const s of sockets) s.close();
    sockets.length = 0;
    await hub.stop();
    hub = await startTestHub(env);
    url = hub.url.replace('localhost', '127.0.0.1');
    orgToken = await login(url, 'org', 'org-password');
    const daNangAgain = await join('daNang');
    const history = await must(daNangAgain, 'chat:history', {});
    expect(history.map((m) => m.text)).toEqual([
      'Điểm cầu Huế: âm thanh rõ, hình ảnh tốt.',
      'Đà Nẵng: micro bị rè, nhờ kỹ thuật hỗ trợ',
      'Kỹ thuật: anh thử đổi cổng micro',
      '',
      'Cần Thơ xin ý kiến',
    ]);
    expect(history[3]?.deletedBy).toBe('Kỹ thuật viên (operator)');
    const hueAgain = await join('hue');
    expect((await must(hueAgain, 'chat:history', {})).some((m) => m.thread === DA_NANG)).toBe(false);
    const snap = await must(hueAgain, 'meeting:sync', {});
    expect(snap.votes[0]?.totals).toEqual([2, 1, 0]);
    // Huế got the floor after "mute all" (which reopened it); Đà Nẵng stays muted by the operator.
    expect(snap.sites.find((s) => s.id === DA_NANG)?.mutedByModerator).toBe(true);
    expect(snap.sites.find((s) => s.id === HUE)?.mutedByModerator).toBe(false);
    expect(await auditLog()).toEqual(before);
    const chatCsv = (await download('chat.csv')).toString('utf8');
    expect(chatCsv).toContain('Riêng: ');
    expect(chatCsv).toContain('Đà Nẵng: micro bị rè, nhờ kỹ thuật hỗ trợ');
    expect(chatCsv).toContain('(đã xóa)');
    expect(chatCsv).not.toContain('Cần Thơ gửi nhầm tin nhắn');
  });
});
