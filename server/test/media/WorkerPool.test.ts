import dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MeetingMediaCloseReason, WorkerPool } from '../../src/media/index.js';
import { freeUdpTcpPort } from './helpers/ports.js';
import { RecordingSignal } from './helpers/RecordingSignal.js';
import { mid, pid, site, testPool } from './helpers/room.js';

// Real mediasoup workers, kept to two per test.
let pool: WorkerPool | undefined;
afterEach(() => {
  pool?.close();
  pool = undefined;
});

describe('WorkerPool', () => {
  it('starts one WebRtcServer per worker on consecutive ports, UDP and TCP', async () => {
    pool = await testPool(2);
    const base = pool.config.webRtcServerPort;
    const usage = await pool.getResourceUsage();
    expect(usage.map((u) => u.webRtcServerPort)).toEqual([base, base + 1]);
    expect(usage.every((u) => u.pid > 0 && !u.dead && (u.usage?.ru_maxrss ?? 0) > 0)).toBe(true);
  });

  it('createMeetingMedia() places a meeting on the least-loaded worker', async () => {
    pool = await testPool(2);
    const m1 = await pool.createMeetingMedia(mid('m1'));
    const m2 = await pool.createMeetingMedia(mid('m2'));
    expect([pool.workerIndexOf(m1), pool.workerIndexOf(m2)]).toEqual([0, 1]);
    // Three more transports on m1's worker: it is now the busier one.
    const peer = m1.addPeer(
      { participantId: pid('p'), siteId: site('s'), role: 'site' },
      new RecordingSignal(),
    );
    await peer.createTransport('send');
    await peer.createTransport('recv');
    const other = m1.addPeer(
      { participantId: pid('q'), siteId: site('t'), role: 'site' },
      new RecordingSignal(),
    );
    await other.createTransport('recv');
    const m3 = await pool.createMeetingMedia(mid('m3'));
    const m4 = await pool.createMeetingMedia(mid('m4'));
    expect([pool.workerIndexOf(m3), pool.workerIndexOf(m4)]).toEqual([1, 1]);
    const usage = await pool.getResourceUsage();
    // Each meeting also has its program switcher's DirectTransport.
    expect(usage.map((u) => [u.meetings, u.routers, u.transports])).toEqual([
      [1, 1, 4],
      [3, 3, 3],
    ]);
    // Closing a meeting frees its worker's load.
    m1.close();
    expect((await pool.getResourceUsage())[0]).toMatchObject({ meetings: 0, routers: 0, transports: 0 });
  });

  it('falls back to per-transport ports when a WebRtcServer port is taken', async () => {
    const port = await freeUdpTcpPort();
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(port, '127.0.0.1', r));
    try {
      pool = await testPool(1, { webRtcServerPort: port });
      const [usage] = await pool.getResourceUsage();
      expect(usage?.webRtcServerPort).toBeUndefined();
      const meeting = await pool.createMeetingMedia(mid('fallback'));
      const peer = meeting.addPeer(
        { participantId: pid('p'), siteId: null, role: 'observer' },
        new RecordingSignal(),
      );
      const info = await peer.createTransport('recv');
      const { rtcMinPort, rtcMaxPort } = pool.config;
      expect(info.iceCandidates.length).toBeGreaterThan(0);
      for (const c of info.iceCandidates) {
        expect(c.ip).toBe('127.0.0.1');
        expect(c.port).toBeGreaterThanOrEqual(rtcMinPort);
        expect(c.port).toBeLessThanOrEqual(rtcMaxPort);
      }
    } finally {
      squatter.close();
    }
  });

  it('webRtcServerPort 0 disables the WebRtcServer', async () => {
    pool = await testPool(1, { webRtcServerPort: 0 });
    expect((await pool.getResourceUsage())[0]?.webRtcServerPort).toBeUndefined();
  });

  it('a dead worker closes its meetings with reason workerdied and is respawned in its slot', async () => {
    pool = await testPool(2);
    const m1 = await pool.createMeetingMedia(mid('m1'));
    const m2 = await pool.createMeetingMedia(mid('m2'));
    const reasons: MeetingMediaCloseReason[] = [];
    m1.on('close', (r) => reasons.push(r));
    const died: number[] = [];
    pool.on('workerdied', ({ index }) => died.push(index));
    const respawned: number[] = [];
    pool.on('workerrespawned', ({ index }) => respawned.push(index));
    const peer = m1.addPeer(
      { participantId: pid('p'), siteId: site('s'), role: 'site' },
      new RecordingSignal(),
    );
    const peerReasons: string[] = [];
    peer.on('close', (r) => peerReasons.push(r));

    const deadPid = pool.workerForTesting(0)?.pid ?? 0;
    process.kill(deadPid, 'SIGKILL');
    await vi.waitFor(() => expect(died).toEqual([0]), { timeout: 4000 });
    expect(reasons).toEqual(['workerdied']);
    expect(peerReasons).toEqual(['workerdied']);
    expect(m2.closed).toBe(false);
    await vi.waitFor(() => expect(respawned).toEqual([0]), { timeout: 10_000 });
    expect(pool.liveWorkers).toBe(2);
    expect(pool.workerForTesting(0)?.pid).not.toBe(deadPid);
    const m3 = await pool.createMeetingMedia(mid('m3'));
    expect(pool.workerIndexOf(m3)).toBe(0);
    expect((await pool.getResourceUsage())[0]).toMatchObject({ dead: false, meetings: 1 });

    // Every worker dead at once: a new meeting waits for a respawned one instead of failing.
    const pids = [0, 1].map((i) => pool?.workerForTesting(i)?.pid ?? 0);
    for (const p of pids) process.kill(p, 'SIGKILL');
    await vi.waitFor(() => expect([...died].sort()).toEqual([0, 0, 1]), { timeout: 4000 });
    const m4 = await pool.createMeetingMedia(mid('m4'));
    expect(m4.closed).toBe(false);
    expect(pids).not.toContain(pool.workerForTesting(pool.workerIndexOf(m4) ?? -1)?.pid);
  });

  it('close() closes every meeting with reason poolclosed, once', async () => {
    pool = await testPool(2);
    const reasons: MeetingMediaCloseReason[] = [];
    for (const name of ['a', 'b', 'c'])
      (await pool.createMeetingMedia(mid(name))).on('close', (r) => reasons.push(r));
    pool.close();
    pool.close();
    expect(reasons).toEqual(['poolclosed', 'poolclosed', 'poolclosed']);
    expect(pool.workerForTesting(0)?.closed).toBe(true);
    await expect(pool.createMeetingMedia(mid('late'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
