import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  MediaError,
  type MeetingMediaCloseReason,
  type SiteAudioLevel,
  type SiteMediaStatus,
  type WorkerPool,
} from '../../src/media/index.js';
import { micRtpParameters } from './helpers/FakeSiteSender.js';
import {
  expectFlowing,
  expectSilentWhileFlowing,
  mid,
  policy,
  site,
  sleep,
  TestRoom,
  testPool,
} from './helpers/room.js';

// A real mediasoup worker; sites publish RTP from Node UDP sockets into PlainTransports.
const HOST = site('host');
const A = site('siteA');
const B = site('siteB');

let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(1);
});
afterAll(() => pool?.close());

/**
 * chair (host site), site A and site B publish mic + 3-layer camera; the operator (host site)
 * watches the grid; an observer receives over a real WebRtcTransport on the WebRtcServer.
 */
async function threeSiteRoom(name: string): Promise<TestRoom> {
  const meeting = await pool.createMeetingMedia(mid(name));
  const room = new TestRoom(meeting);
  await room.join('chair', 'chair', HOST, { publish: true });
  await room.join('a', 'site', A, { publish: true });
  await room.join('b', 'site', B, { publish: true });
  await room.join('operator', 'operator', HOST);
  await room.join('observer', 'observer', null, { webRtcRecv: true });
  await meeting.whenIdle();
  return room;
}

const waitOpts = { timeout: 15_000, interval: 20 };

/** A participant's consumer of the program stream. */
function programOf(room: TestRoom, name: string): ms.Consumer {
  const c = room.participants.get(name)?.peer.consumersForTesting().get(room.meeting.program.producer.id);
  if (!c) throw new Error(`${name} has no program consumer`);
  return c;
}

// Rooms take real time: RTP must flow before layers can be checked.
vi.setConfig({ testTimeout: 20_000 });

describe('MeetingMedia with three publishing sites', () => {
  it('every viewer gets the program stream, paused and told before anything flows; no other camera', async () => {
    const room = await threeSiteRoom('consumers');
    try {
      const a = room.participants.get('a');
      const observer = room.participants.get('observer');
      const programId = room.meeting.program.producer.id;
      // Before any policy, nothing but the program is wanted: one consumer each, never a camera.
      for (const p of room.participants.values()) {
        expect([...p.peer.consumersForTesting().keys()]).toEqual([programId]);
      }
      expect(a?.signal.consumers.size).toBe(1);
      expect([...(a?.signal.consumers.values() ?? [])][0]).toMatchObject({ source: 'program', siteId: null });
      // Every consumer was still paused at the server when the client was told about it.
      for (const p of room.participants.values()) {
        for (const line of p.signal.log) expect(line.endsWith(':true')).toBe(true);
      }
      // No policy yet: the program stays paused at the server, and the client knows.
      const program = programOf(room, 'a');
      expect(program.paused).toBe(true);
      expect(a?.signal.lastState(program.id)).toEqual({
        id: program.id,
        paused: true,
        producerPaused: false,
      });
      // Microphones are closed at the server until the policy opens them.
      expect(room.producer('chair', 'mic').paused).toBe(true);
      // The observer's transport is on the worker's WebRtcServer: UDP and TCP on one port.
      const candidates = observer?.transportInfo?.iceCandidates ?? [];
      const ports = new Set(candidates.map((c) => c.port));
      expect(candidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
      expect(ports).toEqual(new Set([pool.config.webRtcServerPort]));
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('applyPolicy() resumes the program at the top layer for every viewer, carrying the program site', async () => {
    const room = await threeSiteRoom('program');
    try {
      await room.meeting.applyPolicy(policy(HOST, [HOST]));
      for (const viewer of ['a', 'b', 'observer']) {
        expect(programOf(room, viewer).paused).toBe(false);
        expect(programOf(room, viewer).preferredLayers?.spatialLayer).toBe(2);
      }
      // The operator sits in the host room: the host on stage is not sent back to it.
      expect(programOf(room, 'operator').paused).toBe(true);
      await vi.waitFor(
        () => expect(room.meeting.program.sourceProducerId).toBe(room.producer('chair', 'camera').id),
        waitOpts,
      );
      const program = programOf(room, 'a');
      await vi.waitFor(() => expect(program.currentLayers?.spatialLayer).toBe(2), waitOpts);
      await expectFlowing(program, 10_000);
      // Client told: resumed.
      expect(room.participants.get('a')?.signal.lastState(program.id)?.paused).toBe(false);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('a floor change switches the program source, asks it for a key frame and leaves viewers alone', async () => {
    const room = await threeSiteRoom('switch');
    try {
      await room.meeting.applyPolicy(policy(HOST, [HOST]));
      const b = room.participants.get('b');
      const program = programOf(room, 'b');
      await vi.waitFor(() => expect(program.currentLayers?.spatialLayer).toBe(2), waitOpts);
      const keyFramesBefore = room.participants.get('a')?.sender?.keyFrameRequests ?? 0;
      const statesBefore = b?.signal.states.length ?? 0;

      await room.meeting.applyPolicy(policy(A, [HOST, A])); // floor granted to site A

      // Site A's encoder was asked for a key frame, and the program now carries site A.
      await vi.waitFor(
        () =>
          expect(room.participants.get('a')?.sender?.keyFrameRequests ?? 0).toBeGreaterThan(keyFramesBefore),
        waitOpts,
      );
      await vi.waitFor(
        () => expect(room.meeting.program.sourceProducerId).toBe(room.producer('a', 'camera').id),
        waitOpts,
      );
      // Site B's program consumer is the same, flowing, and B was told nothing about it.
      expect(programOf(room, 'b')).toBe(program);
      expect(program.paused).toBe(false);
      expect(b?.signal.states.slice(statesBefore).filter((s) => s.id === program.id)).toEqual([]);
      await expectFlowing(program, 10_000);
      // Site A's microphone opened at the server; site B's stays closed.
      expect(room.producer('a', 'mic').paused).toBe(false);
      expect(room.producer('b', 'mic').paused).toBe(true);
      // With the chair in a corner, B consumes the host camera at the middle layer.
      await room.meeting.applyPolicy(policy(A, [HOST, A], [], HOST));
      const corner = room.consumer('b', 'chair', 'camera');
      expect(corner.paused).toBe(false);
      expect(corner.preferredLayers?.spatialLayer).toBe(1);
      await vi.waitFor(() => expect(corner.currentLayers?.spatialLayer).toBe(1), waitOpts);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('mic producers of sites without the floor, or self-muted, are paused at the server', async () => {
    const room = await threeSiteRoom('mics');
    try {
      await room.meeting.applyPolicy(policy(HOST, [HOST]));
      expect(room.producer('chair', 'mic').paused).toBe(false);
      expect(room.producer('a', 'mic').paused).toBe(true);
      expect(room.producer('b', 'mic').paused).toBe(true);
      // Site A hears the chair; site B's closed microphone is not even consumed.
      await expectFlowing(room.consumer('a', 'chair', 'mic'));
      const a = room.participants.get('a');
      expect(a?.peer.consumersForTesting().has(room.participants.get('b')?.micId ?? '')).toBe(false);
      // The operator sits in the host room: the chair's mic is not played back into that room.
      const operator = room.participants.get('operator');
      expect(operator?.peer.consumersForTesting().has(room.participants.get('chair')?.micId ?? '')).toBe(
        false,
      );
      // micState: each publishing device learns whether it is heard.
      expect(a?.signal.micStates.at(-1)).toEqual({ allowed: false, selfMuted: false, open: false });
      expect(room.participants.get('chair')?.signal.micStates.at(-1)).toEqual({
        allowed: true,
        selfMuted: false,
        open: true,
      });

      // Floor to B: A now consumes B's microphone; then B mutes itself: paused at the server.
      await room.meeting.applyPolicy(policy(B, [HOST, B]));
      expect(room.producer('b', 'mic').paused).toBe(false);
      await expectFlowing(room.consumer('a', 'b', 'mic'));
      const bState = room.participants.get('b')?.signal;
      expect(bState?.micStates.at(-1)).toEqual({ allowed: true, selfMuted: false, open: true });
      await room.meeting.applyPolicy(policy(B, [HOST, B], [B]));
      expect(room.producer('b', 'mic').paused).toBe(true);
      expect(bState?.micStates.at(-1)).toEqual({ allowed: true, selfMuted: true, open: false });
      // A client cannot publish a second microphone to get around its paused one.
      const b = room.participants.get('b');
      await expect(
        b?.peer.produce({
          transportId: b.send?.id ?? '',
          kind: 'audio',
          source: 'mic',
          rtpParameters: micRtpParameters(99) as unknown as Record<string, unknown>,
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('grid viewers get visible tiles at the lowest layer; hidden tiles are paused at the server', async () => {
    const room = await threeSiteRoom('grid');
    try {
      await room.meeting.applyPolicy(policy(A, [HOST, A]));
      const operator = room.participants.get('operator');
      await operator?.peer.setVisibleTiles([B, A, HOST]);
      const tileB = room.consumer('operator', 'b', 'camera');
      const tileA = room.consumer('operator', 'a', 'camera');
      expect(tileB.paused).toBe(false);
      expect(tileB.preferredLayers?.spatialLayer).toBe(0);
      // The program site's tile is a tile like any other (the program stream carries the big one).
      expect(tileA.preferredLayers?.spatialLayer).toBe(0);
      // Its own room is not consumed, even when reported visible.
      expect(operator?.peer.consumersForTesting().has(room.participants.get('chair')?.cameraId ?? '')).toBe(
        false,
      );
      await vi.waitFor(() => expect(tileB.currentLayers?.spatialLayer).toBe(0), waitOpts);
      await expectFlowing(tileB);
      // Site B reported tiles too: sites have no grid, so nothing is consumed for them.
      await room.participants.get('b')?.peer.setVisibleTiles([HOST]);
      expect(
        room.participants
          .get('b')
          ?.peer.consumersForTesting()
          .has(room.participants.get('chair')?.cameraId ?? ''),
      ).toBe(false);
      // The operator pages away from B: B's tile is paused at the server, not just hidden.
      await operator?.peer.setVisibleTiles([A]);
      expect(tileB.paused).toBe(true);
      expect(tileA.paused).toBe(false);
      expect(operator?.signal.lastState(tileB.id)?.paused).toBe(true);
      await expectSilentWhileFlowing(tileB, tileA);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('applyPolicy() touches nothing when nothing changed', async () => {
    const room = await threeSiteRoom('idempotent');
    try {
      await room.meeting.applyPolicy(policy(A, [HOST, A]));
      await room.meeting.whenIdle();
      const told = () =>
        [...room.participants.values()].reduce(
          (n, p) => n + p.signal.states.length + p.signal.micStates.length + p.signal.log.length,
          0,
        );
      const before = told();
      const events: string[] = [];
      for (const p of room.participants.values()) {
        for (const c of p.peer.consumersForTesting().values()) {
          c.observer.on('pause', () => events.push('pause'));
          c.observer.on('resume', () => events.push('resume'));
        }
      }
      await room.meeting.applyPolicy(policy(A, [HOST, A]));
      await room.meeting.applyPolicy(policy(A, [A, HOST]));
      expect(told()).toBe(before);
      expect(events).toEqual([]);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('a late joiner gets the program first, then what is heard, already in the right state', async () => {
    const room = await threeSiteRoom('late');
    try {
      await room.meeting.applyPolicy(policy(B, [HOST, B]));
      const late = await room.join('late', 'site', site('siteC'));
      await room.meeting.whenIdle();
      // Program, the chair's and B's microphones.
      expect(late.signal.consumers.size).toBe(3);
      const first = [...late.signal.consumers.values()][0];
      expect(first?.source).toBe('program');
      expect(programOf(room, 'late').paused).toBe(false);
      expect(room.consumer('late', 'b', 'mic').paused).toBe(false);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('a replaced receive transport (client recovery) gets every consumer again, in the right state', async () => {
    const room = await threeSiteRoom('recover');
    try {
      await room.meeting.applyPolicy(policy(B, [HOST, B]));
      await room.meeting.whenIdle();
      const a = room.participants.get('a');
      const before = programOf(room, 'a');
      const count = a?.peer.consumersForTesting().size;
      await a?.peer.createPlainTransportForTesting('recv', { comedia: false });
      await room.meeting.whenIdle();
      expect(before.closed).toBe(true);
      const after = programOf(room, 'a');
      expect(after.id).not.toBe(before.id);
      expect(after.paused).toBe(false);
      expect(a?.peer.consumersForTesting().size).toBe(count);
      expect(a?.signal.consumers.has(after.id)).toBe(true);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('closing a producer closes its consumers and tells every viewer', async () => {
    const room = await threeSiteRoom('closeproducer');
    try {
      await room.meeting.applyPolicy(policy(HOST, [HOST]));
      const operator = room.participants.get('operator');
      await operator?.peer.setVisibleTiles([B]);
      const b = room.participants.get('b');
      const cameraId = b?.cameraId ?? '';
      const tile = room.consumer('operator', 'b', 'camera');
      b?.peer.closeProducer(cameraId);
      await vi.waitFor(() => expect(tile.closed).toBe(true), waitOpts);
      expect(operator?.signal.closed).toContain(tile.id);
      expect(() => b?.peer.closeProducer(cameraId)).toThrowError(MediaError);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('a consumer the client failed to build is closed, not leaked', async () => {
    const meeting = await pool.createMeetingMedia(mid('failing'));
    const room = new TestRoom(meeting);
    try {
      await room.join('chair', 'chair', HOST, { publish: true });
      const bad = await room.join('bad', 'site', A, { consume: false });
      bad.signal.failNewConsumer = true;
      bad.peer.setRtpCapabilities(meeting.rtpCapabilities as unknown as Record<string, unknown>);
      await bad.peer.createPlainTransportForTesting('recv', { comedia: false });
      await meeting.whenIdle();
      expect(bad.peer.consumersForTesting().size).toBe(0);
    } finally {
      meeting.close();
      room.close();
    }
  });

  it('reports per-site audio levels and when site media starts flowing, turns poor, and stops', async () => {
    const meeting = await pool.createMeetingMedia(mid('levels'));
    const room = new TestRoom(meeting);
    const levels: SiteAudioLevel[][] = [];
    const statuses: SiteMediaStatus[] = [];
    meeting.on('audiolevels', (l) => levels.push(l));
    meeting.on('sitemedia', (s) => statuses.push(s));
    try {
      await room.join('chair', 'chair', HOST, { publish: true });
      await room.join('a', 'site', A, { publish: true });
      await meeting.applyPolicy(policy(HOST, [HOST]));
      await vi.waitFor(() => expect(meeting.siteMedia(A).state).toBe('flowing'), waitOpts);
      expect(statuses).toContainEqual({ siteId: HOST, state: 'flowing', score: 10 });
      // Only open microphones are measured: the chair at about -30 dBov, not site A.
      await vi.waitFor(() => expect(levels.at(-1)?.map((l) => l.siteId)).toEqual([HOST]), waitOpts);
      expect(levels.at(-1)?.[0]?.dBov).toBe(-30);
      // Site A's network loses 40 % of packets: its score drops and the board shows it as poor.
      const a = room.participants.get('a');
      if (a?.sender) a.sender.loss = 0.4;
      await vi.waitFor(() => expect(meeting.siteMedia(A).state).toBe('poor'), {
        timeout: 8000,
        interval: 100,
      });
      expect(statuses.at(-1)).toMatchObject({ siteId: A, state: 'poor' });
      // Site A leaves: nothing flows from it any more.
      a?.peer.close();
      await vi.waitFor(() => expect(meeting.siteMedia(A).state).toBe('none'), waitOpts);
      expect(statuses.at(-1)).toEqual({ siteId: A, state: 'none', score: 0 });
    } finally {
      meeting.close();
      room.close();
    }
  }, 20_000);

  it('refuses media a role may not publish, and malformed produce requests', async () => {
    const meeting = await pool.createMeetingMedia(mid('roles'));
    const room = new TestRoom(meeting);
    try {
      const observer = await room.join('observer', 'observer', null);
      const operator = await room.join('operator', 'operator', HOST);
      const chair = await room.join('chair', 'chair', HOST);
      const code = async (p: Promise<unknown> | undefined) => {
        try {
          await p;
          return 'ok';
        } catch (e) {
          return e instanceof MediaError ? e.code : String(e);
        }
      };
      const obsSend = await observer.peer.createPlainTransportForTesting('send');
      const opSend = await operator.peer.createPlainTransportForTesting('send');
      const chairSend = await chair.peer.createPlainTransportForTesting('send');
      const cam = { kind: 'video' as const, source: 'camera' as const, rtpParameters: {} };
      expect(await code(observer.peer.produce({ ...cam, transportId: obsSend.id }))).toBe('FORBIDDEN');
      expect(await code(operator.peer.produce({ ...cam, transportId: opSend.id }))).toBe('FORBIDDEN');
      expect(await code(observer.peer.produce({ ...cam, source: 'screen', transportId: obsSend.id }))).toBe(
        'FORBIDDEN',
      );
      expect(await code(chair.peer.produce({ ...cam, kind: 'audio', transportId: chairSend.id }))).toBe(
        'VALIDATION',
      );
      expect(await code(chair.peer.produce({ ...cam, transportId: 'nope' }))).toBe('NOT_FOUND');
      expect(await code(chair.peer.produce({ ...cam, transportId: chairSend.id }))).toBe('VALIDATION'); // bad rtpParameters
      expect(await code(chair.peer.connectTransport('nope', {}))).toBe('NOT_FOUND');
    } finally {
      meeting.close();
      room.close();
    }
  });

  it('close() cascades to peers, transports, producers and consumers, says why, and is idempotent', async () => {
    const room = await threeSiteRoom('close');
    const reasons: MeetingMediaCloseReason[] = [];
    const peerReasons: string[] = [];
    room.meeting.on('close', (r) => reasons.push(r));
    for (const p of room.participants.values()) p.peer.on('close', (r) => peerReasons.push(r));
    const consumer = programOf(room, 'a');
    const producer = room.producer('chair', 'camera');
    const recv = room.participants.get('a')?.recv;
    try {
      room.meeting.close();
      room.meeting.close();
      expect(reasons).toEqual(['meetingclosed']);
      expect(peerReasons).toEqual(Array(5).fill('meetingclosed'));
      expect(room.meeting.routerForTesting.closed).toBe(true);
      expect(consumer.closed).toBe(true);
      expect(producer.closed).toBe(true);
      expect(recv?.closed).toBe(true);
      expect(room.meeting.peers.size).toBe(0);
      const a = room.participants.get('a');
      expect(() => a?.peer.setRtpCapabilities({ codecs: [] })).toThrowError(/closed/);
      await expect(a?.peer.createTransport('recv')).rejects.toMatchObject({ code: 'INVALID_STATE' });
      // Applying a policy to a closed meeting is a no-op.
      await room.meeting.applyPolicy(policy(A, [A]));
    } finally {
      room.close();
    }
  });

  it('a participant joining twice replaces its old peer', async () => {
    const meeting = await pool.createMeetingMedia(mid('replace'));
    const room = new TestRoom(meeting);
    try {
      const first = await room.join('a', 'site', A, { publish: true });
      const reasons: string[] = [];
      first.peer.on('close', (r) => reasons.push(r));
      const second = await room.join('a', 'site', A);
      expect(reasons).toEqual(['replaced']);
      expect(meeting.getPeer(second.peer.participantId)).toBe(second.peer);
      expect(meeting.producerCount).toBe(0);
      await sleep(10);
    } finally {
      meeting.close();
      room.close();
    }
  });
});
