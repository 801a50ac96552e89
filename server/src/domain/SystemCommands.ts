import type { FloorRequestId, ParticipantId, ParticipantState, SiteState } from '@giaoban/shared';
import { logAttendance } from './Attendance.js';
import * as Site from './BridgePoint.js';
import type { SystemCommand } from './commands.js';
import { type Outcome, refuse, succeed } from './DomainError.js';
import type { MeetingRecord } from './MeetingRecord.js';
import { reportLinked, setParentView } from './ParentLink.js';
import { addParticipant, isRoomDevice, removeParticipant, siteHasRoomDevice } from './Participant.js';
import * as Queue from './SpeakingQueue.js';
import type { ExecuteContext, Step } from './Step.js';

/**
 * Applies what the hub itself observed: connections coming and going, media starting and
 * stopping, link quality, and the floor timer. Authorisation was done by the caller (SYSTEM only).
 */
export function runSystemCommand(rec: MeetingRecord, cmd: SystemCommand, ctx: ExecuteContext): Outcome<Step> {
  const { now } = ctx;
  switch (cmd.type) {
    case 'participant:joined':
      return participantJoined(rec, cmd.participant, now);
    case 'participant:left':
      return participantLeft(rec, cmd.participantId, ctx);
    case 'participants:reset': {
      // One command, one version: clients see every stale connection go in a single batch.
      const ids = cmd.participantIds ?? rec.participants.map((p) => p.id);
      let next = rec;
      for (const id of ids) {
        const step = participantLeft(next, id, ctx);
        if (!step.ok) return step;
        next = step.value.record;
      }
      return done(next);
    }
    case 'site:mediaFlowing':
    case 'site:quality': {
      const site = Site.getSite(rec.sites, cmd.siteId);
      if (!site.ok) return site;
      const next =
        cmd.type === 'site:quality'
          ? Site.siteQuality(site.value, cmd.poor)
          : Site.siteMediaFlowing(site.value, cmd.flowing);
      return done({
        ...rec,
        sites: Site.replaceSite(rec.sites, next),
        quality: noteQuality(rec.quality, site.value, next, now),
      });
    }
    case 'floor:expire':
      return done({ ...rec, queue: Queue.expireFloor(rec.queue, now) });
    case 'recording:failed': {
      // Only the recording that failed: a report about an older one (already stopped) changes nothing.
      const recording = rec.moderation.recording;
      if (recording?.recordingId !== cmd.recordingId || recording.failure) return done(rec);
      const failure = { at: now, message: cmd.message.slice(0, 500) };
      return done({ ...rec, moderation: { ...rec.moderation, recording: { ...recording, failure } } });
    }
    case 'parent:view':
      return done(setParentView(rec, cmd.view));
    case 'site:linked': {
      const sites = reportLinked(rec.sites, cmd.siteId, cmd.linked);
      return sites.ok ? done({ ...rec, sites: sites.value }) : sites;
    }
    default: {
      const never: never = cmd;
      return never;
    }
  }
}

const done = (record: MeetingRecord): Outcome<Step> => succeed({ record, reply: null });

/** Appends a quality change when the site entered or left the poor state (nothing otherwise). */
function noteQuality(
  log: MeetingRecord['quality'],
  before: SiteState,
  after: SiteState,
  at: number,
): MeetingRecord['quality'] {
  const wasPoor = before.connection === 'poor';
  const isPoor = after.connection === 'poor';
  return wasPoor === isPoor ? log : [...log, { siteId: after.id, poor: isPoor, at }];
}

/**
 * A connection joined. The connection cap of QĐ 157/2022 is enforced here (LIMIT); a reconnect
 * with the same participant id replaces the old entry and does not count twice. The first room
 * device of a site marks it connected and writes a 'join' to the attendance log.
 */
function participantJoined(
  rec: MeetingRecord,
  join: Extract<SystemCommand, { type: 'participant:joined' }>['participant'],
  now: number,
): Outcome<Step> {
  if (rec.meeting.status === 'ended') return refuse('INVALID_STATE', 'the meeting has ended');
  if (join.role === 'site' && join.siteId === null)
    return refuse('VALIDATION', 'a site connection needs a site');
  const others = rec.participants.filter((p) => p.id !== join.id);
  if (others.length >= rec.meeting.maxConnections) {
    return refuse('LIMIT', `the meeting allows at most ${rec.meeting.maxConnections} connections`);
  }
  const participant: ParticipantState = { ...join, connectedAt: now };
  let next: MeetingRecord = { ...rec, participants: addParticipant(rec.participants, participant) };
  if (join.siteId !== null) {
    const site = Site.getSite(rec.sites, join.siteId);
    if (!site.ok) return site;
    if (isRoomDevice(participant) && !Site.isPresent(site.value.connection)) {
      next = {
        ...next,
        sites: Site.replaceSite(rec.sites, Site.siteConnected(site.value, now)),
        attendance: logAttendance(rec.attendance, {
          siteId: join.siteId,
          kind: 'join',
          at: now,
          delegates: null,
        }),
      };
    }
  }
  return done(next);
}

/**
 * A connection left (unknown ids are ignored: the transport may report a socket twice). When it
 * was its site's last room device, the site goes absent, a 'leave' is logged, and a floor it
 * held ends as 'left' (see SpeakingQueue.siteLeft for why the site is re-queued at the head).
 */
function participantLeft(
  rec: MeetingRecord,
  participantId: ParticipantId,
  ctx: ExecuteContext,
): Outcome<Step> {
  const leaving = rec.participants.find((p) => p.id === participantId);
  if (!leaving) return done(rec);
  const participants = removeParticipant(rec.participants, participantId);
  const siteId = leaving.siteId;
  if (siteId === null || !isRoomDevice(leaving) || siteHasRoomDevice(participants, siteId)) {
    return done({ ...rec, participants });
  }
  const site = rec.sites.find((s) => s.id === siteId);
  if (!site || !Site.isPresent(site.connection)) return done({ ...rec, participants });
  const queue =
    rec.queue.floor?.siteId === siteId
      ? Queue.siteLeft(rec.queue, siteId, ctx.newId() as FloorRequestId, ctx.now)
      : rec.queue;
  return done({
    ...rec,
    participants,
    sites: Site.replaceSite(rec.sites, Site.siteDisconnected(site, ctx.now)),
    attendance: logAttendance(rec.attendance, { siteId, kind: 'leave', at: ctx.now, delegates: null }),
    queue,
  });
}
