/**
 * Linked meetings across two hubs (docs/LINKED-MEETINGS.md): a national meeting on one hub issues a
 * relay link for Nghệ An; Nghệ An's own meeting, on a second hub with its own store, is linked to
 * it. The national chair's camera (RTP into a PlainTransport) reaches the province meeting's
 * program over the hub-to-hub PipeTransport (SRTP); the link comes back by itself after a drop, and
 * revoking the relay link cuts it. Real mediasoup, real socket.io between the hubs.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type IssuedLink,
  type MeetingChanged,
  type MeetingId,
  type ParentLinkState,
  parentPagePath,
  type SiteId,
  slidePaths,
} from '@giaoban/shared';
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
import { FIXTURES, upload } from '../support/slides.js';

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
/** The province chair (child meeting) and one of its communes (a site of the child meeting). */
let provinceChair: LiveClient;
let commune: LiveClient;
let communeToken: string;
/** A report uploaded to the national meeting (converted to 4 pages). */
let nationalDocumentId: string;
/** Where the parent converts documents (the converters' private folders). */
let workRoot: string;
/** Every state of the national link the commune's page was shown, in order. */
const linkStatesSeen: ParentLinkState[] = [];

/** Waits for an asynchronous condition (the hubs' stores), polling. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The child meeting as the hub stores it. */
const childRecord = () => child.parts.meetings.get(childMeetingId);
/** Nghệ An's line in the national meeting. */
const provinceAtParent = async () =>
  (await parent.parts.meetings.get(parentMeetingId)).sites.find((s) => s.id === NGHE_AN);

beforeAll(async () => {
  workRoot = mkdtempSync(path.join(tmpdir(), 'giaoban-linked-work-'));
  // Converters run as `nobody` when the hub is root: it must reach its private folder.
  chmodSync(workRoot, 0o755);
  const fx = await setupMeeting(
    [NGHE_AN],
    {
      chair: { role: 'chair', siteId: HOST_SITE },
      relay: { role: 'relay', siteId: NGHE_AN },
    },
    { DOCUMENT_WORK_DIR: workRoot },
  );
  parent = fx.hub;
  parentUrl = fx.url;
  parentOrg = fx.orgToken;
  parentMeetingId = fx.meetingId;
  const relay = fx.links.relay;
  const chairLink = fx.links.chair;
  if (!relay || !chairLink) throw new Error('the relay and chair links were not issued');
  relayLink = relay;
  // The national report, converted while the rest is set up.
  const uploaded = await upload(
    fx.url,
    fx.orgToken,
    fx.meetingId,
    readFileSync(path.join(FIXTURES, 'tong-hop.pdf')),
    'Báo cáo tổng hợp.pdf',
  );
  expect(uploaded.status).toBe(202);
  nationalDocumentId = uploaded.json.id;

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
  provinceChair = childChair;
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
  commune = await liveClient(childUrl, siteLink.token, 'commune');
  communeToken = siteLink.token;
  clients.push(commune);
  await receive(commune);
  commune.socket.on('meeting:changed', (batch: MeetingChanged) => {
    for (const c of batch.changes)
      if (c.type === 'parent' && c.parent && linkStatesSeen.at(-1) !== c.parent.link)
        linkStatesSeen.push(c.parent.link);
  });
  // The national report is ready before the meeting shows it.
  await until(
    async () =>
      (await parent.parts.meetings.get(parentMeetingId)).slides.documents.some(
        (d) => d.id === nationalDocumentId && d.status === 'ready',
      ),
    'the national report converted',
    90_000,
  );

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
}, 180_000);

afterAll(async () => {
  sender?.stop();
  childSender?.stop();
  parentProgramTransport?.close();
  for (const c of clients) c.close();
  programTransport?.close();
  await child?.stop();
  await parent?.stop();
  if (workRoot) rmSync(workRoot, { recursive: true, force: true });
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

  it("the child meeting shows the parent's current item, floor holder with its topic, and the page it shows", async () => {
    // A commune asks the province's floor; the province chair carries its topic up to the nation.
    const { requestId: communeRequest } = await must(commune.socket, 'queue:request', {
      topic: 'Sạt lở bờ sông Lam',
    });
    const asked = await must(provinceChair.socket, 'relay:requestFloor', {
      requestId: communeRequest as never,
    });
    const communeName = (await childRecord()).sites.find((s) => s.id === HA_TINH)?.name;
    const national = await parent.parts.meetings.get(parentMeetingId);
    const carried = national.queue.requests.find((r) => r.id === asked.requestId);
    expect(carried).toMatchObject({ siteId: NGHE_AN, topic: `${communeName}: Sạt lở bờ sông Lam` });
    // Only the child's chair speaks for the province.
    const refused = await must(commune.socket, 'relay:requestFloor', { topic: 'x' }).catch(
      (e: Error) => e.message,
    );
    expect(String(refused)).toMatch(/FORBIDDEN/);
    await eventually(
      () => commune.snapshot.parent?.province.requestTopic === carried?.topic,
      "the child sees the province's pending request at the parent",
      10_000,
    );

    // The nation opens its first item, shows its report at page 2 and gives the province the floor.
    await must(nationalChair.socket, 'agenda:advance', {});
    await must(nationalChair.socket, 'slides:show', { documentId: nationalDocumentId as never });
    await must(nationalChair.socket, 'slides:page', { page: 2 });
    const grantedAt = Date.now();
    await must(nationalChair.socket, 'floor:grant', { requestId: asked.requestId as never, seconds: 0 });
    await eventually(
      () => commune.snapshot.parent?.floor !== null && commune.snapshot.parent?.slide?.page === 2,
      "the parent's floor and page in the commune's snapshot",
      10_000,
    );
    console.log(
      `linked-meetings | a national floor grant reached the commune's snapshot [ms:${Date.now() - grantedAt}]`,
    );
    const provinceName = national.sites.find((s) => s.id === NGHE_AN)?.name;
    expect(commune.snapshot.parent).toMatchObject({
      meetingTitle: national.meeting.title,
      agendaItem: { title: 'Báo cáo kết quả công tác 5 tháng', position: 1, count: 2 },
      floor: { siteName: provinceName, topic: carried?.topic },
      slide: { documentId: nationalDocumentId, documentName: 'Báo cáo tổng hợp.pdf', page: 2, pageCount: 4 },
      link: 'connected',
      province: { requestTopic: null, onStage: true },
      localSegment: false,
    });

    // The page comes from the child's own hub, the same image the parent serves.
    const relayed = await fetch(
      `${childUrl}${parentPagePath(childMeetingId, nationalDocumentId, 2)}?token=${communeToken}`,
    );
    expect(relayed.status).toBe(200);
    const direct = await fetch(`${parentUrl}${slidePaths.page(nationalDocumentId, 2)}`, {
      headers: { authorization: `Bearer ${parentOrg}` },
    });
    expect(Buffer.from(await relayed.arrayBuffer()).equals(Buffer.from(await direct.arrayBuffer()))).toBe(
      true,
    );
    // Twenty communes turning to the page at once are served by the child hub (from memory).
    const burstAt = Date.now();
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${childUrl}${parentPagePath(childMeetingId, nationalDocumentId, 2)}?token=${communeToken}`),
      ),
    );
    expect(burst.every((r) => r.status === 200)).toBe(true);
    const held = child.parts.relay.clientOf(childMeetingId)?.pages.size;
    console.log(
      `linked-meetings | 20 concurrent relayed page requests [ms:${Date.now() - burstAt} pagesHeld:${held}]`,
    );
    // Not without a link of the child meeting; not a document the parent never showed.
    expect((await fetch(`${childUrl}${parentPagePath(childMeetingId, nationalDocumentId, 2)}`)).status).toBe(
      401,
    );
    expect(
      (await fetch(`${childUrl}${parentPagePath(childMeetingId, 'never-shown', 1)}?token=${communeToken}`))
        .status,
    ).toBe(404);

    await must(nationalChair.socket, 'floor:revoke', {});
    await eventually(
      () => commune.snapshot.parent?.floor === null,
      'the floor ended in the child too',
      10_000,
    );
    await eventually(
      () => !child.parts.relay.clientOf(childMeetingId)?.onParentStage,
      'off the parent stage',
      10_000,
    );
  });

  it('the national roll call shows the province with its communes, and the national totals count every level', async () => {
    await must(commune.socket, 'site:declare', { delegates: 35 });
    await must(provinceChair.socket, 'site:declare', { siteId: NGHE_AN, delegates: 50 });
    await until(
      async () => (await provinceAtParent())?.linked?.delegates === 85,
      'the totals rolled up',
      10_000,
    );
    expect((await provinceAtParent())?.linked).toEqual({
      invitedSites: 1,
      connectedSites: 1,
      delegates: 85,
      localSession: false,
    });
    await eventually(
      () => nationalChair.snapshot.totals.linked?.connectedSites === 1,
      "the national chair's totals count the commune",
      10_000,
    );
    // The national host declared nobody: every delegate counted is the province's, both levels.
    expect(nationalChair.snapshot.totals).toMatchObject({
      invitedSites: 2,
      connectedSites: 2,
      delegates: 85,
      linked: { invitedSites: 1, connectedSites: 1 },
    });
  });

  it('the province chair holds a local segment with one action and returns to relaying with one', async () => {
    const relay = child.parts.relay.clientOf(childMeetingId);
    if (!relay) throw new Error('no relay client');
    await eventually(() => childProgramTag === 0, "the national chair on the child's program", 20_000);
    const refused = await must(commune.socket, 'relay:localSegment', { local: true }).catch(
      (e: Error) => e.message,
    );
    expect(String(refused)).toMatch(/FORBIDDEN/);

    await must(provinceChair.socket, 'relay:localSegment', { local: true });
    await eventually(
      () => childProgramTag === 100,
      "the province's own stage on the child's program",
      20_000,
    );
    await eventually(() => relay.downAudio?.paused === true, "the parent's audio paused", 10_000);
    expect(commune.snapshot.parent?.localSegment).toBe(true);
    await until(
      async () => (await provinceAtParent())?.linked?.localSession === true,
      'the nation sees a local session',
    );
    const audit = await child.parts.meetings.audit.list(childMeetingId);
    expect(audit.some((e) => e.action === 'relay:localSegment' && e.detail === 'phiên riêng')).toBe(true);

    await must(provinceChair.socket, 'relay:localSegment', { local: false });
    await eventually(() => childProgramTag === 0, "the national chair on the child's program again", 20_000);
    await eventually(() => relay.downAudio?.paused === false, "the parent's audio heard again", 10_000);
    await until(
      async () => (await provinceAtParent())?.linked?.localSession === false,
      'relaying again at the parent',
    );
  });

  it('comes back by itself after the link drops', async () => {
    const relay = child.parts.relay.clientOf(childMeetingId);
    if (!relay) throw new Error('no relay client');
    const from = linkStatesSeen.length;
    relay.dropForTesting();
    await eventually(() => relay.state === 'lost', 'the link is seen lost', 10_000);
    await eventually(() => relay.state === 'relaying', 'the link is back', 20_000);
    const before = programPackets;
    await eventually(() => programPackets > before + 20, 'packets flow again', 20_000);
    await eventually(() => childProgramTag === 0, "the national chair on the child's program again", 20_000);
    // The commune's page was told the national link was lost and coming back, then that it is back.
    await eventually(
      () => linkStatesSeen.slice(from).join() === 'reconnecting,connected',
      'the notice shown and cleared',
      10_000,
    );
    expect(commune.snapshot.parent?.link).toBe('connected');
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
    await eventually(() => commune.snapshot.parent?.link === 'lost', 'the child sees the link lost', 10_000);
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
