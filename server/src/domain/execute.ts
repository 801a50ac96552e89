import type { FloorRequestId, MeetingStatus, SiteId } from '@giaoban/shared';
import { type Actor, isSystem, type Principal } from './Actor.js';
import * as Agenda from './Agenda.js';
import { logAttendance } from './Attendance.js';
import * as Site from './BridgePoint.js';
import {
  ACTION_OF,
  type ClientCommand,
  type DocumentCommand,
  isConverterCommand,
  isSystemCommand,
  type MeetingCommand,
  type OrganizerCommand,
  type ReplyOf,
} from './commands.js';
import { type Outcome, refuse, succeed } from './DomainError.js';
import { editMeeting, requireStatus, transition } from './Meeting.js';
import { type MeetingRecord, toSnapshot } from './MeetingRecord.js';
import { runModerationCommand } from './ModerationCommands.js';
import { setLocalSegment } from './ParentLink.js';
import { authorize, mayAttempt } from './Permissions.js';
import * as Slides from './Slides.js';
import { deepEqual, diffSnapshots } from './SnapshotDiff.js';
import * as Queue from './SpeakingQueue.js';
import type { ExecuteContext, Executed, Step } from './Step.js';
import { runSystemCommand } from './SystemCommands.js';
import * as Vote from './Vote.js';

/** Meeting states in which the floor and the stage are in use. */
const OPEN: readonly MeetingStatus[] = ['techCheck', 'live'];
/** Every state but ended: an ended meeting is history (its minutes live in the secretaries' workspace). */
const NOT_ENDED: readonly MeetingStatus[] = ['scheduled', 'techCheck', 'live'];

/**
 * The one entry point of the domain: authorises `command` for `principal`, then applies it to
 * `record` without mutating it. The version goes up by exactly one when something changed (even
 * if only what no client sees changed, such as the attendance log: then `changes` is empty but must
 * still be broadcast to keep client versions in step); a command that changed nothing returns the
 * same record and no changes.
 */
export function execute<C extends MeetingCommand>(
  record: MeetingRecord,
  principal: Principal,
  command: C,
  ctx: ExecuteContext,
): Outcome<Executed<ReplyOf<C['type']>>> {
  const step = dispatch(record, principal, command, ctx);
  if (!step.ok) return step;
  const reply = step.value.reply as ReplyOf<C['type']>;
  const next = step.value.record;
  if (next === record || deepEqual(next, record)) return succeed({ record, changes: [], reply });
  const bumped: MeetingRecord = { ...next, version: record.version + 1 };
  return succeed({ record: bumped, changes: diffSnapshots(toSnapshot(record), toSnapshot(bumped)), reply });
}

function dispatch(
  record: MeetingRecord,
  principal: Principal,
  command: MeetingCommand,
  ctx: ExecuteContext,
): Outcome<Step> {
  if (isSystemCommand(command)) {
    if (!isSystem(principal)) return refuse('FORBIDDEN', `only the hub may report ${command.type}`);
    return runSystemCommand(record, command, ctx);
  }
  if (isConverterCommand(command)) {
    if (!isSystem(principal)) return refuse('FORBIDDEN', `only the hub may report ${command.type}`);
    const slides = Slides.reportProgress(record.slides, command.documentId, command.progress);
    return slides.ok ? done({ ...record, slides: slides.value }) : slides;
  }
  // The hub never acts in a person's name: a person command always carries a real actor.
  if (isSystem(principal)) return refuse('FORBIDDEN', `${command.type} needs a person, not the hub`);
  const allowed = mayAttempt(principal, ACTION_OF[command.type]);
  if (!allowed.ok) return allowed;
  return runPersonCommand(record, principal, command, ctx);
}

/** Shorthand for a step with no reply. */
const done = (record: MeetingRecord): Outcome<Step> => succeed({ record, reply: null });

function runPersonCommand(
  rec: MeetingRecord,
  actor: Actor,
  cmd: ClientCommand | OrganizerCommand | DocumentCommand,
  ctx: ExecuteContext,
): Outcome<Step> {
  const { now } = ctx;
  switch (cmd.type) {
    case 'meeting:openTechCheck':
    case 'meeting:goLive': {
      const meeting = transition(rec.meeting, cmd.type === 'meeting:goLive' ? 'live' : 'techCheck', now);
      if (!meeting.ok) return meeting;
      // Live, every site hears the chair: the private tech-check line has no meaning any more.
      const talkTo = cmd.type === 'meeting:goLive' ? null : meeting.value.techCheckTalkTo;
      return done({ ...rec, meeting: { ...meeting.value, techCheckTalkTo: talkTo } });
    }
    case 'techCheck:talkTo': {
      const before = requireStatus(
        rec.meeting,
        ['scheduled', 'techCheck'],
        'open the technical check to one site',
      );
      if (!before.ok) return before;
      if (cmd.siteId !== null) {
        if (cmd.siteId === rec.meeting.hostSiteId)
          return refuse('VALIDATION', 'the host site is where the chair is: choose a bridge point');
        const site = Site.getSite(rec.sites, cmd.siteId);
        if (!site.ok) return site;
      }
      return done({ ...rec, meeting: { ...rec.meeting, techCheckTalkTo: cmd.siteId } });
    }
    case 'meeting:end': {
      const meeting = transition(rec.meeting, 'ended', now);
      if (!meeting.ok) return meeting;
      // Ending closes the floor and the current item, so the report's times are complete.
      const agenda = Agenda.closeCurrent(rec.agenda, now);
      return done({
        ...rec,
        meeting: meeting.value,
        agenda,
        queue: Queue.closeQueue(rec.queue, now),
        // Open votes close with the meeting (later ballots are late); the talk-back line and the
        // recording stop (a failed recording's alert stays for whoever reads the record).
        votes: Vote.closeAll(rec.votes, rec.sites, now),
        moderation: {
          ...rec.moderation,
          talkBack: null,
          recording: rec.moderation.recording?.failure ? rec.moderation.recording : null,
        },
      });
    }
    case 'agenda:advance':
    case 'agenda:open': {
      const live = requireStatus(rec.meeting, ['live'], 'move through the agenda');
      if (!live.ok) return live;
      const agenda =
        cmd.type === 'agenda:open'
          ? Agenda.openItem(rec.agenda, cmd.itemId, now)
          : Agenda.advance(rec.agenda, now);
      if (!agenda.ok) return agenda;
      return done(bringUpItem({ ...rec, agenda: agenda.value }, Vote.actorLabel(actor), now));
    }
    case 'queue:request': {
      const open = requireStatus(rec.meeting, OPEN, 'request the floor');
      if (!open.ok) return open;
      const mine = authorize(actor, 'requestFloor', { siteId: actor.siteId });
      if (!mine.ok || actor.siteId === null) return mine.ok ? refuse('FORBIDDEN', 'no bridge point') : mine;
      const site = Site.getSite(rec.sites, actor.siteId);
      if (!site.ok) return site;
      const id = ctx.newId() as FloorRequestId;
      const queue = Queue.requestFloor(rec.queue, {
        id,
        siteId: actor.siteId,
        topic: cmd.topic,
        requestedAt: now,
      });
      return queue.ok ? succeed({ record: { ...rec, queue: queue.value }, reply: { requestId: id } }) : queue;
    }
    case 'queue:withdraw': {
      const request = Queue.findRequest(rec.queue, cmd.requestId);
      if (!request.ok) return request;
      const mine = authorize(actor, 'withdrawFloorRequest', { siteId: request.value.siteId });
      if (!mine.ok) return mine;
      const queue = Queue.withdrawRequest(rec.queue, cmd.requestId);
      return queue.ok ? done({ ...rec, queue: queue.value }) : queue;
    }
    case 'queue:reorder': {
      const queue = Queue.reorderRequests(rec.queue, cmd.requestIds);
      return queue.ok ? done({ ...rec, queue: queue.value }) : queue;
    }
    case 'floor:grant':
      return grant(rec, cmd, now, Vote.actorLabel(actor));
    case 'floor:revoke':
    case 'floor:extend': {
      const live = requireStatus(rec.meeting, ['live'], 'manage the floor');
      if (!live.ok) return live;
      const queue =
        cmd.type === 'floor:extend'
          ? Queue.extendFloor(rec.queue, cmd.seconds, now)
          : Queue.revokeFloor(rec.queue, now);
      return queue.ok ? done({ ...rec, queue: queue.value }) : queue;
    }
    case 'floor:yield': {
      const floor = rec.queue.floor;
      if (!floor) return refuse('INVALID_STATE', 'nobody holds the floor');
      const mine = authorize(actor, 'yieldFloor', { siteId: floor.siteId });
      if (!mine.ok) return mine;
      const queue = Queue.yieldFloor(rec.queue, now);
      return queue.ok ? done({ ...rec, queue: queue.value }) : queue;
    }
    case 'stage:pin': {
      const open = requireStatus(rec.meeting, OPEN, 'pin the stage');
      if (!open.ok) return open;
      if (cmd.siteId !== null) {
        const site = Site.getSite(rec.sites, cmd.siteId);
        if (!site.ok) return site;
      }
      return done({ ...rec, stage: { pinnedSiteId: cmd.siteId } });
    }
    case 'site:declare':
      return declare(rec, actor, cmd.siteId ?? actor.siteId, cmd.delegates, now);
    case 'mic:set': {
      const open = requireStatus(rec.meeting, NOT_ENDED, 'open or close microphones');
      if (!open.ok) return open;
      const site = Site.getSite(rec.sites, cmd.siteId);
      if (!site.ok) return site;
      return done({ ...rec, sites: Site.replaceSite(rec.sites, Site.setModeratorMic(site.value, cmd.open)) });
    }
    case 'mic:selfMute': {
      const open = requireStatus(rec.meeting, NOT_ENDED, 'mute');
      if (!open.ok) return open;
      const mine = authorize(actor, 'selfMute', { siteId: actor.siteId });
      if (!mine.ok || actor.siteId === null) return mine.ok ? refuse('FORBIDDEN', 'no bridge point') : mine;
      const site = Site.getSite(rec.sites, actor.siteId);
      if (!site.ok) return site;
      return done({ ...rec, sites: Site.replaceSite(rec.sites, Site.setSelfMuted(site.value, cmd.muted)) });
    }
    case 'vote:open':
    case 'vote:cast':
    case 'vote:close':
    case 'chat:mute':
    case 'mic:muteAll':
    case 'talkback:set':
    case 'recording:start':
    case 'recording:stop':
      return runModerationCommand(rec, actor, cmd, ctx);
    case 'slides:show':
    case 'slides:page':
    case 'slides:stop':
    case 'slides:presenter':
    case 'documents:add':
      return runSlidesCommand(rec, actor, cmd);
    case 'relay:localSegment': {
      const open = requireStatus(rec.meeting, NOT_ENDED, 'switch between relaying and a local segment');
      if (!open.ok) return open;
      const next = setLocalSegment(rec, cmd.local);
      return next.ok ? done(next.value) : next;
    }
    default:
      return runOrganizerCommand(rec, cmd, ctx);
  }
}

/**
 * Presenting and uploading. Every screen shows `slides.showing`, so a page turn is one state
 * change that reaches late joiners through the snapshot. A site acts only while it is the
 * presenter; moderators always may, so they can take over from a stuck site.
 */
function runSlidesCommand(
  rec: MeetingRecord,
  actor: Actor,
  cmd: Extract<ClientCommand, { type: `slides:${string}` }> | DocumentCommand,
): Outcome<Step> {
  const withSlides = (slides: Outcome<MeetingRecord['slides']>): Outcome<Step> =>
    slides.ok ? done({ ...rec, slides: slides.value }) : slides;
  switch (cmd.type) {
    case 'slides:presenter': {
      const open = requireStatus(rec.meeting, NOT_ENDED, 'choose the presenter');
      if (!open.ok) return open;
      if (cmd.siteId !== null) {
        const site = Site.getSite(rec.sites, cmd.siteId);
        if (!site.ok) return site;
      }
      return done({ ...rec, slides: Slides.setPresenter(rec.slides, cmd.siteId) });
    }
    case 'documents:add': {
      const open = requireStatus(rec.meeting, NOT_ENDED, 'add documents');
      if (!open.ok) return open;
      const may = Slides.mayUpload(rec.slides, actor);
      if (!may.ok) return may;
      if (cmd.document.agendaItemId !== null) {
        const item = Agenda.getItem(rec.agenda, cmd.document.agendaItemId);
        if (!item.ok) return item;
      }
      const slides = Slides.addDocument(rec.slides, cmd.document);
      return slides.ok ? succeed({ record: { ...rec, slides: slides.value }, reply: cmd.document }) : slides;
    }
    default: {
      const open = requireStatus(rec.meeting, OPEN, 'present slides');
      if (!open.ok) return open;
      const may = Slides.mayPresent(rec.slides, actor);
      if (!may.ok) return may;
      if (cmd.type === 'slides:show') return withSlides(Slides.show(rec.slides, cmd.documentId));
      if (cmd.type === 'slides:page') return withSlides(Slides.turnPage(rec.slides, cmd.page));
      return done({ ...rec, slides: Slides.stop(rec.slides) });
    }
  }
}

/**
 * Gives the floor by request or by site. Granting is one action for the moderator: the site's
 * microphone opens and it becomes the program, so a pin that would hide it is cleared.
 */
function grant(
  rec: MeetingRecord,
  cmd: Extract<ClientCommand, { type: 'floor:grant' }>,
  now: number,
  grantedBy: string,
): Outcome<Step> {
  const live = requireStatus(rec.meeting, ['live'], 'grant the floor');
  if (!live.ok) return live;
  if ((cmd.requestId === undefined) === (cmd.siteId === undefined)) {
    return refuse('VALIDATION', 'give exactly one of requestId or siteId');
  }
  let siteId: SiteId;
  if (cmd.requestId !== undefined) {
    const request = Queue.findRequest(rec.queue, cmd.requestId);
    if (!request.ok) return request;
    siteId = request.value.siteId;
  } else {
    siteId = cmd.siteId as SiteId;
  }
  const site = Site.getSite(rec.sites, siteId);
  if (!site.ok) return site;
  // An absent room cannot speak; granting it would put a black tile on every screen.
  if (!Site.isPresent(site.value.connection))
    return refuse('INVALID_STATE', `site ${siteId} is not connected`);
  const queue = Queue.grantFloor(rec.queue, {
    siteId,
    ...(cmd.requestId !== undefined ? { requestId: cmd.requestId } : {}),
    agendaItemId: rec.agenda.currentItemId,
    seconds: cmd.seconds ?? rec.meeting.floorSeconds,
    now,
    grantedBy,
  });
  if (!queue.ok) return queue;
  // The floor opens the site's microphone, also after a moderator muted it.
  const sites = site.value.mutedByModerator
    ? Site.replaceSite(rec.sites, { ...site.value, mutedByModerator: false })
    : rec.sites;
  return done({ ...rec, sites, queue: queue.value, stage: { pinnedSiteId: null } });
}

/** A site declares its own delegates; a moderator may declare for any site (e.g. reported by phone). */
function declare(
  rec: MeetingRecord,
  actor: Actor,
  siteId: SiteId | null,
  delegates: number,
  now: number,
): Outcome<Step> {
  const open = requireStatus(rec.meeting, NOT_ENDED, 'declare attendance');
  if (!open.ok) return open;
  if (siteId === null) return refuse('VALIDATION', 'say which site the delegates are at');
  const mine = authorize(actor, 'declareAttendance', { siteId });
  if (!mine.ok) return mine;
  const site = Site.getSite(rec.sites, siteId);
  if (!site.ok) return site;
  const next = Site.declareDelegates(site.value, delegates);
  if (next === site.value) return done(rec);
  return done({
    ...rec,
    sites: Site.replaceSite(rec.sites, next),
    attendance: logAttendance(rec.attendance, { siteId, kind: 'declare', at: now, delegates }),
  });
}

/** An item's presenter must be one of the meeting's sites. */
function presenterInvited(rec: MeetingRecord, siteId: SiteId | null | undefined): Outcome<void> {
  if (siteId === undefined || siteId === null) return succeed(undefined);
  const site = Site.getSite(rec.sites, siteId);
  return site.ok ? succeed(undefined) : site;
}

/**
 * Agenda-driven presenting: the item just opened brings up its deck and its presenter site
 * (Slides.bringUpItem), and a connected presenter site gets the floor for the item's planned time,
 * so it is seen and heard without a second action. Nothing changes for an item without them.
 */
function bringUpItem(rec: MeetingRecord, by: string, now: number): MeetingRecord {
  const item = rec.agenda.items.find((i) => i.id === rec.agenda.currentItemId);
  if (!item) return rec;
  const slides = Slides.bringUpItem(rec.slides, item);
  const siteId = item.presenterSiteId;
  const site = siteId === null ? null : rec.sites.find((s) => s.id === siteId);
  if (!site || site.isHost || !Site.isPresent(site.connection) || rec.queue.floor?.siteId === site.id)
    return { ...rec, slides };
  const queue = Queue.grantFloor(rec.queue, {
    siteId: site.id,
    agendaItemId: item.id,
    seconds: Math.min(item.plannedMinutes * 60, 3600),
    now,
    grantedBy: by,
  });
  if (!queue.ok) return { ...rec, slides };
  const sites = site.mutedByModerator
    ? Site.replaceSite(rec.sites, { ...site, mutedByModerator: false })
    : rec.sites;
  return { ...rec, slides, queue: queue.value, sites, stage: { pinnedSiteId: null } };
}

/** Organizer edits: allowed until the meeting ends, after which its record is history. */
function runOrganizerCommand(rec: MeetingRecord, cmd: OrganizerCommand, ctx: ExecuteContext): Outcome<Step> {
  const open = requireStatus(rec.meeting, NOT_ENDED, 'edit the meeting');
  if (!open.ok) return open;
  switch (cmd.type) {
    case 'meeting:update': {
      const { type: _type, ...edit } = cmd;
      const meeting = editMeeting(rec.meeting, edit);
      return meeting.ok ? done({ ...rec, meeting: meeting.value }) : meeting;
    }
    case 'sites:invite':
      return done({ ...rec, sites: Site.inviteSites(rec.sites, cmd.sites) });
    case 'sites:uninvite': {
      const sites = Site.uninviteSites(rec.sites, cmd.siteIds);
      if (!sites.ok) return sites;
      const gone = new Set(cmd.siteIds);
      const queue = cmd.siteIds.reduce(Queue.dropSiteRequests, rec.queue);
      const pinned = rec.stage.pinnedSiteId;
      const stage = pinned !== null && gone.has(pinned) ? { pinnedSiteId: null } : rec.stage;
      return done({
        ...rec,
        sites: sites.value,
        queue,
        stage,
        slides: Slides.dropSites(rec.slides, cmd.siteIds),
      });
    }
    case 'agenda:addItem': {
      const presenter = presenterInvited(rec, cmd.item.presenterSiteId);
      if (!presenter.ok) return presenter;
      const id = ctx.newId() as Parameters<typeof Agenda.addItem>[1];
      const agenda = Agenda.addItem(rec.agenda, id, cmd.item, cmd.index);
      return succeed({ record: { ...rec, agenda }, reply: agenda.items.find((i) => i.id === id) ?? null });
    }
    case 'agenda:updateItem': {
      const presenter = presenterInvited(rec, cmd.patch.presenterSiteId);
      if (!presenter.ok) return presenter;
      const agenda = Agenda.updateItem(rec.agenda, cmd.itemId, cmd.patch);
      return agenda.ok ? done({ ...rec, agenda: agenda.value }) : agenda;
    }
    case 'agenda:removeItem': {
      const agenda = Agenda.removeItem(rec.agenda, cmd.itemId, cmd.workspaceContent);
      if (!agenda.ok) return agenda;
      return done({ ...rec, agenda: agenda.value, slides: Slides.detachFromItem(rec.slides, cmd.itemId) });
    }
    case 'agenda:reorder': {
      const agenda = Agenda.reorderItems(rec.agenda, cmd.itemIds);
      return agenda.ok ? done({ ...rec, agenda: agenda.value }) : agenda;
    }
    case 'documents:remove': {
      const slides = Slides.removeDocument(rec.slides, cmd.documentId);
      return slides.ok ? done({ ...rec, slides: slides.value }) : slides;
    }
    default: {
      const never: never = cmd;
      return never;
    }
  }
}
