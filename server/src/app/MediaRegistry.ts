import { isModerator, type MeetingId, type SiteId } from '@giaoban/shared';
import { isMicAllowed, type MeetingRecord, micHeardBy, programView } from '../domain/index.js';
import { log } from '../log/log.js';
import type { MediaPolicySnapshot, MeetingMedia, SiteAudioLevel, WorkerPool } from '../media/index.js';
import type { MeetingService } from './MeetingService.js';

/** The domain's media policy for one meeting state, in the shape the media layer applies. */
export function mediaPolicyOf(record: MeetingRecord): MediaPolicySnapshot {
  const selfMuted = new Map(record.sites.map((s) => [s.id, s.selfMuted]));
  const view = programView(record);
  const ended = record.meeting.status === 'ended';
  return {
    programSiteId: ended ? null : view.programSiteId,
    // The chair stays in a corner (medium layer) while a site has the program.
    cornerSiteId: ended ? null : view.cornerSiteId,
    micAllowed: (siteId: SiteId) => isMicAllowed(record, siteId),
    micHeardBy: (siteId, viewer) => micHeardBy(record, siteId, viewer),
    selfMuted: (siteId: SiteId) => selfMuted.get(siteId) ?? false,
    gridViewer: isModerator,
    // The host is the corner of every floor turn: its camera stays consumed (paused) everywhere.
    warmSiteIds: ended ? [] : [record.meeting.hostSiteId],
    talkBackSiteId: ended ? null : (record.moderation.talkBack?.siteId ?? null),
  };
}

/** dBov (−127 … 0) to a 0–1 meter level; speech sits around −40 … −10 dBov. */
const meterLevel = (dBov: number): number => Math.max(0, Math.min(1, (dBov + 70) / 70));

/**
 * One MeetingMedia per live meeting, created on first join on the least-loaded worker. Keeps the
 * media in step with the domain: every committed change re-applies the policy, and media facts
 * (a site's media flowing or poor) go back into the domain as system commands.
 */
export class MediaRegistry {
  readonly #rooms = new Map<string, Promise<MeetingMedia>>();
  /**
   * Called when a meeting's media was rebuilt after its worker died (issue 12 step 4), or lost the
   * share it had on a worker that died: those peers are gone, so the transport tells their clients
   * to rebuild (`media:moving`, then a rejoin).
   */
  onRebuilt: (meetingId: MeetingId) => void = () => {};

  constructor(
    private readonly pool: WorkerPool,
    private readonly meetings: MeetingService,
    private readonly onAudioLevels: (
      meetingId: MeetingId,
      levels: { siteId: SiteId; level: number }[],
    ) => void,
  ) {
    meetings.onChanged({
      changed: (meetingId, _batch, record) => {
        const room = this.#rooms.get(meetingId);
        if (!room) return;
        if (record.meeting.status === 'ended') {
          void room.then((m) => m.close('meetingclosed'));
          return;
        }
        void room
          .then((m) => m.applyPolicy(mediaPolicyOf(record)))
          .catch((err) => log.error('MediaRegistry', 'applyPolicy failed', err, { meetingId }));
      },
    });
  }

  /** The meeting's media, created on first use. */
  get(meetingId: MeetingId): Promise<MeetingMedia> {
    let room = this.#rooms.get(meetingId);
    if (!room) {
      room = this.#create(meetingId);
      this.#rooms.set(meetingId, room);
      room.catch(() => this.#rooms.delete(meetingId));
    }
    return room;
  }

  /**
   * A dead worker's meeting gets a new router (program switcher, audio levels, policy) on a live or
   * respawned worker at once, before any client is back; then its clients are told to rebuild.
   */
  async #rebuild(meetingId: MeetingId): Promise<void> {
    const startedAt = Date.now();
    try {
      const record = await this.meetings.get(meetingId);
      if (record.meeting.status === 'ended' || this.#rooms.has(meetingId)) return;
      const media = await this.get(meetingId);
      log.warn('MediaRegistry', 'meeting media rebuilt after its worker died', {
        meetingId,
        worker: this.pool.workerIndexOf(media),
        ms: Date.now() - startedAt,
      });
    } catch (err) {
      log.error('MediaRegistry', 'could not rebuild meeting media after its worker died', err, { meetingId });
    }
    this.onRebuilt(meetingId);
  }

  async #create(meetingId: MeetingId): Promise<MeetingMedia> {
    const { meeting } = await this.meetings.get(meetingId);
    const media = await this.pool.createMeetingMedia(meetingId, meeting.videoCodec);
    const mine = this.#rooms.get(meetingId);
    media.on('close', (reason) => {
      if (this.#rooms.get(meetingId) === mine) this.#rooms.delete(meetingId);
      log.info('MediaRegistry', 'meeting media closed', { meetingId, reason });
      if (reason === 'workerdied') void this.#rebuild(meetingId);
    });
    // A worker the meeting had spread onto died: only its peers rebuild (told like a rebuild).
    media.on('sharelost', ({ workerIndex, peers }) => {
      log.warn('MediaRegistry', "a worker of the meeting's media died; its peers rebuild", {
        meetingId,
        worker: workerIndex,
        peers,
      });
      this.onRebuilt(meetingId);
    });
    media.on('sitemedia', (status) => {
      void this.meetings.system(meetingId, {
        type: 'site:mediaFlowing',
        siteId: status.siteId,
        flowing: status.state !== 'none',
      });
      void this.meetings.system(meetingId, {
        type: 'site:quality',
        siteId: status.siteId,
        poor: status.state === 'poor',
      });
    });
    media.on('audiolevels', (levels: SiteAudioLevel[]) => {
      this.onAudioLevels(
        meetingId,
        levels.map((l) => ({ siteId: l.siteId, level: meterLevel(l.dBov) })),
      );
    });
    await media.applyPolicy(mediaPolicyOf(await this.meetings.get(meetingId)));
    return media;
  }
}
