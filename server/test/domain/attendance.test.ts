import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/Actor.js';
import { attendanceReport } from '../../src/domain/Attendance.js';
import { A, actor, DN, HN, HOST, HP, liveMeeting, NOT_INVITED, TestMeeting } from './harness.js';

describe('Attendance and bridge points', () => {
  it('starts with every invited site absent and zero totals', () => {
    const m = new TestMeeting();
    expect(m.snapshot.totals).toEqual({ invitedSites: 4, connectedSites: 0, mediaSites: 0, delegates: 0 });
    expect(m.record.sites.map((s) => [s.id, s.isHost, s.connection])).toEqual([
      [HOST, true, 'absent'],
      [HN, false, 'absent'],
      [HP, false, 'absent'],
      [DN, false, 'absent'],
    ]);
  });

  it("a site's device joining marks it connected, stamps its first join and logs it", () => {
    const m = new TestMeeting();
    m.join(A.hn);
    expect(m.site(HN)).toMatchObject({ connection: 'connected', firstJoinedAt: m.now, lastLeftAt: null });
    expect(m.record.attendance).toEqual([{ siteId: HN, kind: 'join', at: m.now, delegates: null }]);
    expect(m.snapshot.participants.map((p) => p.id)).toEqual([A.hn.participantId]);
  });

  it('the chair joining connects the host site; an operator or secretary connects no site', () => {
    const m = new TestMeeting();
    m.join(A.operator).join(A.secretary).join(A.observer);
    expect(m.site(HOST).connection).toBe('absent');
    m.join(A.chair);
    expect(m.site(HOST).connection).toBe('connected');
    expect(m.snapshot.totals.connectedSites).toBe(1);
  });

  it('media flowing, then poor quality, then recovery, as the roll-call board shows it', () => {
    const m = new TestMeeting();
    m.join(A.hn);
    m.ok(SYSTEM, { type: 'site:mediaFlowing', siteId: HN, flowing: true });
    expect(m.site(HN).connection).toBe('media');
    m.ok(SYSTEM, { type: 'site:quality', siteId: HN, poor: true });
    expect(m.site(HN).connection).toBe('poor');
    expect(m.snapshot.totals.mediaSites).toBe(1);
    m.ok(SYSTEM, { type: 'site:quality', siteId: HN, poor: false });
    expect(m.site(HN).connection).toBe('media');
    m.ok(SYSTEM, { type: 'site:mediaFlowing', siteId: HN, flowing: false });
    expect(m.site(HN).connection).toBe('connected');
  });

  it('quality and media reports for an absent site change nothing', () => {
    const m = new TestMeeting();
    const v = m.record.version;
    m.ok(SYSTEM, { type: 'site:quality', siteId: HN, poor: true });
    m.ok(SYSTEM, { type: 'site:mediaFlowing', siteId: HN, flowing: true });
    expect(m.site(HN).connection).toBe('absent');
    expect(m.record.version).toBe(v);
  });

  it('a site declares its own delegates, logged with the count', () => {
    const m = new TestMeeting();
    m.join(A.hn);
    m.ok(A.hn, { type: 'site:declare', delegates: 42 });
    expect(m.site(HN).declaredDelegates).toBe(42);
    expect(m.record.attendance.at(-1)).toEqual({ siteId: HN, kind: 'declare', at: m.now, delegates: 42 });
  });

  it('totals count delegates only for connected sites', () => {
    const { m } = liveMeeting();
    m.ok(A.hn, { type: 'site:declare', delegates: 40 });
    m.ok(A.hp, { type: 'site:declare', delegates: 25 });
    m.ok(A.chair, { type: 'site:declare', delegates: 120 });
    m.ok(SYSTEM, { type: 'site:mediaFlowing', siteId: HN, flowing: true });
    expect(m.snapshot.totals).toEqual({ invitedSites: 4, connectedSites: 4, mediaSites: 1, delegates: 185 });
    m.leave(A.hp);
    expect(m.snapshot.totals).toEqual({ invitedSites: 4, connectedSites: 3, mediaSites: 1, delegates: 160 });
    expect(m.site(HP).declaredDelegates).toBe(25);
  });

  it("the site's last device leaving marks it absent with its leave time and resets its microphone flags", () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'mic:set', siteId: HP, open: true });
    const second = actor('site', HP, 'hp-2');
    m.join(second);
    m.tick(1000).leave(A.hp);
    expect(m.site(HP).connection).toBe('connected');
    m.tick(1000).leave(second);
    expect(m.site(HP)).toMatchObject({
      connection: 'absent',
      lastLeftAt: m.now,
      micOpenedByModerator: false,
    });
    expect(m.record.attendance.filter((e) => e.siteId === HP).map((e) => e.kind)).toEqual(['join', 'leave']);
  });

  it('a participant leaving twice, or one never seen, changes nothing', () => {
    const { m } = liveMeeting();
    m.leave(A.hn);
    const v = m.record.version;
    m.leave(A.hn);
    m.leave(actor('observer', null, 'ghost'));
    expect(m.record.version).toBe(v);
  });

  it('a reconnect with the same participant id replaces the entry instead of counting twice', () => {
    const m = new TestMeeting();
    m.join(A.hn);
    m.tick(5000).join(A.hn);
    expect(m.record.participants).toHaveLength(1);
    expect(m.record.participants[0]?.connectedAt).toBe(m.now);
    expect(m.record.attendance).toHaveLength(1);
  });

  it('participant:joined rejects with LIMIT beyond the connection cap', () => {
    const m = new TestMeeting({ maxConnections: 2 });
    m.join(A.chair).join(A.hn);
    const result = m.run(SYSTEM, {
      type: 'participant:joined',
      participant: { id: A.hp.participantId, role: 'site', siteId: HP, displayName: 'HP' },
    });
    expect(!result.ok && result.error.code).toBe('LIMIT');
    m.join(A.hn);
  });

  it('participant:joined rejects with NOT_FOUND for a site not invited, and INVALID_STATE after the end', () => {
    const { m } = liveMeeting();
    const stranger = actor('site', NOT_INVITED);
    const join = {
      type: 'participant:joined',
      participant: { ...stranger, id: stranger.participantId },
    } as const;
    expect(m.refused(SYSTEM, join).code).toBe('NOT_FOUND');
    m.ok(A.chair, { type: 'meeting:end' });
    expect(m.refused(SYSTEM, { ...join, participant: { ...A.hn, id: A.hn.participantId } }).code).toBe(
      'INVALID_STATE',
    );
  });

  it('participants:reset drops every stale connection after a hub restart in one batch', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'floor:grant', siteId: HN });
    const v = m.record.version;
    m.tick(1000).ok(SYSTEM, { type: 'participants:reset' });
    expect(m.record.version).toBe(v + 1);
    expect(m.record.participants).toEqual([]);
    expect(m.snapshot.totals).toMatchObject({ connectedSites: 0, delegates: 0 });
    expect(m.record.queue.history.at(-1)).toMatchObject({ siteId: HN, endReason: 'left' });
    expect(m.record.attendance.filter((e) => e.kind === 'leave')).toHaveLength(4);
  });

  it('participants:reset can drop only the listed connections', () => {
    const { m } = liveMeeting();
    m.ok(SYSTEM, {
      type: 'participants:reset',
      participantIds: [A.hn.participantId, A.observer.participantId],
    });
    expect(m.site(HN).connection).toBe('absent');
    expect(m.site(HP).connection).toBe('connected');
  });

  it('participant:left is still recorded after the end, for the leave times of the report', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'meeting:end' });
    m.tick(1000).leave(A.hn);
    expect(m.record.attendance.at(-1)).toMatchObject({ siteId: HN, kind: 'leave', at: m.now });
  });

  it('attendanceReport() lists presence spans, connected time, delegates and speaking turns per site', () => {
    const m = new TestMeeting();
    const t0 = m.now;
    m.join(A.chair).join(A.hn);
    m.ok(A.operator, { type: 'meeting:openTechCheck' });
    m.ok(A.chair, { type: 'meeting:goLive' });
    m.ok(A.hn, { type: 'site:declare', delegates: 12 });
    m.tick(60_000).leave(A.hn);
    m.tick(30_000).join(A.hn);
    m.ok(A.chair, { type: 'floor:grant', siteId: HN, seconds: 0 });
    m.tick(120_000).ok(A.chair, { type: 'floor:revoke' });
    const hn = attendanceReport(m.record.sites, m.record.attendance, m.record.queue, m.now).find(
      (s) => s.siteId === HN,
    );
    expect(hn).toMatchObject({
      declaredDelegates: 12,
      presence: [
        { joinedAt: t0, leftAt: t0 + 60_000 },
        { joinedAt: t0 + 90_000, leftAt: null },
      ],
      connectedMs: 60_000 + 120_000,
      turns: [{ grantedAt: t0 + 90_000, durationMs: 120_000, topic: '', endReason: 'revoked' }],
    });
  });
});

describe('Site microphones', () => {
  it('mic:set() opening a site also lifts its self-mute; closing mutes it', () => {
    const { m } = liveMeeting();
    m.ok(A.hn, { type: 'mic:selfMute', muted: true });
    m.ok(A.operator, { type: 'mic:set', siteId: HN, open: true });
    expect(m.site(HN)).toMatchObject({ micOpenedByModerator: true, selfMuted: false });
    m.ok(A.operator, { type: 'mic:set', siteId: HN, open: false });
    expect(m.site(HN)).toMatchObject({ micOpenedByModerator: false, selfMuted: true });
  });

  it('mic:selfMute() mutes and unmutes the own site only', () => {
    const { m } = liveMeeting();
    m.ok(A.hp, { type: 'mic:selfMute', muted: true });
    expect(m.site(HP).selfMuted).toBe(true);
    expect(m.site(HN).selfMuted).toBe(false);
    m.ok(A.chair, { type: 'mic:selfMute', muted: true });
    expect(m.site(HOST).selfMuted).toBe(true);
  });

  it('mic:set() rejects with NOT_FOUND for a site not invited', () => {
    const { m } = liveMeeting();
    expect(m.refused(A.operator, { type: 'mic:set', siteId: NOT_INVITED, open: true }).code).toBe(
      'NOT_FOUND',
    );
  });
});
