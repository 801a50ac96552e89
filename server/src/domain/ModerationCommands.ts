import { isRecording, type MeetingStatus, type VoteId } from '@giaoban/shared';
import type { Actor } from './Actor.js';
import * as Site from './BridgePoint.js';
import { setChatMuted } from './Chat.js';
import type { ClientCommand } from './commands.js';
import { type Outcome, refuse, succeed } from './DomainError.js';
import { requireStatus } from './Meeting.js';
import type { MeetingRecord } from './MeetingRecord.js';
import { authorize } from './Permissions.js';
import type { ExecuteContext, Step } from './Step.js';
import * as Vote from './Vote.js';

/** The commands of this file: votes, chat mutes, mute all, talk-back and recording. */
export type ModerationCommand = Extract<
  ClientCommand,
  {
    type:
      | 'vote:open'
      | 'vote:cast'
      | 'vote:close'
      | 'chat:mute'
      | 'mic:muteAll'
      | 'talkback:set'
      | 'recording:start'
      | 'recording:stop';
  }
>;

/** Meeting states in which moderators run the room. */
const OPEN: readonly MeetingStatus[] = ['techCheck', 'live'];

const done = (record: MeetingRecord): Outcome<Step> => succeed({ record, reply: null });

/**
 * Votes, chat mutes, "mute all" and the operator's talk-back line. The role was checked against
 * the matrix before (execute's mayAttempt); what depends on the target is checked here.
 */
export function runModerationCommand(
  rec: MeetingRecord,
  actor: Actor,
  cmd: ModerationCommand,
  ctx: ExecuteContext,
): Outcome<Step> {
  const { now } = ctx;
  switch (cmd.type) {
    case 'vote:open': {
      const live = requireStatus(rec.meeting, ['live'], 'open a vote');
      if (!live.ok) return live;
      const id = ctx.newId() as VoteId;
      const votes = Vote.openVote(rec.votes, {
        id,
        question: cmd,
        sites: rec.sites,
        agendaItemId: rec.agenda.currentItemId,
        by: Vote.actorLabel(actor),
        now,
      });
      return votes.ok ? succeed({ record: { ...rec, votes: votes.value }, reply: { voteId: id } }) : votes;
    }
    case 'vote:cast': {
      // Checked before the meeting's state so a late ballot after the end says "closed", not "ended".
      const mine = authorize(actor, 'castVote', { siteId: actor.siteId });
      if (!mine.ok || actor.siteId === null) return mine.ok ? refuse('FORBIDDEN', 'no bridge point') : mine;
      const site = Site.getSite(rec.sites, actor.siteId);
      if (!site.ok) return site;
      const votes = Vote.castVote(rec.votes, { voteId: cmd.voteId, site: site.value, ballot: cmd, now });
      return votes.ok ? done({ ...rec, votes: votes.value }) : votes;
    }
    case 'vote:close': {
      const votes = Vote.closeVote(rec.votes, {
        voteId: cmd.voteId,
        sites: rec.sites,
        by: Vote.actorLabel(actor),
        now,
      });
      return votes.ok ? done({ ...rec, votes: votes.value }) : votes;
    }
    case 'chat:mute': {
      const open = requireStatus(rec.meeting, OPEN, 'moderate the chat');
      if (!open.ok) return open;
      const site = Site.getSite(rec.sites, cmd.siteId);
      if (!site.ok) return site;
      return done({ ...rec, moderation: setChatMuted(rec.moderation, cmd.siteId, cmd.muted) });
    }
    case 'mic:muteAll': {
      const open = requireStatus(rec.meeting, OPEN, 'mute all sites');
      if (!open.ok) return open;
      return done({ ...rec, sites: rec.sites.map(Site.muteByModerator) });
    }
    case 'talkback:set': {
      const open = requireStatus(rec.meeting, OPEN, 'talk privately with a site');
      if (!open.ok) return open;
      if (cmd.siteId === null) return done({ ...rec, moderation: { ...rec.moderation, talkBack: null } });
      if (cmd.siteId === rec.meeting.hostSiteId)
        return refuse('VALIDATION', 'the host site is where the operator is: choose a bridge point');
      const site = Site.getSite(rec.sites, cmd.siteId);
      if (!site.ok) return site;
      if (!Site.isPresent(site.value.connection))
        return refuse('INVALID_STATE', `site ${cmd.siteId} is not connected`);
      return done({
        ...rec,
        moderation: { ...rec.moderation, talkBack: { siteId: cmd.siteId, operatorName: actor.displayName } },
      });
    }
    case 'recording:start': {
      const live = requireStatus(rec.meeting, ['live'], 'record the meeting');
      if (!live.ok) return live;
      if (isRecording(rec.moderation.recording))
        return refuse('CONFLICT', 'the meeting is already being recorded');
      const recordingId = ctx.newId();
      const recording = { recordingId, startedAt: now, by: Vote.actorLabel(actor), failure: null };
      return succeed({
        record: { ...rec, moderation: { ...rec.moderation, recording } },
        reply: { recordingId },
      });
    }
    case 'recording:stop': {
      if (rec.moderation.recording === null)
        return refuse('INVALID_STATE', 'the meeting is not being recorded');
      return done({ ...rec, moderation: { ...rec.moderation, recording: null } });
    }
    default: {
      const never: never = cmd;
      return never;
    }
  }
}
