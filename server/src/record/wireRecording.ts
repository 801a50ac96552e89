import path from 'node:path';
import type { MeetingId, ParticipantId } from '@giaoban/shared';
import { roleOfLink } from '@giaoban/shared';
import type express from 'express';
import { AuditTrail } from '../app/AuditTrail.js';
import type { MeetingService } from '../app/MeetingService.js';
import type { TokenService } from '../auth/tokens.js';
import { ConfigError } from '../config/Config.js';
import type { Actor } from '../domain/Actor.js';
import { DomainError, unwrap } from '../domain/DomainError.js';
import { authorize } from '../domain/Permissions.js';
import { type RecordingAccess, recordingRoutes } from '../http/recordings.js';
import type { MediaLogger } from '../media/logger.js';
import type { MeetingMedia } from '../media/MeetingMedia.js';
import type { Store } from '../store/Store.js';
import { RecordingLibrary } from './RecordingLibrary.js';
import { RecordingRetentions } from './RecordingRetention.js';
import { RecordingService } from './RecordingService.js';
import { RecordingSweeper } from './RecordingSweeper.js';

/** What the hub hands over to record its meetings and serve the recordings. */
export interface RecordingWiring {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  store: Store;
  meetings: MeetingService;
  tokens: TokenService;
  /** Throws UNAUTHENTICATED unless the token is a valid organizer session. */
  authenticateOrganizer(token: string): string;
  media: (meetingId: MeetingId) => Promise<MeetingMedia>;
  holds: (meetingId: MeetingId) => boolean;
  logger: MediaLogger;
}

/** The recording service and its HTTP routes, ready to mount. */
export interface Recording {
  service: RecordingService;
  library: RecordingLibrary;
  /** The meetings' retention settings and the hub default (RECORDING_RETENTION_DAYS). */
  retentions: RecordingRetentions;
  /** Deletes expired recordings (started here, stopped with the service). */
  sweeper: RecordingSweeper;
  /** Who may read (and delete) a meeting's recordings: also the export bundle's rule. */
  access: RecordingAccess;
  routes: express.Router;
  dir: string;
}

/**
 * Builds recording for the hub: RECORDINGS_DIR (default `<data dir>/recordings`),
 * RECORDING_SEGMENT_SECONDS (default 60), RECORDING_RETENTION_DAYS (default 0: kept until deleted),
 * the library, the service that follows the meetings, the retention sweeper, and the playback
 * routes behind the organizer session or a secretary's link of the meeting.
 */
export function wireRecording(w: RecordingWiring): Recording {
  const dir = path.resolve(w.env.RECORDINGS_DIR || path.join(w.dataDir, 'recordings'));
  const seconds = Number(w.env.RECORDING_SEGMENT_SECONDS || 60);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600)
    throw new ConfigError(
      `RECORDING_SEGMENT_SECONDS must be 1–3600 seconds, not ${w.env.RECORDING_SEGMENT_SECONDS}`,
    );
  const days = Number(w.env.RECORDING_RETENTION_DAYS || 0);
  if (!Number.isInteger(days) || days < 0 || days > 36_500)
    throw new ConfigError(
      `RECORDING_RETENTION_DAYS must be a whole number of days 0–36500 (0: keep until deleted), not ${w.env.RECORDING_RETENTION_DAYS}`,
    );
  const library = new RecordingLibrary(dir);
  const service = new RecordingService({
    meetings: w.meetings,
    media: w.media,
    holds: w.holds,
    library,
    segmentSeconds: seconds,
    logger: w.logger,
  });
  const audit = new AuditTrail(w.store);
  const retentions = new RecordingRetentions(w.store, audit, days);
  const sweeper = new RecordingSweeper({
    library,
    retentions,
    audit,
    writing: (meetingId, recordingId) =>
      service.recorderOf(meetingId as MeetingId)?.dir === library.folderOf(meetingId, recordingId),
    logger: w.logger,
  });
  sweeper.start();
  service.onClose(() => sweeper.close());
  const access = recordingAccess(w);
  return {
    service,
    library,
    retentions,
    sweeper,
    access,
    routes: recordingRoutes(library, access, retentions, audit),
    dir,
  };
}

/** Organizers read and delete; a secretary's link of the meeting reads (watchRecordings). */
export function recordingAccess(
  w: Pick<RecordingWiring, 'store' | 'meetings' | 'tokens' | 'authenticateOrganizer'>,
): RecordingAccess {
  const organizer = async (token: string, meetingId: string): Promise<boolean> => {
    if (!w.tokens.verifyOrganizer(token)) return false;
    w.authenticateOrganizer(token);
    await w.meetings.get(meetingId);
    return true;
  };
  return {
    async mayRead(token, meetingId) {
      if (await organizer(token, meetingId)) return;
      const claims = w.tokens.verifyJoin(token);
      if (!claims) throw new DomainError('UNAUTHENTICATED', 'Sign in, or use a secretary join link');
      const link = await w.store.links.get(claims.sub);
      if (!link || link.meetingId !== claims.mid || link.revokedAt !== null)
        throw new DomainError('UNAUTHENTICATED', 'This join link is not valid any more');
      if (link.meetingId !== meetingId)
        throw new DomainError('FORBIDDEN', 'This join link is for another meeting');
      const actor: Actor = {
        participantId: `recordings:${link.id}` as ParticipantId,
        role: roleOfLink(link.role),
        siteId: link.siteId,
        displayName: link.displayName,
      };
      unwrap(authorize(actor, 'watchRecordings'));
    },
    async mayDelete(token, meetingId) {
      if (await organizer(token, meetingId)) return w.authenticateOrganizer(token);
      if (w.tokens.verifyJoin(token))
        throw new DomainError('FORBIDDEN', 'Only the organizer deletes recordings');
      throw new DomainError('UNAUTHENTICATED', 'Sign in as the organizer');
    },
  };
}
