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

// Rooms take real time: RTP must flow before layers can be checked.
vi.setConfig({ testTimeout: 20_000 });

describe('MeetingMedia with three publishing sites', () => {
  it('sites and moderators get one paused consumer per remote producer, told before anything flows', async () => {
    const room = await threeSiteRoom('consumers');
    try {
      const a = room.participants.get('a');
      const observer = room.participants.get('observer');
      // Site A sees chair + B (mic and camera each): 4 consumers; never its own.
      expect(a?.peer.consumersForTesting().size).toBe(4);
      expect(a?.signal.consumers.size).toBe(4);
      // The operator (a moderator) has every remote producer pre-created too: the chair's mic and
      // camera are in its own room, A's and B's are not — 6 in all.
      expect(room.participants.get('operator')?.peer.consumersForTesting().size).toBe(6);
      // The observer consumes on demand: before any policy nothing is wanted, so nothing exists.
      expect(observer?.peer.consumersForTesting().size).toBe(0);
      // Every consumer was still paused at the server when the client was told about it.
      for (const p of room.participants.values()) {
        for (const line of p.signal.log) expect(line.endsWith(':true')).toBe(true);
      }
      // No policy yet: every camera stays paused at the server, and the client knows.
      const cam = room.consumer('a', 'b', 'camera');
      expect(cam.paused).toBe(true);
      expect(a?.signal.lastState(cam.id)).toEqual({ id: cam.id, paused: true, producerPaused: false });
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

  it('applyPolicy() resumes only the program site camera, at the top layer, for every viewer', async () => {
    const room = await threeSiteRoom('program');
    try {
      await room.meeting.applyPolicy(policy(HOST, [HOST]));
      for (const viewer of ['a', 'b', 'observer']) {
        expect(room.consumer(viewer, 'chair', 'camera').paused).toBe(false);
      }
      // The operator sits in the host room: its own room's camera is not sent back to it.
      expect(room.consumer('operator', 'chair', 'camera').paused).toBe(true);
      expect(room.consumer('a', 'b', 'camera').paused).toBe(true);
      expect(room.consumer('b', 'a', 'camera').paused).toBe(true);
      expect(room.consumer('operator', 'a', 'camera').paused).toBe(true); // no visible tiles yet
      // Layers: the program goes out at spatial layer 2.
      const program = room.consumer('a', 'chair', 'camera');
      expect(program.preferredLayers?.spatialLayer).toBe(2);
      await vi.waitFor(() => expect(program.currentLayers?.spatialLayer).toBe(2), waitOpts);
      // Bytes: the program flows to site A; site B's camera does not flow to site A.
      await expectFlowing(program, 10_000);
      await expectSilentWhileFlowing(room.consumer('a', 'b', 'camera'), program);
      // Client told: resumed.
      const a = room.participants.get('a');
      expect(a?.signal.lastState(program.id)?.paused).toBe(false);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('a floor change resumes the new program, pauses the old one and asks for a key frame', async () => {
    const room = await threeSiteRoom('switch');
    try {
      await room.meeting.applyPolicy(policy(HOST, [HOST]));
      const b = room.participants.get('b');
      const oldProgram = room.consumer('b', 'chair', 'camera');
      const newProgram = room.consumer('b', 'a', 'camera');
      await vi.waitFor(() => expect(oldProgram.currentLayers?.spatialLayer).toBe(2), waitOpts);
      const keyFramesBefore = room.participants.get('a')?.sender?.keyFrameRequests ?? 0;
      const statesBefore = b?.signal.states.length ?? 0;

      await room.meeting.applyPolicy(policy(A, [HOST, A])); // floor granted to site A

      // Settled when applyPolicy() resolves: the right consumer resumed, the old one paused.
      expect(newProgram.paused).toBe(false);
      expect(oldProgram.paused).toBe(true);
      expect(newProgram.preferredLayers?.spatialLayer).toBe(2);
      // The client heard about both changes.
      const told = b?.signal.states.slice(statesBefore) ?? [];
      expect(told).toContainEqual({ id: newProgram.id, paused: false, producerPaused: false });
      expect(told).toContainEqual({ id: oldProgram.id, paused: true, producerPaused: false });
      // Site A's encoder was asked for a key frame, and the new program starts flowing at layer 2.
      await vi.waitFor(
        () =>
          expect(room.participants.get('a')?.sender?.keyFrameRequests ?? 0).toBeGreaterThan(keyFramesBefore),
        waitOpts,
      );
      await vi.waitFor(() => expect(newProgram.currentLayers?.spatialLayer).toBe(2), waitOpts);
      // Bytes flowed on the new program, none on the old one meanwhile. (How fast is measured by
      // the benchmark's floor-change scenario, not asserted here.)
      await expectFlowing(newProgram, 10_000);
      await expectSilentWhileFlowing(oldProgram, newProgram);
      // Site A's microphone opened at the server; site B's stays closed.
      expect(room.producer('a', 'mic').paused).toBe(false);
      expect(room.producer('b', 'mic').paused).toBe(true);
      // With the chair in a corner, the host camera comes back at the middle layer.
      await room.meeting.applyPolicy(policy(A, [HOST, A], [], HOST));
      expect(oldProgram.paused).toBe(false);
      expect(oldProgram.preferredLayers?.spatialLayer).toBe(1);
      await vi.waitFor(() => expect(oldProgram.currentLayers?.spatialLayer).toBe(1), waitOpts);
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
      // Site A hears the chair; it does not hear site B (paused producer), so B's consumer reports it.
      await expectFlowing(room.consumer('a', 'chair', 'mic'));
      await expectSilentWhileFlowing(room.consumer('a', 'b', 'mic'), room.consumer('a', 'chair', 'mic'));
      const bMicAtA = room.consumer('a', 'b', 'mic');
      expect(room.participants.get('a')?.signal.lastState(bMicAtA.id)).toEqual({
        id: bMicAtA.id,
        paused: false,
        producerPaused: true,
      });
      // The operator sits in the host room: the chair's mic is not played back into that room.
      expect(room.consumer('operator', 'chair', 'mic').paused).toBe(true);
      // micState: each publishing device learns whether it is heard.
      expect(room.participants.get('a')?.signal.micStates.at(-1)).toEqual({
        allowed: false,
        selfMuted: false,
        open: false,
      });
      expect(room.participants.get('chair')?.signal.micStates.at(-1)).toEqual({
        allowed: true,
        selfMuted: false,
        open: true,
      });

      // Floor to B, then B mutes itself: allowed but not open, so still paused at the server.
      await room.meeting.applyPolicy(policy(B, [HOST, B]));
      expect(room.producer('b', 'mic').paused).toBe(false);
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
      const tileHost = room.consumer('operator', 'chair', 'camera');
      const programA = room.consumer('operator', 'a', 'camera');
      expect(tileB.paused).toBe(false);
      expect(tileB.preferredLayers?.spatialLayer).toBe(0);
      expect(tileHost.paused).toBe(true); // its own room, even when reported visible
      expect(programA.preferredLayers?.spatialLayer).toBe(2); // program wins over tile size
      await vi.waitFor(() => expect(tileB.currentLayers?.spatialLayer).toBe(0), waitOpts);
      await expectFlowing(tileB);
      // Site B reported tiles too: sites have no grid, so nothing changes for them.
      await room.participants.get('b')?.peer.setVisibleTiles([HOST]);
      expect(room.consumer('b', 'chair', 'camera').paused).toBe(true);
      // The operator pages away from B: B's tile is paused at the server, not just hidden.
      await operator?.peer.setVisibleTiles([A]);
      expect(tileB.paused).toBe(true);
      expect(programA.paused).toBe(false);
      expect(operator?.signal.lastState(tileB.id)?.paused).toBe(true);
      await expectSilentWhileFlowing(tileB, programA);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('applyPolicy() touches nothing when nothing changed', async () => {
    const room = await threeSiteRoom('idempotent');
    try {
      await room.meeting.applyPolicy(policy(A, [HOST, A]));
      const told = () =>
        [...room.participants.values()].reduce(
          (n, p) => n + p.signal.states.length + p.signal.micStates.length,
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

  it('a late joiner gets every existing producer, program first, already in the right state', async () => {
    const room = await threeSiteRoom('late');
    try {
      await room.meeting.applyPolicy(policy(B, [HOST, B]));
      const late = await room.join('late', 'site', site('siteC'));
      await room.meeting.whenIdle();
      expect(late.signal.consumers.size).toBe(6);
      const first = [...late.signal.consumers.values()][0];
      expect(first?.producerId).toBe(room.participants.get('b')?.cameraId);
      expect(room.consumer('late', 'b', 'camera').paused).toBe(false);
      expect(room.consumer('late', 'a', 'camera').paused).toBe(true);
      expect(late.signal.lastState(room.consumer('late', 'a', 'mic').id)?.producerPaused).toBe(true);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('a replaced receive transport (client recovery) gets every consumer again, in the right state', async () => {
    const room = await threeSiteRoom('recover');
    try {
      await room.meeting.applyPolicy(policy(B, [HOST, B]));
      const a = room.participants.get('a');
      const before = room.consumer('a', 'b', 'camera');
      await a?.peer.createPlainTransportForTesting('recv', { comedia: false });
      await room.meeting.whenIdle();
      expect(before.closed).toBe(true);
      const after = room.consumer('a', 'b', 'camera');
      expect(after.id).not.toBe(before.id);
      expect(after.paused).toBe(false);
      expect(a?.peer.consumersForTesting().size).toBe(4);
      expect(a?.signal.consumers.has(after.id)).toBe(true);
    } finally {
      room.meeting.close();
      room.close();
    }
  });

  it('closing a producer closes its consumers and tells every viewer', async () => {
    const room = await threeSiteRoom('closeproducer');
    try {
      const b = room.participants.get('b');
      const cameraId = b?.cameraId ?? '';
      const atA = room.consumer('a', 'b', 'camera');
      b?.peer.closeProducer(cameraId);
      await vi.waitFor(() => expect(atA.closed).toBe(true), waitOpts);
      expect(room.participants.get('a')?.signal.closed).toContain(atA.id);
      expect(room.participants.get('observer')?.peer.consumersForTesting().has(cameraId)).toBe(false);
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
    const consumer = room.consumer('a', 'chair', 'camera');
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
