import type { ConsumerInfo } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { ConsumerBatches } from '../../src/transport/ConsumerBatches.js';

const info = (id: string): ConsumerInfo => ({
  id,
  producerId: `p-${id}`,
  kind: 'audio',
  rtpParameters: {},
  siteId: null,
  participantId: 'x' as ConsumerInfo['participantId'],
  source: 'mic',
});
const ok = { ok: true, data: null };
const tick = () => new Promise((r) => setImmediate(r));

describe('ConsumerBatches: consumers announced together, acknowledged together', () => {
  it('sends the consumers of one turn in one message and settles each with its own result', async () => {
    const sent: string[][] = [];
    const batches = new ConsumerBatches(async (infos) => {
      sent.push(infos.map((i) => i.id));
      return infos.map((i) =>
        i.id === 'b' ? { ok: false, error: { code: 'INTERNAL', message: 'no decoder' } } : ok,
      );
    });
    const results = await Promise.allSettled(['a', 'b', 'c'].map((id) => batches.announce(info(id))));
    expect(sent).toEqual([['a', 'b', 'c']]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('no decoder');
  });

  it('holds the batch while the media layer creates a set, then sends the set at once', async () => {
    const sent: string[][] = [];
    const batches = new ConsumerBatches(async (infos) => {
      sent.push(infos.map((i) => i.id));
      return infos.map(() => ok);
    });
    const release = batches.hold();
    const first = batches.announce(info('a'));
    await tick();
    await tick();
    const second = batches.announce(info('b'));
    await tick();
    expect(sent).toEqual([]);
    release();
    release(); // a second call changes nothing
    await Promise.all([first, second]);
    expect(sent).toEqual([['a', 'b']]);
  });

  it('rejects every consumer of a batch the client answers with nonsense, too few results, or not at all', async () => {
    const answers: unknown[] = ['nonsense', [ok], null];
    const batches = new ConsumerBatches(async () => {
      const answer = answers.shift();
      if (answer === null) throw new Error('operation has timed out');
      return answer;
    });
    const nonsense = await Promise.allSettled([batches.announce(info('a'))]);
    const short = await Promise.allSettled([batches.announce(info('b')), batches.announce(info('c'))]);
    const silent = await Promise.allSettled([batches.announce(info('d'))]);
    expect(nonsense.map((r) => r.status)).toEqual(['rejected']);
    expect(short.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(silent.map((r) => r.status)).toEqual(['rejected']);
    expect(String((silent[0] as PromiseRejectedResult).reason)).toContain('did not acknowledge');
  });
});
