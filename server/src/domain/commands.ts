import type {
  AgendaItem,
  AgendaItemId,
  ClientCommandEvent,
  ClientPayload,
  DirectorySite,
  DocumentId,
  FloorRequestId,
  LinkedTotals,
  ParentView,
  ParticipantId,
  SiteId,
  SlideDocument,
  VoteId,
} from '@giaoban/shared';
import type { AgendaItemDraft } from './Agenda.js';
import type { MeetingEdit } from './Meeting.js';
import type { ParticipantJoin } from './Participant.js';
import type { Action } from './Permissions.js';
import type { DocumentProgress } from './Slides.js';

/**
 * Name of a client event that maps to a domain command: derived from shared's event table
 * (`ClientEvents`, rows built with `.command()`), so the two cannot drift apart.
 */
export type ClientCommandType = ClientCommandEvent;

/**
 * A command from a client: the event's validated payload with the event name as `type`, so the
 * transport builds it as `{ type: event, ...payload }` and the two cannot drift apart.
 */
export type ClientCommand = { [E in ClientCommandType]: { type: E } & ClientPayload<E> }[ClientCommandType];

/** Organizer edits (from the HTTP API), before or during the meeting. */
export type OrganizerCommand =
  | ({ type: 'meeting:update' } & MeetingEdit)
  | { type: 'sites:invite'; sites: DirectorySite[] }
  | { type: 'sites:uninvite'; siteIds: SiteId[] }
  | { type: 'agenda:addItem'; item: AgendaItemDraft; index?: number }
  | { type: 'agenda:updateItem'; itemId: AgendaItemId; patch: Partial<AgendaItemDraft> }
  /** `workspaceContent`: the secretaries' workspace holds minutes, conclusions or petitions for the item. */
  | { type: 'agenda:removeItem'; itemId: AgendaItemId; workspaceContent: boolean }
  | { type: 'agenda:reorder'; itemIds: string[] }
  | { type: 'documents:remove'; documentId: DocumentId };

/**
 * A document arrives over HTTP, from an organizer or from the presenter during the meeting; the
 * hub has already checked and stored the file, so the command only records it.
 */
export type DocumentCommand = { type: 'documents:add'; document: SlideDocument };

/** What the document converter reports (status and pages done); only the hub runs it. */
export type ConverterCommand = {
  type: 'documents:progress';
  documentId: DocumentId;
  progress: DocumentProgress;
};

/** Facts the hub itself reports (connections, media, timers); only the SYSTEM principal may run them. */
export type SystemCommand =
  | { type: 'participant:joined'; participant: ParticipantJoin }
  | { type: 'participant:left'; participantId: ParticipantId }
  /** Every listed connection (all when omitted) is gone at once: a hub restart, where no socket survived. */
  | { type: 'participants:reset'; participantIds?: ParticipantId[] }
  | { type: 'site:mediaFlowing'; siteId: SiteId; flowing: boolean }
  | { type: 'site:quality'; siteId: SiteId; poor: boolean }
  | { type: 'floor:expire' }
  /** The recorder of this recording stopped on its own (crash, full disk): the alert every page shows. */
  | { type: 'recording:failed'; recordingId: string; message: string }
  /** Linked meetings, in the child: what the parent shows now and the link's state (null: unlinked). */
  | { type: 'parent:view'; view: ParentView | null }
  /** Linked meetings, in the parent: a relay link's hub reported the totals of every level below it. */
  | { type: 'site:linked'; siteId: SiteId; linked: LinkedTotals };

/** Everything `execute` understands. */
export type MeetingCommand =
  | ClientCommand
  | OrganizerCommand
  | DocumentCommand
  | SystemCommand
  | ConverterCommand;
/** The `type` of any command. */
export type MeetingCommandType = MeetingCommand['type'];
/** Commands a person issues (clients and organizers), each checked against the permission matrix. */
export type PersonCommand = ClientCommand | OrganizerCommand | DocumentCommand;

/** The action each person command needs; organizer edits are all `editMeeting`. */
export const ACTION_OF: Readonly<Record<PersonCommand['type'], Action>> = {
  'meeting:openTechCheck': 'openTechCheck',
  'meeting:goLive': 'goLive',
  'meeting:end': 'endMeeting',
  'agenda:advance': 'advanceAgenda',
  'agenda:open': 'openAgendaItem',
  'queue:request': 'requestFloor',
  'queue:withdraw': 'withdrawFloorRequest',
  'queue:reorder': 'reorderQueue',
  'floor:grant': 'grantFloor',
  'floor:revoke': 'revokeFloor',
  'floor:extend': 'extendFloor',
  'floor:yield': 'yieldFloor',
  'stage:pin': 'pinStage',
  'site:declare': 'declareAttendance',
  'mic:set': 'setSiteMic',
  'mic:selfMute': 'selfMute',
  'techCheck:talkTo': 'talkToSite',
  'mic:muteAll': 'muteAllSites',
  'talkback:set': 'talkBack',
  'recording:start': 'recordMeeting',
  'recording:stop': 'recordMeeting',
  'vote:open': 'openVote',
  'vote:cast': 'castVote',
  'vote:close': 'closeVote',
  'chat:mute': 'moderateChat',
  'relay:localSegment': 'steerRelay',
  'slides:show': 'presentSlides',
  'slides:page': 'presentSlides',
  'slides:presenter': 'assignPresenter',
  'slides:stop': 'presentSlides',
  'documents:add': 'uploadDocument',
  'documents:remove': 'editMeeting',
  'meeting:update': 'editMeeting',
  'sites:invite': 'editMeeting',
  'sites:uninvite': 'editMeeting',
  'agenda:addItem': 'editMeeting',
  'agenda:updateItem': 'editMeeting',
  'agenda:removeItem': 'editMeeting',
  'agenda:reorder': 'editMeeting',
};

const SYSTEM_TYPES: ReadonlySet<string> = new Set<SystemCommand['type']>([
  'participant:joined',
  'participant:left',
  'participants:reset',
  'site:mediaFlowing',
  'site:quality',
  'floor:expire',
  'recording:failed',
  'parent:view',
  'site:linked',
]);

/** True for commands only the hub may issue. */
export const isSystemCommand = (c: MeetingCommand): c is SystemCommand => SYSTEM_TYPES.has(c.type);

/** True for the converter's reports (also hub-only). */
export const isConverterCommand = (c: MeetingCommand): c is ConverterCommand =>
  c.type === 'documents:progress';

/** Replies of the commands that return something; every other command replies null. */
export interface CommandReplies {
  'queue:request': { requestId: FloorRequestId };
  'agenda:addItem': AgendaItem;
  'documents:add': SlideDocument;
  'vote:open': { voteId: VoteId };
  'recording:start': { recordingId: string };
}

/** The reply type of a command type (matches ClientAckData for client events). */
export type ReplyOf<T extends MeetingCommandType> = T extends keyof CommandReplies ? CommandReplies[T] : null;

/** Builds the command for a client event from its validated payload. */
export function commandFromClient<E extends ClientCommandType>(
  event: E,
  payload: ClientPayload<E>,
): ClientCommand {
  return { type: event, ...payload } as ClientCommand;
}
