import type { AuditEntry } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/Actor.js';
import { auditEntryOf } from '../../src/domain/AuditLog.js';
import type { PersonCommand } from '../../src/domain/commands.js';
import { A, liveMeeting, techCheckMeeting } from './harness.js';

describe('recording:start / recording:stop', () => {
  it('recording:start by the chair puts the recording in every snapshot, with who and when', () => {
    const { m } = liveMeeting();
    const { recordingId } = m.ok<{ recordingId: string }>(A.chair, { type: 'recording:start' });
    expect(m.snapshot.moderation.recording).toEqual({
      recordingId,
      startedAt: m.now,
      by: 'chair trung-uong (chair)',
      failure: null,
    });
  });

  it('recording:start is refused with INVALID_STATE before the meeting is live', () => {
    const { m } = techCheckMeeting();
    expect(m.refused(A.chair, { type: 'recording:start' }).code).toBe('INVALID_STATE');
  });

  it('recording:start is refused with CONFLICT while the meeting is already being recorded', () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'recording:start' });
    const err = m.refused(A.chair, { type: 'recording:start' });
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain('already');
  });

  it('recording:start and recording:stop are refused with FORBIDDEN for a site, a secretary, an observer and the organizer', () => {
    const { m } = liveMeeting();
    for (const who of [A.hn, A.secretary, A.observer, A.organizer]) {
      expect(m.refused(who, { type: 'recording:start' }).code).toBe('FORBIDDEN');
    }
    m.ok(A.chair, { type: 'recording:start' });
    for (const who of [A.hn, A.secretary, A.observer, A.organizer]) {
      expect(m.refused(who, { type: 'recording:stop' }).code).toBe('FORBIDDEN');
    }
  });

  it('recording:stop clears the recording; a second stop is refused with INVALID_STATE', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'recording:start' });
    m.ok(A.operator, { type: 'recording:stop' });
    expect(m.snapshot.moderation.recording).toBeNull();
    expect(m.refused(A.chair, { type: 'recording:stop' }).code).toBe('INVALID_STATE');
  });

  it('recording:failed (hub only) keeps the recording with its alert; a new start is allowed, a stop dismisses it', () => {
    const { m } = liveMeeting();
    const { recordingId } = m.ok<{ recordingId: string }>(A.chair, { type: 'recording:start' });
    const failed = { type: 'recording:failed', recordingId, message: 'ffmpeg stopped (SIGKILL)' } as const;
    expect(m.refused(A.chair, failed).code).toBe('FORBIDDEN');
    m.ok(SYSTEM, { type: 'recording:failed', recordingId: 'an-older-one', message: 'x' });
    expect(m.snapshot.moderation.recording?.failure).toBeNull();
    m.ok(SYSTEM, failed);
    expect(m.snapshot.moderation.recording?.failure).toEqual({
      at: m.now,
      message: 'ffmpeg stopped (SIGKILL)',
    });
    m.ok(A.chair, { type: 'recording:stop' });
    expect(m.snapshot.moderation.recording).toBeNull();
    m.ok(A.chair, { type: 'recording:start' });
    m.ok(SYSTEM, {
      type: 'recording:failed',
      recordingId: m.record.moderation.recording?.recordingId ?? '',
      message: 'disk full',
    });
    const again = m.ok<{ recordingId: string }>(A.operator, { type: 'recording:start' });
    expect(m.snapshot.moderation.recording).toMatchObject({ recordingId: again.recordingId, failure: null });
  });

  it('meeting:end stops the recording', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'recording:start' });
    m.ok(A.chair, { type: 'meeting:end' });
    expect(m.snapshot.moderation.recording).toBeNull();
  });

  it('recording start and stop are in the audit log with the recording id', () => {
    const { m } = liveMeeting();
    const entries: AuditEntry[] = [];
    const run = (actor: typeof A.chair, cmd: PersonCommand) => {
      const before = m.record;
      m.ok(actor, cmd);
      const entry = auditEntryOf(before, m.record, actor, cmd, m.now);
      if (entry) entries.push(entry);
    };
    run(A.chair, { type: 'recording:start' });
    const id = m.record.moderation.recording?.recordingId;
    run(A.operator, { type: 'recording:stop' });
    expect(entries.map((e) => [e.action, e.actorRole, e.target])).toEqual([
      ['recording:start', 'chair', id],
      ['recording:stop', 'operator', id],
    ]);
  });
});
