/**
 * Linked meetings across two hubs (docs/LINKED-MEETINGS.md): a national meeting on one hub issues a
 * relay link for Nghệ An; Nghệ An's own meeting, on a second hub with its own store, is linked to
 * it. The national chair's camera (RTP into a PlainTransport) reaches the province meeting's
 * program over the hub-to-hub PipeTransport (SRTP); the link comes back by itself after a drop, and
 * revoking the relay link cuts it. Real mediasoup, real socket.io between the hubs.
 */
import type { IssuedLink, MeetingId, SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import {
  cameraRtpParameters,
  FakeSiteSender,
  micRtpParameters,
} from '../../server/test/media/helpers/FakeSiteSender.js';
import { HOST_SITE, setupMeeting, startTestHub } from '../support/inProcessHub.js';
import { api, createMeeting, eventually, issueLink, login, must } from '../support/meeting.js';
import { type LiveClient, liveClient, receive } from '../support/redis.js';

const NGHE_AN = 'nghe-an' as SiteId;
const HA_TINH = 'ha-tinh' as SiteId;

let parent: Hub;
let parentUrl: string;
let parentOrg: string;
let parentMeetingId: string;
let relayLink: { token: string; linkId: string };
let child: Hub;
let childUrl: string;
let childOrg: string;
let childMeetingId: string;
let sender: FakeSiteSender;
const clients: LiveClient[] = [];
/** A consumer of the child meeting's program on the child hub, counting the packets it receives. */
let programPackets = 0;
let programTransport: ms.DirectTransport | null = null;
/** The tag (last payload byte, minus the layer) of the latest packet on the child's program. */
let childProgramTag = -1;
/** The tag (last payload byte, minus the layer) of the latest packet on the parent's program. */
let parentProgramTag = -1;
let parentProgramTransport: ms.DirectTransport | null = null;
let childSender: FakeSiteSender;
/** The parent's chair connection (moderator: grants the floor). */
let nationalChair: LiveClient;

beforeAll(async () => {
  const fx = await setupMeeting([NGHE_AN], {
    chair: { role: 'chair', siteId: HOST_SITE },
    relay: { role: 'relay', siteId: NGHE_AN },
  });
  parent = fx.hub;
  parentUrl = fx.url;
  parentOrg = fx.orgToken;
  parentMeetingId = fx.meetingId;
  const relay = fx.links.relay;
  const chairLink = fx.links.chair;
  if (!relay || !chairLink) throw new Error('the relay and chair links were not issued');
  relayLink = relay;

  // The national chair publishes a simulcast camera and a microphone (RTP from this test).
  const chair = await liveClient(parentUrl, chairLink.token, 'national chair');
  clients.push(chair);
  await must(chair.socket, 'meeting:openTechCheck', {});
  await must(chair.socket, 'meeting:goLive', {});
  const media = await parent.parts.media.get(parentMeetingId as MeetingId);
  const peer = media.getPeer(chair.join.self.participantId);
  if (!peer) throw new Error('no media peer of the national chair');
  const send = await peer.createPlainTransportForTesting('send');
  sender = new FakeSiteSender(7000, [7001, 7002, 7003]);
  const camera = await peer.produce({
    transportId: send.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: cameraRtpParameters([7001, 7002, 7003]),
  });
  await peer.produce({
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: micRtpParameters(7000),
  });
  expect(camera).toBeTruthy();
  await sender.start(send);
  nationalChair = chair;
  parentProgramTransport = await media.edgeRouter.createDirectTransport();
  const parentProgram = await parentProgramTransport.consume({
    producerId: media.program.producer.id,
    rtpCapabilities: media.rtpCapabilities,
  });
  parentProgram.on('rtp', (packet) => {
    parentProgramTag = (packet[packet.length - 1] ?? 0) - ((packet[packet.length - 1] ?? 0) % 10);
  });

  // Nghệ An's meeting with one of its bridge points, on a second hub with its own memory store.
  child = await startTestHub();
  childUrl = child.url.replace('localhost', '127.0.0.1');
  childOrg = await login(childUrl, 'org', 'org-password');
  const summary = await createMeeting(childUrl, childOrg, {
    title: 'Giao ban tỉnh Nghệ An (cầu truyền từ Trung ương)',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: NGHE_AN,
    chairName: 'Đồng chí Bí thư Tỉnh ủy',
    floorSeconds: 120,
    invitedSiteIds: [HA_TINH],
  });
  childMeetingId = summary.meeting.id;
  // The province chair publishes too (its payloads tagged 100), so the child has a stage of its own.
  const childChairLink = await issueLink(childUrl, childOrg, childMeetingId, {
    role: 'chair',
    siteId: NGHE_AN,
  });
  const childChair = await liveClient(childUrl, childChairLink.token, 'province chair');
  clients.push(childChair);
  await must(childChair.socket, 'meeting:openTechCheck', {});
  await must(childChair.socket, 'meeting:goLive', {});
  const childChairMedia = await child.parts.media.get(childMeetingId as MeetingId);
  const childPeer = childChairMedia.getPeer(childChair.join.self.participantId);
  if (!childPeer) throw new Error('no media peer of the province chair');
  const childSend = await childPeer.createPlainTransportForTesting('send');
  childSender = new FakeSiteSender(8000, [8001, 8002, 8003]);
  childSender.tag = 100;
  await childPeer.produce({
    transportId: childSend.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: cameraRtpParameters([8001, 8002, 8003]),
  });
  await childSender.start(childSend);
  const siteLink = await issueLink(childUrl, childOrg, childMeetingId, { role: 'site', siteId: HA_TINH });
  const commune = await liveClient(childUrl, siteLink.token, 'commune');
  clients.push(commune);
  await receive(commune);

  const childMedia = await child.parts.media.get(childMeetingId as MeetingId);
  programTransport = await childMedia.edgeRouter.createDirectTransport();
  const consumer = await programTransport.consume({
    producerId: childMedia.program.producer.id,
    rtpCapabilities: childMedia.rtpCapabilities,
  });
  consumer.on('rtp', (packet) => {
    programPackets++;
    childProgramTag = (packet[packet.length - 1] ?? 0) - ((packet[packet.length - 1] ?? 0) % 10);
  });
}, 90_000);

afterAll(async () => {
  sender?.stop();
  childSender?.stop();
  parentProgramTransport?.close();
  for (const c of clients) c.close();
  programTransport?.close();
  await child?.stop();
  await parent?.stop();
});

describe('linked meetings across two hubs', () => {
  it('issues a relay link only for an invited site, short-lived', async () => {
    const issued = await issueLink(parentUrl, parentOrg, parentMeetingId, {
      role: 'relay',
      siteId: NGHE_AN,
      validHours: 72,
    });
    expect(issued.link.role).toBe('relay');
    expect(issued.link.siteId).toBe(NGHE_AN);
    // 72 h asked, the relay cap (12 h) given: the link's validity is data, not a measured time.
    expect(issued.link.expiresAt).toBe(issued.link.issuedAt + 12 * 3600_000);
    await expect(
      issueLink(parentUrl, parentOrg, parentMeetingId, { role: 'relay', siteId: HA_TINH }),
    ).rejects.toThrow(/NOT_FOUND|not invited/);
    await expect(issueLink(parentUrl, parentOrg, parentMeetingId, { role: 'relay' })).rejects.toThrow(
      /VALIDATION|siteId/,
    );
  });

  it('refuses relay:pipe from a connection that is not a relay link', async () => {
    const r = await api<IssuedLink>(parentUrl, 'POST', `/api/meetings/${parentMeetingId}/links`, parentOrg, {
      role: 'site',
      siteId: NGHE_AN,
    });
    const site = await liveClient(parentUrl, r.token, 'plain site link');
    clients.push(site);
    const refused = await must(site.socket, 'relay:pipe', {
      endpoint: {
        ip: '127.0.0.1',
        port: 9,
        srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: 'x'.repeat(60) },
      },
      up: [],
    }).catch((e: Error) => e.message);
    expect(String(refused)).toMatch(/FORBIDDEN/);
    site.close();
  });

  it("the child meeting's program carries the national chair once linked", async () => {
    const view = await api<{ url: string; state: string }>(
      childUrl,
      'PUT',
      `/api/meetings/${childMeetingId}/parent`,
      childOrg,
      { url: parentUrl, token: relayLink.token },
    );
    expect(view.url).toBe(new URL(parentUrl).origin);
    const relay = child.parts.relay.clientOf(childMeetingId);
    if (!relay) throw new Error('no relay client');
    await eventually(() => relay.state === 'relaying', 'the child hub relays the parent', 20_000);
    // The parent sees Nghệ An joined, as a site.
    const parentRecord = await parent.parts.meetings.get(parentMeetingId);
    expect(parentRecord.participants.some((p) => p.siteId === NGHE_AN && p.role === 'site')).toBe(true);
    const before = programPackets;
    await eventually(() => programPackets > before + 20, "packets on the child's program consumer", 20_000);
    // …and they are the national chair's (tag 0), not the province chair's own (tag 100).
    await eventually(() => childProgramTag === 0, "the national chair on the child's program", 20_000);
    const stats = await relay.downProducer?.getStats();
    expect(stats?.some((s) => s.byteCount > 0)).toBe(true);
  });

  it("the child meeting hears the parent: one continuous audio mix of the parent's open microphones", async () => {
    const relay = child.parts.relay.clientOf(childMeetingId);
    if (!relay) throw new Error('no relay client');
    await eventually(() => relay.downAudio !== null, "the parent's audio piped down", 20_000);
    const downAudio = relay.downAudio;
    if (!downAudio) throw new Error('no parent audio');
    // The mix carries the national chair's microphone (the chair is heard in a live meeting)…
    const parentMedia = await parent.parts.media.get(parentMeetingId as MeetingId);
    const chairMic = parentMedia.micProducers().find((rp) => rp.siteId === HOST_SITE);
    expect(chairMic).toBeDefined();
    // …and its packets reach the child hub as one continuous stream (silence is sent too).
    const audioTransport = await (
      await child.parts.media.get(childMeetingId as MeetingId)
    ).edgeRouter.createDirectTransport();
    try {
      const childMedia = await child.parts.media.get(childMeetingId as MeetingId);
      const listener = await audioTransport.consume({
        producerId: downAudio.id,
        rtpCapabilities: childMedia.rtpCapabilities,
      });
      let packets = 0;
      listener.on('rtp', () => packets++);
      await eventually(() => packets > 25, "packets of the parent's mix in the child meeting", 20_000);
    } finally {
      audioTransport.close();
    }
    // Every participant of the child meeting is given it: the commune's client consumes it.
    const commune = clients.find((c) => c.name === 'commune');
    await eventually(
      () =>
        [...(commune?.consumers.values() ?? [])].some(
          (c) => c.producerId === downAudio.id && c.kind === 'audio',
        ),
      "the commune consumes the parent's audio",
      20_000,
    );
    const held = [...(commune?.consumers.values() ?? [])].find((c) => c.producerId === downAudio.id);
    expect(held?.source).toBe('programAudio');
  });

  it("the parent's program carries the province's program, and hears it, while the parent gives it the floor", async () => {
    const relay = child.parts.relay.clientOf(childMeetingId);
    if (!relay) throw new Error('no relay client');
    // Before: the parent's program is the national chair (tag 0).
    await eventually(() => parentProgramTag === 0, 'the national chair on the parent program', 10_000);
    await must(nationalChair.socket, 'floor:grant', { siteId: NGHE_AN, seconds: 0 });
    await eventually(() => relay.onParentStage, 'the child hub sees its site on the parent stage', 10_000);
    await eventually(
      () => parentProgramTag === 100,
      "the province chair's stream on the parent program",
      20_000,
    );
    // What the province says comes up as Nghệ An's microphone, open while it has the floor.
    const parentMedia = await parent.parts.media.get(parentMeetingId as MeetingId);
    const provinceMic = () => parentMedia.micProducers().find((rp) => rp.siteId === NGHE_AN)?.producer;
    await eventually(() => provinceMic()?.paused === false, "Nghệ An's audio open at the parent", 10_000);
    const heard = await provinceMic()?.getStats();
    expect(heard?.some((s) => s.byteCount > 0)).toBe(true);
    await must(nationalChair.socket, 'floor:revoke', {});
    await eventually(() => provinceMic()?.paused === true, "Nghệ An's audio closed after its turn", 10_000);
    await eventually(() => !relay.onParentStage, 'the floor is back at the parent', 10_000);
    await eventually(() => parentProgramTag === 0, 'the national chair on the parent program again', 20_000);
  });

  it('comes back by itself after the link drops', async () => {
    const relay = child.parts.relay.clientOf(childMeetingId);
    if (!relay) throw new Error('no relay client');
    relay.dropForTesting();
    await eventually(() => relay.state === 'lost', 'the link is seen lost', 10_000);
    await eventually(() => relay.state === 'relaying', 'the link is back', 20_000);
    const before = programPackets;
    await eventually(() => programPackets > before + 20, 'packets flow again', 20_000);
    await eventually(() => childProgramTag === 0, "the national chair on the child's program again", 20_000);
  });

  it('revoking the relay link cuts it for good', async () => {
    const relay = child.parts.relay.clientOf(childMeetingId);
    if (!relay) throw new Error('no relay client');
    await api(
      parentUrl,
      'POST',
      `/api/meetings/${parentMeetingId}/links/${relayLink.linkId}/revoke`,
      parentOrg,
      {},
    );
    await eventually(() => relay.state === 'revoked', 'the link is cut', 10_000);
    expect(relay.downProducer).toBeNull();
    // The province meeting goes on with its own stage.
    await eventually(() => childProgramTag === 100, "the province chair on the child's program", 20_000);
    // The parent no longer has Nghệ An connected, and the child's program is its own stage again.
    let connected = true;
    for (let i = 0; i < 100 && connected; i++) {
      const record = await parent.parts.meetings.get(parentMeetingId);
      connected = record.participants.some((p) => p.siteId === NGHE_AN);
      if (connected) await new Promise((r) => setTimeout(r, 100));
    }
    expect(connected).toBe(false);
  });
});
