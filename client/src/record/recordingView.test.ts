import type { RecordingState } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { recordingView } from './recordingView';

const running: RecordingState = { recordingId: 'r1', startedAt: 1, by: 'Chủ trì', failure: null };
const failed: RecordingState = { ...running, failure: { at: 2, message: 'SIGKILL' } };

describe('recordingView()', () => {
  it('shows the recording badge to every role while a recording runs, and no badge otherwise', () => {
    for (const role of ['chair', 'operator', 'site', 'observer', 'secretary', 'organizer'] as const) {
      expect(recordingView(role, 'live', running).badge, role).toBe(true);
      expect(recordingView(role, 'live', null).badge, role).toBe(false);
      expect(recordingView(role, 'live', failed).badge, role).toBe(false);
    }
  });

  it('gives the chair and the operator start while live and not recording, stop while recording', () => {
    for (const role of ['chair', 'operator'] as const) {
      expect(recordingView(role, 'live', null)).toMatchObject({ start: 'start', stop: false });
      expect(recordingView(role, 'live', running)).toMatchObject({ start: null, stop: true });
      expect(recordingView(role, 'techCheck', null).start).toBeNull();
    }
  });

  it('gives a site, an observer and a secretary no control', () => {
    for (const role of ['site', 'observer', 'secretary'] as const) {
      expect(recordingView(role, 'live', null)).toMatchObject({ start: null, stop: false, dismiss: false });
      expect(recordingView(role, 'live', running)).toMatchObject({ start: null, stop: false });
    }
  });

  it('after a failure every role sees the alert; moderators read why, may record again or dismiss it', () => {
    expect(recordingView('site', 'live', failed)).toMatchObject({ failed: true, failureDetail: false });
    expect(recordingView('operator', 'live', failed)).toEqual({
      badge: false,
      failed: true,
      failureDetail: true,
      start: 'restart',
      stop: false,
      dismiss: true,
    });
  });
});
