/**
 * A whole meeting through the real hub: HTTP API, socket.io clients with join links, real
 * mediasoup workers. One host (chair), three sites and a secretary go from tech check to the end;
 * media follows the floor.
 *
 * The sites' RTP enters through PlainTransports created with the media layer's test hook: Node has
 * no WebRTC stack here. Everything else — signalling, consumers, the policy — is the production
 * path; tests/browser covers real WebRTC from Chromium.
 */
import type {
  ConsumerInfo,
  ConsumerState,
  JoinResult,
  MeetingChanged,
  MeetingId,
  MeetingSnapshot,
  MicState,
  SiteId,
} from '@giaoban/shared';
import { applyChanges } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, setupMeeting } from '../support/inProcessHub.js';
import { connect, eventually, type HubSocket, must } from '../support/meeting.js';
import { publishOn } from '../support/redis.js';

const HOST = HOST_SITE;
const SITES = ['hue', 'da-nang', 'can-tho'] as SiteId[];

/** One connected client and everything the hub told it. */
interface Client {
  socket: HubSocket;
  join: JoinResult;
  snapshot: MeetingSnapshot;
  consumers: Map<string, ConsumerInfo>;
  states: Map<string, ConsumerState>;
  mic: MicState | null;
  ended: string | null;
  /** The sources of each `media:newConsumers` batch, in arrival order. */
  batches: string[][];
}

let hub: Hub;
let meetingId: string;
const links: Record<string, { token: string; linkId: string }> = {};

async function joinAs(name: string): Promise<Client> {
  const socket = await connect(hub.url, links[name]!.token);
  const client: Client = {
    socket,
    join: undefined as unknown as JoinResult,
    snapshot: undefined as unknown as MeetingSnapshot,
    consumers: new Map(),
    states: new Map(),
    mic: null,
    ended: null,
    batches: [],
  };
  socket.on('meeting:changed', (batch: MeetingChanged) => {
    if (!client.snapshot) return;
    const out = applyChanges(client.snapshot, batch);
    if (out.kind === 'applied') client.snapshot = out.snapshot;
    if (out.kind === 'gap') void must(socket, 'meeting:sync', {}).then((s) => (client.snapshot = s));
  });
  socket.on('media:newConsumers', (infos, ack) => {
    for (const info of infos) client.consumers.set(info.id, info);
    client.batches.push(infos.map((i) => i.source));
    ack(infos.map(() => ({ ok: true, data: null })));
  });
  socket.on('media:consumerState', (s) => client.states.set(s.id, s));
  socket.on('media:micState', (s) => (client.mic = s));
  socket.on('session:ended', ({ reason }) => (client.ended = reason));
  client.join = await must(socket, 'meeting:join', {});
  client.snapshot = client.join.snapshot;
  return client;
}

/** Sets up receiving like a mediasoup-client Device would: capabilities, then a recv transport. */
async function receive(c: Client): Promise<void> {
  await must(c.socket, 'media:setRtpCapabilities', { rtpCapabilities: c.join.routerRtpCapabilities });
  await must(c.socket, 'media:createTransport', { direction: 'recv' });
}

/** Publishes a simulcast camera and a microphone for a client, through a PlainTransport. */
const publish = (c: Client, ssrcBase: number): Promise<void> => publishOn(hub, meetingId, c, ssrcBase);

/** The consumer a client holds of a site's source. */
function consumerOf(c: Client, siteId: SiteId, source: 'camera' | 'mic'): ConsumerInfo | undefined {
  return [...c.consumers.values()].find((x) => x.siteId === siteId && x.source === source);
}

/**
 * Whether the hub says a site's source flows to a client (a consumer resumed, its producer not
 * paused) — for a camera, also the program stream while that site is on stage.
 */
function flowing(c: Client, siteId: SiteId, source: 'camera' | 'mic'): boolean {
  const on = (id: string) => {
    const state = c.states.get(id);
    return state !== undefined && !state.paused && !state.producerPaused;
  };
  const all = [...c.consumers.values()];
  if (source === 'camera' && (c.snapshot?.stage.programSiteId ?? c.snapshot?.meeting.hostSiteId) === siteId) {
    if (all.some((x) => x.source === 'program' && on(x.id))) return true;
  }
  return all.some((x) => x.siteId === siteId && x.source === source && on(x.id));
}

beforeAll(async () => {
  const people: Parameters<typeof setupMeeting>[1] = {
    chair: { role: 'chair' },
    secretary: { role: 'secretary' },
    observer: { role: 'observer' },
  };
  for (const s of SITES) people[s] = { role: 'site', siteId: s };
  // Two workers, two peers per router: the meeting spreads, so its media crosses workers by pipes.
  const fx = await setupMeeting(SITES, people, { MEDIA_WORKERS: '2', MEDIA_PEERS_PER_ROUTER: '2' });
  hub = fx.hub;
  hub.url = fx.url;
  meetingId = fx.meetingId;
  Object.assign(links, fx.links);
});

afterAll(async () => {
  await hub?.stop();
});

describe('a whole meeting: one host, three sites, a secretary', () => {
  it('runs tech check → live → agenda → floor → revoke → end, and media follows the floor', async () => {
    const chair = await joinAs('chair');
    const secretary = await joinAs('secretary');
    const sites = await Promise.all(SITES.map((s) => joinAs(s)));
    const [hue, daNang, canTho] = sites as [Client, Client, Client];
    expect(chair.join.self.role).toBe('chair');
    expect(chair.join.self.siteId).toBe(HOST);
    expect(hue.join.self.siteId).toBe('hue');
    expect(chair.snapshot.sites.map((s) => s.id)).toEqual([HOST, ...SITES]);

    for (const c of [chair, ...sites]) await receive(c);
    for (const [i, c] of [chair, ...sites].entries()) await publish(c, 1000 * (i + 1));
    // Five peers at two per router: the meeting runs on both workers, the chair and the secretary
    // on the first, the sites spread over both.
    const media = await hub.parts.media.get(meetingId as MeetingId);
    await eventually(() => media.workerIndexes.length === 2, 'the meeting spread over two workers');
    const workerOf = (c: Client) => {
      const peer = media.getPeer(c.join.self.participantId);
      return peer ? media.workerIndexOfPeer(peer) : undefined;
    };
    expect(new Set([chair, ...sites].map(workerOf)).size).toBe(2);

    // Tech check: sites connect and declare who is in the room.
    await must(chair.socket, 'meeting:openTechCheck', {});
    await must(hue.socket, 'site:declare', { delegates: 25 });
    await must(daNang.socket, 'site:declare', { delegates: 40 });
    await must(canTho.socket, 'site:declare', { delegates: 12 });
    await eventually(() => chair.snapshot.totals.delegates === 77, 'totals of declared delegates');
    expect(chair.snapshot.totals.connectedSites).toBeGreaterThanOrEqual(3);

    await must(chair.socket, 'meeting:goLive', {});
    await must(chair.socket, 'agenda:advance', {});
    await eventually(() => hue.snapshot.agenda.currentItemId !== null, 'first item open at the sites');
    expect(hue.snapshot.meeting.status).toBe('live');
    expect(hue.snapshot.agenda.currentItemId).toBe(chair.snapshot.agenda.items[0]?.id);

    // Program is the host: every site receives the host camera; only the host's mic is heard.
    await eventually(
      () => sites.every((s) => flowing(s, HOST, 'camera')),
      'host camera flowing to every site',
    );
    await eventually(() => flowing(hue, HOST, 'mic'), "host's mic heard at Huế");
    for (const s of SITES) expect(flowing(chair, s, 'mic')).toBe(false);
    // A closed microphone is not even consumed (consumers grow with what is heard, not with sites).
    expect(consumerOf(chair, 'hue' as SiteId, 'mic')).toBeUndefined();
    expect(flowing(daNang, 'hue' as SiteId, 'camera')).toBe(false);

    // Hue requests the floor; Đà Nẵng too; the chair grants Huế.
    const { requestId } = await must(hue.socket, 'queue:request', { topic: 'Kiến nghị về vốn đầu tư công' });
    await must(daNang.socket, 'queue:request', { topic: 'Giải ngân' });
    await eventually(() => chair.snapshot.queue.requests.length === 2, 'two requests in the queue');
    expect(chair.snapshot.queue.requests[0]?.topic).toBe('Kiến nghị về vốn đầu tư công');
    await must(chair.socket, 'floor:grant', { requestId: requestId as never });

    await eventually(() => canTho.snapshot.queue.floor?.siteId === 'hue', 'floor holder seen by Cần Thơ');
    expect(canTho.snapshot.stage.programSiteId).toBe('hue');
    expect(canTho.snapshot.queue.floor?.expiresAt).toBeGreaterThan(Date.now());
    // Media follows: Huế's camera flows to the other sites, its mic opens, the others stay closed.
    await eventually(
      () => flowing(daNang, 'hue' as SiteId, 'camera') && flowing(canTho, 'hue' as SiteId, 'camera'),
      "Huế's camera flowing to the other sites",
    );
    // The chair's own program (paused while the host was on stage) resumes.
    await eventually(() => flowing(chair, 'hue' as SiteId, 'camera'), "Huế's camera flowing to the chair");
    // Microphones are paused at the producer: every listener sees producerPaused for closed sites.
    await eventually(
      () => flowing(chair, 'hue' as SiteId, 'mic') && flowing(canTho, 'hue' as SiteId, 'mic'),
      'Huế heard',
    );
    expect(flowing(chair, 'da-nang' as SiteId, 'mic')).toBe(false);
    expect(flowing(hue, 'can-tho' as SiteId, 'mic')).toBe(false);
    await eventually(() => hue.mic?.open === true, 'Huế told its mic is open');
    expect(daNang.mic?.open).toBe(false);

    // An observer joins now: the program comes first, alone; the rest (the two open microphones,
    // the host's camera in the corner) follows in one message, acknowledged together.
    const observer = await joinAs('observer');
    await receive(observer);
    await eventually(
      () => flowing(observer, 'hue' as SiteId, 'camera'),
      'the program flowing to the observer',
    );
    await eventually(
      () => flowing(observer, 'hue' as SiteId, 'mic') && flowing(observer, HOST, 'mic'),
      'the observer hears Huế and the host',
    );
    expect(observer.batches[0]).toEqual(['program']);
    expect(observer.batches[1]?.slice().sort()).toEqual(['camera', 'mic', 'mic']);
    observer.socket.close();

    // The secretary notes it against the current item.
    const note = new Y.Doc();
    note
      .getText(`minutes:${chair.snapshot.agenda.currentItemId}`)
      .insert(0, 'Huế kiến nghị bổ sung vốn đầu tư công.');
    await must(secretary.socket, 'doc:update', { update: Y.encodeStateAsUpdate(note) });

    // Revoke: the stage returns to the host, Huế's mic closes.
    await must(chair.socket, 'floor:revoke', {});
    await eventually(() => canTho.snapshot.stage.programSiteId === HOST, 'program back to the host');
    await eventually(() => !flowing(canTho, 'hue' as SiteId, 'camera'), "Huế's camera paused for Cần Thơ");
    await eventually(() => !flowing(chair, 'hue' as SiteId, 'mic'), "Huế's mic closed again");
    expect(flowing(hue, HOST, 'mic')).toBe(true);
    expect(canTho.snapshot.queue.history).toHaveLength(1);
    expect(canTho.snapshot.queue.history[0]?.endReason).toBe('revoked');

    await must(chair.socket, 'meeting:end', {});
    await eventually(() => hue.snapshot.meeting.status === 'ended', 'ended at the sites');
    for (const c of [chair, secretary, ...sites]) c.socket.close();
  });
});
