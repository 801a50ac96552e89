/**
 * Talk-back audio on a real mediasoup worker (issue 14 part 4): the policy comes from the domain
 * (mediaPolicyOf over a live meeting's record). While the operator talks with DN, the operator's
 * microphone flows to DN only and DN's microphone to the operators only; closing talk-back stops both.
 */
import type { SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mediaPolicyOf } from '../../src/app/MediaRegistry.js';
import type { WorkerPool } from '../../src/media/index.js';
import { A, DN, HN, liveMeeting } from '../domain/harness.js';
import { FakeSiteSender, micRtpParameters } from './helpers/FakeSiteSender.js';
import { expectFlowing, mid, TestRoom, testPool } from './helpers/room.js';

const HOST = 'trung-uong' as SiteId;

let pool: WorkerPool;
beforeAll(async () => {
  pool = await testPool(1, { consumerGraceMs: 300 });
});
afterAll(() => pool?.close());
vi.setConfig({ testTimeout: 60_000 });

/** Publishes the operator's microphone (an operator has no room, so no camera). */
async function publishOperatorMic(r: TestRoom, name: string): Promise<string> {
  const p = r.participants.get(name);
  if (!p) throw new Error(`no participant ${name}`);
  const send = await p.peer.createPlainTransportForTesting('send');
  const sender = new FakeSiteSender(4_000_001, [4_000_002, 4_000_003, 4_000_004]);
  sender.sendCamera = false;
  await sender.start(send);
  p.sender = sender;
  p.send = send;
  p.micId = await p.peer.produce({
    transportId: send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: micRtpParameters(sender.micSsrc) as unknown as Record<string, unknown>,
  });
  return p.micId;
}

const holds = (r: TestRoom, viewer: string, producerId: string): boolean =>
  r.participants.get(viewer)?.peer.consumersForTesting().has(producerId) ?? false;

describe('talk-back audio through mediasoup', () => {
  it("the operator's microphone reaches the talk-back site only and the site's answer the operators only, until talk-back closes", async () => {
    const { m } = liveMeeting();
    const meeting = await pool.createMeetingMedia(mid('talk-back-audio'));
    const r = new TestRoom(meeting);
    try {
      await r.join('chair', 'chair', HOST, { publish: true });
      await r.join('dn', 'site', DN, { publish: true });
      await r.join('hn', 'site', HN, { publish: true });
      await r.join('operator', 'operator', null);
      await r.join('operator2', 'operator', null);
      const opMic = await publishOperatorMic(r, 'operator');
      await meeting.applyPolicy(mediaPolicyOf(m.record));
      await meeting.whenIdle();

      // No talk-back: the operator's microphone is paused at the server and consumed by nobody.
      expect(r.producer('operator', 'mic').paused).toBe(true);
      for (const viewer of ['chair', 'dn', 'hn', 'operator2']) expect(holds(r, viewer, opMic)).toBe(false);
      const dnMic = r.producer('dn', 'mic').id;
      expect(holds(r, 'operator', dnMic)).toBe(false);

      m.ok(A.operator, { type: 'talkback:set', siteId: DN });
      await meeting.applyPolicy(mediaPolicyOf(m.record));
      await meeting.whenIdle();

      // Operator → DN: flowing to DN, to no other site, nor to the chair's room.
      expect(r.producer('operator', 'mic').paused).toBe(false);
      const toDn = r.consumer('dn', 'operator', 'mic');
      expect(toDn.paused).toBe(false);
      await expectFlowing(toDn);
      for (const viewer of ['chair', 'hn']) expect(holds(r, viewer, opMic)).toBe(false);

      // DN → the operators: flowing to both operators, to no site and not to the chair.
      expect(r.producer('dn', 'mic').paused).toBe(false);
      for (const op of ['operator', 'operator2']) {
        const fromDn = r.consumer(op, 'dn', 'mic');
        expect(fromDn.paused).toBe(false);
        await expectFlowing(fromDn);
      }
      for (const viewer of ['chair', 'hn']) expect(holds(r, viewer, dnMic)).toBe(false);
      // …nor into what the whole meeting hears (the mix room systems and linked meetings get).
      expect(meeting.heardMics().map((rp) => rp.producer.id)).not.toContain(dnMic);
      expect(meeting.heardMics().map((rp) => rp.siteId)).toContain(HOST);

      // Closing talk-back stops both directions at the producers and releases the consumers.
      const fromDn = r.consumer('operator', 'dn', 'mic');
      m.ok(A.operator, { type: 'talkback:set', siteId: null });
      await meeting.applyPolicy(mediaPolicyOf(m.record));
      await meeting.whenIdle();
      expect(r.producer('operator', 'mic').paused).toBe(true);
      expect(r.producer('dn', 'mic').paused).toBe(true);
      expect(toDn.closed || toDn.paused).toBe(true);
      expect(fromDn.closed || fromDn.paused).toBe(true);
      await vi.waitFor(
        () => {
          expect(holds(r, 'dn', opMic)).toBe(false);
          expect(holds(r, 'operator', dnMic)).toBe(false);
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      r.close();
      meeting.close();
    }
  });

  it('only an operator publishes a microphone from no room', async () => {
    const meeting = await pool.createMeetingMedia(mid('talk-back-refuse'));
    const r = new TestRoom(meeting);
    try {
      const observer = await r.join('observer', 'observer', null);
      const secretary = await r.join('secretary', 'secretary', null);
      for (const p of [observer, secretary]) {
        const send = await p.peer.createPlainTransportForTesting('send');
        await expect(
          p.peer.produce({
            transportId: send.id,
            kind: 'audio',
            source: 'mic',
            rtpParameters: micRtpParameters(4_100_001) as unknown as Record<string, unknown>,
          }),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
    } finally {
      r.close();
      meeting.close();
    }
  });
});
