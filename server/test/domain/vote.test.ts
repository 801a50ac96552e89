import type { VoteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { A, DN, HN, HP, liveMeeting, TestMeeting } from './harness.js';

/** A live meeting with a question open, counted `counting`, open or secret. */
function voting(counting: 'site' | 'delegate', secret: boolean): { m: TestMeeting; voteId: VoteId } {
  const { m } = liveMeeting();
  m.ok(A.chair, { type: 'agenda:advance' });
  const { voteId } = m.ok<{ voteId: VoteId }>(A.chair, {
    type: 'vote:open',
    question: 'Thông qua Nghị quyết về nhiệm vụ 6 tháng cuối năm',
    counting,
    secret,
  });
  return { m, voteId };
}

describe('votes (biểu quyết)', () => {
  it('vote:open gives the three options of a show of hands and every invited site but the host', () => {
    const { m, voteId } = voting('site', false);
    const vote = m.snapshot.votes.find((v) => v.id === voteId);
    expect(vote?.options).toEqual(['Tán thành', 'Không tán thành', 'Không biểu quyết']);
    expect(vote?.eligibleSiteIds).toEqual([HN, HP, DN]);
    expect(vote?.status).toBe('open');
    expect(vote?.openedBy).toBe('chair trung-uong (chair)');
  });

  it('vote:cast counts one voice per site; totals stay hidden from the snapshot until the chair closes', () => {
    const { m, voteId } = voting('site', false);
    m.ok(A.hn, { type: 'vote:cast', voteId, choice: 0 });
    m.ok(A.hp, { type: 'vote:cast', voteId, choice: 0 });
    m.ok(A.dn, { type: 'vote:cast', voteId, choice: 1 });
    const open = m.snapshot.votes[0];
    expect(open?.totals).toBeNull();
    expect(open?.ballots).toEqual([]);
    expect(open?.voters.map((v) => v.siteId)).toEqual([HN, HP, DN]);
    m.ok(A.chair, { type: 'vote:close', voteId });
    const closed = m.snapshot.votes[0];
    expect(closed?.totals).toEqual([2, 1, 0]);
    expect(closed?.eligible).toBe(3);
    expect(closed?.ballots).toEqual([
      { siteId: HN, counts: [1, 0, 0] },
      { siteId: HP, counts: [1, 0, 0] },
      { siteId: DN, counts: [0, 1, 0] },
    ]);
  });

  it('a secret vote keeps only totals and who voted: no ballot is stored, not even in the record', () => {
    const { m, voteId } = voting('site', true);
    m.ok(A.hn, { type: 'vote:cast', voteId, choice: 2 });
    m.ok(A.hp, { type: 'vote:cast', voteId, choice: 0 });
    expect(m.record.votes[0]?.ballots).toEqual([]);
    m.ok(A.chair, { type: 'vote:close', voteId });
    expect(m.snapshot.votes[0]?.totals).toEqual([1, 0, 1]);
    expect(m.snapshot.votes[0]?.ballots).toEqual([]);
    expect(m.snapshot.votes[0]?.voters.map((v) => v.siteId)).toEqual([HN, HP]);
  });

  it('vote:cast per delegate takes voices per option up to the delegates the site declared', () => {
    const { m, voteId } = voting('delegate', false);
    m.ok(A.hn, { type: 'site:declare', delegates: 20 });
    m.ok(A.hp, { type: 'site:declare', delegates: 12 });
    m.ok(A.hn, { type: 'vote:cast', voteId, counts: [18, 1, 1] });
    const over = m.refused(A.hp, { type: 'vote:cast', voteId, counts: [10, 3, 0] });
    expect(over.code).toBe('VALIDATION');
    expect(over.message).toContain('12 delegates declared');
    m.ok(A.hp, { type: 'vote:cast', voteId, counts: [12, 0, 0] });
    const undeclared = m.refused(A.dn, { type: 'vote:cast', voteId, counts: [1, 0, 0] });
    expect(undeclared.code).toBe('INVALID_STATE');
    expect(undeclared.message).toContain('declare the delegates');
    m.ok(A.chair, { type: 'vote:close', voteId });
    expect(m.snapshot.votes[0]?.totals).toEqual([30, 1, 1]);
    expect(m.snapshot.votes[0]?.eligible).toBe(32);
  });

  it('vote:cast refuses a second ballot from the same site with CONFLICT', () => {
    const { m, voteId } = voting('site', false);
    m.ok(A.hn, { type: 'vote:cast', voteId, choice: 0 });
    const again = m.refused(A.hn, { type: 'vote:cast', voteId, choice: 1 });
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toContain('already voted');
  });

  it('vote:cast after the chair closed the vote is refused as late (INVALID_STATE), also once the meeting ended', () => {
    const { m, voteId } = voting('site', false);
    m.ok(A.chair, { type: 'vote:close', voteId });
    const late = m.refused(A.hn, { type: 'vote:cast', voteId, choice: 0 });
    expect(late.code).toBe('INVALID_STATE');
    expect(late.message).toContain('too late');
    const second = voting('site', false);
    second.m.ok(A.chair, { type: 'meeting:end' });
    expect(second.m.snapshot.votes[0]?.status).toBe('closed');
    expect(second.m.refused(A.hn, { type: 'vote:cast', voteId: second.voteId, choice: 0 }).message).toContain(
      'too late',
    );
  });

  it('vote:cast from a chair, operator, secretary or observer is refused with FORBIDDEN', () => {
    const { m, voteId } = voting('site', false);
    for (const who of [A.chair, A.operator, A.secretary, A.observer, A.organizer]) {
      expect(m.refused(who, { type: 'vote:cast', voteId, choice: 0 }).code).toBe('FORBIDDEN');
    }
  });

  it('a site that reconnects during the vote can still vote, once', () => {
    const { m, voteId } = voting('site', false);
    m.leave(A.hn);
    m.tick(5_000).join(A.hn);
    m.ok(A.hn, { type: 'vote:cast', voteId, choice: 1 });
    m.leave(A.hn).join(A.hn);
    expect(m.refused(A.hn, { type: 'vote:cast', voteId, choice: 1 }).code).toBe('CONFLICT');
  });

  it('vote:open is refused while another question is open, and before the meeting is live', () => {
    const { m } = voting('site', false);
    const second = m.refused(A.chair, {
      type: 'vote:open',
      question: 'Câu hỏi thứ hai',
      counting: 'site',
      secret: false,
    });
    expect(second.code).toBe('INVALID_STATE');
    const early = new TestMeeting();
    expect(
      early.refused(A.chair, { type: 'vote:open', question: 'Sớm', counting: 'site', secret: false }).code,
    ).toBe('INVALID_STATE');
  });

  it('vote:cast refuses an option outside the question and a ballot of the wrong shape with VALIDATION', () => {
    const { m, voteId } = voting('site', false);
    expect(m.refused(A.hn, { type: 'vote:cast', voteId, choice: 5 }).code).toBe('VALIDATION');
    expect(m.refused(A.hn, { type: 'vote:cast', voteId, counts: [1, 0, 0] }).code).toBe('VALIDATION');
    expect(m.refused(A.hn, { type: 'vote:cast', voteId: 'nope' as VoteId, choice: 0 }).code).toBe(
      'NOT_FOUND',
    );
  });

  it('vote:close twice is refused with INVALID_STATE; a site may not close', () => {
    const { m, voteId } = voting('site', false);
    expect(m.refused(A.hn, { type: 'vote:close', voteId }).code).toBe('FORBIDDEN');
    expect(m.refused(A.operator, { type: 'vote:close', voteId }).code).toBe('FORBIDDEN');
    m.ok(A.chair, { type: 'vote:close', voteId });
    expect(m.refused(A.chair, { type: 'vote:close', voteId }).code).toBe('INVALID_STATE');
  });
});
