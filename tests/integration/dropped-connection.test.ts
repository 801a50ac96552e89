/**
 * A connection that drops is not a leave. When a site's connection goes without a goodbye (its
 * network failed, its page rebuilt the connection underneath), the hub keeps it in the meeting
 * while the client comes back: the site stays present, keeps its floor turn and its queue place,
 * and no leave is logged. Once the same link has joined again the dropped connection leaves at
 * once; a link revoked meanwhile takes it along at once too; a page that says goodbye leaves at once.
 * (The browser version, with the line really cut: tests/browser/network-cut.test.ts.)
 */
import type { FloorRequestId, MeetingId, ParticipantId, SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeetingMedia } from '../../server/src/media/MeetingMedia.js';
import { type MeetingFixture, setupMeeting } from '../support/inProcessHub.js';
import { api, connect, eventually, type HubSocket, must } from '../support/meeting.js';

const HUE = 'hue' as SiteId;
const DA_NANG = 'da-nang' as SiteId;

let f: MeetingFixture;
let chair: HubSocket;
let daNang: HubSocket;
const record = () => f.hub.parts.meetings.get(f.meetingId as MeetingId);
const present = async (siteId: SiteId) =>
  (await record()).participants.filter((p) => p.siteId === siteId).map((p) => p.id);

/** Joins with a link; returns the socket and its participant id. */
async function join(name: string): Promise<{ socket: HubSocket; participantId: string }> {
  const socket = await connect(f.url, f.links[name]?.token as string);
  const joined = await must(socket, 'meeting:join', {});
  return { socket, participantId: joined.self.participantId };
}

/**
 * Closes a connection underneath socket.io, as a failed network does (no goodbye reaches the hub),
 * and waits until the hub has dealt with it: the participant's media peer is gone.
 */
async function drop(who: { socket: HubSocket; participantId: string }): Promise<void> {
  who.socket.io.reconnection(false);
  who.socket.io.engine.close();
  const media = (await f.hub.parts.media.get(f.meetingId as MeetingId)) as MeetingMedia;
  await eventually(() => !media.peers.has(who.participantId as ParticipantId), 'the hub saw the drop');
}

/** Polls the participant ids present for a site until `done` holds (or 5 s pass); returns the last. */
async function presentUntil(siteId: SiteId, done: (ids: string[]) => boolean): Promise<string[]> {
  let ids = await present(siteId);
  for (let i = 0; i < 50 && !done(ids); i++) {
    await new Promise((r) => setTimeout(r, 100));
    ids = await present(siteId);
  }
  return ids;
}

beforeAll(async () => {
  f = await setupMeeting([HUE, DA_NANG], {
    chair: { role: 'chair', displayName: 'Đồng chí Chủ trì' },
    hue: { role: 'site', siteId: HUE },
    daNang: { role: 'site', siteId: DA_NANG },
  });
  chair = (await join('chair')).socket;
  daNang = (await join('daNang')).socket;
  await must(chair, 'meeting:openTechCheck', {});
  await must(chair, 'meeting:goLive', {});
});

afterAll(async () => {
  chair?.close();
  daNang?.close();
  await f?.hub.stop();
});

describe('a site whose connection drops', () => {
  it('stays present with its floor turn and queue place, and its old connection leaves once it is back', async () => {
    const first = await join('hue');
    const { requestId } = await must(first.socket, 'queue:request', { topic: 'Tình hình mưa lũ' });
    await must(chair, 'floor:grant', { requestId: requestId as FloorRequestId });
    const queued = await must(daNang, 'queue:request', { topic: 'Kiến nghị về đê điều' });
    const turn = (await record()).queue.floor;
    expect(turn).toMatchObject({ siteId: HUE, endedAt: null });
    const since = Date.now();

    await drop(first);
    // The hub dealt with the drop (the peer is gone) but holds the participant for its return.
    expect(await present(HUE)).toEqual([first.participantId]);
    expect((await record()).queue.floor).toEqual(turn);

    const again = await join('hue');
    const ids = await presentUntil(HUE, (ids) => !ids.includes(first.participantId));
    expect(ids).toEqual([again.participantId]);
    const after = await record();
    expect(after.queue.floor).toEqual(turn);
    expect(after.queue.requests.map((r) => r.id)).toEqual([queued.requestId]);
    expect(after.attendance.filter((e) => e.siteId === HUE && e.kind === 'leave' && e.at >= since)).toEqual(
      [],
    );
    again.socket.close();
  });

  it('a page that says goodbye leaves at once, and its turn ends', async () => {
    const hue = await join('hue');
    // Huế's last turn ended when its page left above: it was put back at the head of the queue.
    const again = (await record()).queue.requests.find((r) => r.siteId === HUE);
    expect(again).toBeDefined();
    await must(chair, 'floor:grant', { requestId: again?.id as FloorRequestId });
    hue.socket.close();
    expect(await presentUntil(HUE, (ids) => ids.length === 0)).toEqual([]);
    const queue = (await record()).queue;
    expect(queue.floor).toBeNull();
    expect(queue.history.at(-1)).toMatchObject({ siteId: HUE, endReason: 'left' });
  });

  it('a link revoked while its connection is away takes the dropped connection along at once', async () => {
    const hue = await join('hue');
    await drop(hue);
    expect(await present(HUE)).toEqual([hue.participantId]);
    await api(
      f.url,
      'POST',
      `/api/meetings/${f.meetingId}/links/${f.links.hue?.linkId}/revoke`,
      f.orgToken,
      {},
    );
    expect(await presentUntil(HUE, (ids) => ids.length === 0)).toEqual([]);
  });
});
