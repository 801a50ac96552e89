import type {
  AgendaItemId,
  DirectorySite,
  DocumentId,
  FloorRequestId,
  Role,
  SlideDocument,
  VoteId,
} from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/Actor.js';
import type { MeetingCommand, PersonCommand } from '../../src/domain/commands.js';
import { ACTIONS, type Action, authorize, ROLES } from '../../src/domain/Permissions.js';
import {
  A,
  ACTOR_OF_ROLE,
  actor,
  DIRECTORY,
  DN,
  HN,
  HP,
  liveMeeting,
  NOT_INVITED,
  TestMeeting,
  techCheckMeeting,
} from './harness.js';

/**
 * PRODUCT.md's role table, written out independently of the implementation's matrix.
 * Organizer prepares and reads reports; chair opens/closes/steers/grants/concludes; operator
 * runs the technical side and the floor; secretary writes the record; site speaks and publishes;
 * observer only watches.
 */
const ALLOWED: Record<Action, readonly Role[]> = {
  // Organizers move the meeting over the HTTP API too (issue 16: start over HTTP).
  openTechCheck: ['organizer', 'chair', 'operator'],
  goLive: ['organizer', 'chair'],
  endMeeting: ['organizer', 'chair'],
  advanceAgenda: ['chair'],
  openAgendaItem: ['chair'],
  requestFloor: ['site'],
  withdrawFloorRequest: ['chair', 'operator', 'site'],
  reorderQueue: ['chair', 'operator'],
  grantFloor: ['chair', 'operator'],
  revokeFloor: ['chair', 'operator'],
  extendFloor: ['chair', 'operator'],
  yieldFloor: ['site'],
  pinStage: ['chair', 'operator'],
  declareAttendance: ['chair', 'operator', 'site'],
  setSiteMic: ['chair', 'operator'],
  talkToSite: ['chair', 'operator'],
  selfMute: ['chair', 'site'],
  readMinutes: ['organizer', 'chair', 'secretary'],
  writeMinutes: ['secretary'],
  confirmConclusion: ['chair'],
  readConclusions: ['organizer', 'chair', 'operator', 'secretary'],
  publishMedia: ['chair', 'site'],
  viewGrid: ['chair', 'operator'],
  readRollCall: ['organizer', 'chair', 'operator'],
  editMeeting: ['organizer'],
  issueLinks: ['organizer'],
  presentSlides: ['chair', 'operator', 'site'],
  assignPresenter: ['chair', 'operator'],
  uploadDocument: ['organizer', 'chair', 'operator', 'site'],
  muteAllSites: ['chair', 'operator'],
  talkBack: ['operator'],
  recordMeeting: ['chair', 'operator'],
  watchRecordings: ['organizer', 'secretary'],
  openVote: ['chair'],
  closeVote: ['chair'],
  castVote: ['site'],
  readVoteTally: ['chair', 'operator'],
  readChat: ['organizer', 'chair', 'operator', 'secretary', 'site', 'observer'],
  sendChat: ['chair', 'operator', 'secretary', 'site'],
  chatPrivately: ['operator', 'site'],
  moderateChat: ['chair', 'operator'],
  readAudit: ['organizer', 'chair', 'secretary'],
  // Linked meetings: only the child's chair switches to a local segment and asks the parent's floor.
  steerRelay: ['chair'],
  dialRoomSystem: ['chair', 'operator'],
};

/** Roles that may take these actions only for their own bridge point. */
const OWN_ONLY: Partial<Record<Action, readonly Role[]>> = {
  requestFloor: ['site'],
  withdrawFloorRequest: ['site'],
  yieldFloor: ['site'],
  declareAttendance: ['site'],
  selfMute: ['chair', 'site'],
  publishMedia: ['chair', 'site'],
  presentSlides: ['site'],
  uploadDocument: ['site'],
  castVote: ['site'],
  sendChat: ['site'],
  chatPrivately: ['site'],
};

const cells = ACTIONS.flatMap((action) =>
  ROLES.map((role) => ({ action, role, allowed: ALLOWED[action].includes(role) })),
);

describe('authorize() — the role × action matrix', () => {
  it('has a row in this table for every action of the domain', () => {
    expect(Object.keys(ALLOWED).sort()).toEqual([...ACTIONS].sort());
    expect(ROLES).toHaveLength(6);
  });

  it.each(cells.filter((c) => c.allowed))(
    '$action() is allowed for a $role on its own site',
    ({ action, role }) => {
      expect(authorize(actor(role, HN), action, { siteId: HN })).toEqual({ ok: true, value: undefined });
    },
  );

  it.each(cells.filter((c) => !c.allowed))(
    '$action() rejects with FORBIDDEN for a $role',
    ({ action, role }) => {
      const result = authorize(actor(role, HN), action, { siteId: HN });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('FORBIDDEN');
    },
  );

  const ownCells = Object.entries(OWN_ONLY).flatMap(([action, roles]) =>
    (roles ?? []).map((role) => ({ action: action as Action, role })),
  );

  it.each(ownCells)(
    "$action() rejects with FORBIDDEN for a $role acting on another site's behalf",
    ({ action, role }) => {
      expect(authorize(actor(role, HN), action, { siteId: HP }).ok).toBe(false);
      expect(authorize(actor(role, HN), action).ok).toBe(false);
      expect(authorize(actor(role, null), action, { siteId: HN }).ok).toBe(false);
    },
  );

  it.each(['withdrawFloorRequest', 'declareAttendance'] as const)(
    '%s() is allowed for a moderator on any site',
    (action) => {
      expect(authorize(A.chair, action, { siteId: DN }).ok).toBe(true);
      expect(authorize(A.operator, action, { siteId: DN }).ok).toBe(true);
      expect(authorize(actor('operator', null), action, { siteId: DN }).ok).toBe(true);
    },
  );
});

/** The action the test expects each person command to need (written here, not imported). */
const COMMAND_ACTION: Record<PersonCommand['type'], Action> = {
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
  'techCheck:talkTo': 'talkToSite',
  'mic:selfMute': 'selfMute',
  'meeting:update': 'editMeeting',
  'sites:invite': 'editMeeting',
  'sites:uninvite': 'editMeeting',
  'agenda:addItem': 'editMeeting',
  'agenda:updateItem': 'editMeeting',
  'agenda:removeItem': 'editMeeting',
  'agenda:reorder': 'editMeeting',
  'slides:show': 'presentSlides',
  'slides:page': 'presentSlides',
  'slides:presenter': 'assignPresenter',
  'slides:stop': 'presentSlides',
  'documents:add': 'uploadDocument',
  'documents:remove': 'editMeeting',
  'mic:muteAll': 'muteAllSites',
  'talkback:set': 'talkBack',
  'recording:start': 'recordMeeting',
  'recording:stop': 'recordMeeting',
  'vote:open': 'openVote',
  'vote:cast': 'castVote',
  'vote:close': 'closeVote',
  'chat:mute': 'moderateChat',
  'relay:localSegment': 'steerRelay',
};

/** A converted document of `pages` pages, as the hub records it. */
const readyDocument = (id: string, pages = 3): SlideDocument => ({
  id: id as DocumentId,
  name: `${id}.pdf`,
  kind: 'pdf',
  sizeBytes: 1000,
  agendaItemId: null,
  uploadedBy: 'org',
  uploadedAt: 0,
  status: 'ready',
  pageCount: pages,
  pagesDone: pages,
  aspect: 16 / 9,
  failure: null,
  error: null,
});

interface Fixture {
  m: TestMeeting;
  items: AgendaItemId[];
  hnRequest: FloorRequestId;
}

/** A live meeting on item 1: Hà Nội waits in the queue, Hải Phòng holds the floor. */
function busyMeeting(): Fixture {
  const { m, items } = liveMeeting();
  m.ok(A.chair, { type: 'agenda:advance' });
  const hnRequest = m.ok<{ requestId: FloorRequestId }>(A.hn, {
    type: 'queue:request',
    topic: 'Giải ngân vốn',
  }).requestId;
  m.ok(A.operator, { type: 'floor:grant', siteId: HP });
  m.ok(A.organizer, {
    type: 'sites:invite',
    sites: [DIRECTORY[NOT_INVITED] as DirectorySite],
  });
  return { m, items, hnRequest };
}

/** busyMeeting() linked to a parent meeting (the hub reported the parent's view). */
function linkedMeeting(): Fixture {
  const f = busyMeeting();
  f.m.ok(SYSTEM, {
    type: 'parent:view',
    view: {
      meetingTitle: 'Giao ban toàn quốc',
      agendaItem: null,
      floor: null,
      slide: null,
      link: 'connected',
      province: { requestTopic: null, onStage: false },
      localSegment: false,
    },
  });
  return f;
}

/** busyMeeting() with two converted reports, the first on screen, and Hà Nội made presenter. */
function presentingMeeting(): Fixture {
  const f = busyMeeting();
  f.m.ok(A.organizer, { type: 'documents:add', document: readyDocument('doc-1') });
  f.m.ok(A.organizer, { type: 'documents:add', document: readyDocument('doc-2') });
  f.m.ok(A.chair, { type: 'slides:show', documentId: 'doc-1' as DocumentId });
  f.m.ok(A.chair, { type: 'slides:presenter', siteId: HN });
  return f;
}

/** busyMeeting() with a question put to the vote, counted per site. */
function votingMeeting(): Fixture & { voteId: VoteId } {
  const f = busyMeeting();
  const { voteId } = f.m.ok<{ voteId: VoteId }>(A.chair, {
    type: 'vote:open',
    question: 'Thông qua dự thảo nghị quyết',
    counting: 'site',
    secret: false,
  });
  return { ...f, voteId };
}

/** busyMeeting() being recorded. */
function recordingMeeting(): Fixture {
  const f = busyMeeting();
  f.m.ok(A.chair, { type: 'recording:start' });
  return f;
}

interface Case {
  /** The meeting the command is tried on, set up so an allowed role succeeds. */
  setup: () => Fixture;
  command: (f: Fixture) => PersonCommand;
  /** The acting device of the 'site' role (which site matters for ownership). */
  site?: typeof A.hn;
}

const scheduled = (): Fixture => ({
  m: new TestMeeting(),
  items: [],
  hnRequest: 'none' as FloorRequestId,
});
const inTechCheck = (): Fixture => ({
  ...techCheckMeeting(),
  hnRequest: 'none' as FloorRequestId,
});

const CASES: Record<PersonCommand['type'], Case> = {
  'meeting:openTechCheck': { setup: scheduled, command: () => ({ type: 'meeting:openTechCheck' }) },
  'meeting:goLive': { setup: inTechCheck, command: () => ({ type: 'meeting:goLive' }) },
  'meeting:end': { setup: busyMeeting, command: () => ({ type: 'meeting:end' }) },
  'agenda:advance': { setup: busyMeeting, command: () => ({ type: 'agenda:advance' }) },
  'agenda:open': {
    setup: busyMeeting,
    command: (f) => ({ type: 'agenda:open', itemId: f.items[2] as AgendaItemId }),
  },
  'queue:request': {
    setup: busyMeeting,
    command: () => ({ type: 'queue:request', topic: 'Kiến nghị' }),
    site: A.dn,
  },
  'queue:withdraw': {
    setup: busyMeeting,
    command: (f) => ({ type: 'queue:withdraw', requestId: f.hnRequest }),
  },
  'queue:reorder': {
    setup: busyMeeting,
    command: (f) => ({ type: 'queue:reorder', requestIds: [f.hnRequest] }),
  },
  'floor:grant': { setup: busyMeeting, command: (f) => ({ type: 'floor:grant', requestId: f.hnRequest }) },
  'floor:revoke': { setup: busyMeeting, command: () => ({ type: 'floor:revoke' }) },
  'floor:extend': { setup: busyMeeting, command: () => ({ type: 'floor:extend', seconds: 60 }) },
  'floor:yield': { setup: busyMeeting, command: () => ({ type: 'floor:yield' }), site: A.hp },
  'stage:pin': { setup: busyMeeting, command: () => ({ type: 'stage:pin', siteId: DN }) },
  'site:declare': { setup: busyMeeting, command: () => ({ type: 'site:declare', delegates: 25 }) },
  'mic:set': { setup: busyMeeting, command: () => ({ type: 'mic:set', siteId: DN, open: true }) },
  'techCheck:talkTo': { setup: inTechCheck, command: () => ({ type: 'techCheck:talkTo', siteId: HN }) },
  'mic:selfMute': { setup: busyMeeting, command: () => ({ type: 'mic:selfMute', muted: true }) },
  'meeting:update': {
    setup: busyMeeting,
    command: () => ({ type: 'meeting:update', title: 'Giao ban quý III' }),
  },
  'sites:invite': {
    setup: scheduled,
    command: () => ({ type: 'sites:invite', sites: [DIRECTORY[NOT_INVITED] as DirectorySite] }),
  },
  'sites:uninvite': {
    setup: busyMeeting,
    command: () => ({ type: 'sites:uninvite', siteIds: [NOT_INVITED] }),
  },
  'agenda:addItem': {
    setup: busyMeeting,
    command: () => ({
      type: 'agenda:addItem',
      item: { title: 'Giải đáp kiến nghị', kind: 'answer', presenter: 'Chủ trì', plannedMinutes: 15 },
    }),
  },
  'agenda:updateItem': {
    setup: busyMeeting,
    command: (f) => ({
      type: 'agenda:updateItem',
      itemId: f.items[2] as AgendaItemId,
      patch: { plannedMinutes: 40 },
    }),
  },
  'agenda:removeItem': {
    setup: busyMeeting,
    command: (f) => ({
      type: 'agenda:removeItem',
      itemId: f.items[2] as AgendaItemId,
      workspaceContent: false,
    }),
  },
  'agenda:reorder': {
    setup: busyMeeting,
    command: (f) => ({ type: 'agenda:reorder', itemIds: [...f.items].reverse() }),
  },
  'slides:show': {
    setup: presentingMeeting,
    command: () => ({ type: 'slides:show', documentId: 'doc-2' as DocumentId }),
  },
  'slides:page': { setup: presentingMeeting, command: () => ({ type: 'slides:page', page: 2 }) },
  'slides:presenter': { setup: presentingMeeting, command: () => ({ type: 'slides:presenter', siteId: DN }) },
  'slides:stop': { setup: presentingMeeting, command: () => ({ type: 'slides:stop' }) },
  'documents:add': {
    setup: presentingMeeting,
    command: () => ({ type: 'documents:add', document: readyDocument('doc-3') }),
  },
  'documents:remove': {
    setup: presentingMeeting,
    command: () => ({ type: 'documents:remove', documentId: 'doc-2' as DocumentId }),
  },
  'mic:muteAll': { setup: busyMeeting, command: () => ({ type: 'mic:muteAll' }) },
  'talkback:set': { setup: busyMeeting, command: () => ({ type: 'talkback:set', siteId: DN }) },
  'recording:start': { setup: busyMeeting, command: () => ({ type: 'recording:start' }) },
  'recording:stop': { setup: recordingMeeting, command: () => ({ type: 'recording:stop' }) },
  'vote:open': {
    setup: busyMeeting,
    command: () => ({ type: 'vote:open', question: 'Thông qua báo cáo', counting: 'site', secret: true }),
  },
  'vote:cast': {
    setup: votingMeeting,
    command: (f) => ({
      type: 'vote:cast',
      voteId: (f as ReturnType<typeof votingMeeting>).voteId,
      choice: 0,
    }),
  },
  'vote:close': {
    setup: votingMeeting,
    command: (f) => ({ type: 'vote:close', voteId: (f as ReturnType<typeof votingMeeting>).voteId }),
  },
  'chat:mute': { setup: busyMeeting, command: () => ({ type: 'chat:mute', siteId: DN, muted: true }) },
  'relay:localSegment': {
    setup: linkedMeeting,
    command: () => ({ type: 'relay:localSegment', local: true }),
  },
};

const commandCells = (Object.keys(CASES) as PersonCommand['type'][]).flatMap((type) =>
  ROLES.map((role) => ({ type, role, allowed: ALLOWED[COMMAND_ACTION[type]].includes(role) })),
);

describe('execute() — every role × every command', () => {
  it.each(commandCells.filter((c) => c.allowed))('$type is carried out for a $role', ({ type, role }) => {
    const c = CASES[type];
    const f = c.setup();
    const who = role === 'site' ? (c.site ?? A.hn) : ACTOR_OF_ROLE[role];
    f.m.ok(who, c.command(f));
  });

  it.each(commandCells.filter((c) => !c.allowed))(
    '$type rejects with FORBIDDEN for a $role',
    ({ type, role }) => {
      const c = CASES[type];
      const f = c.setup();
      const who = role === 'site' ? (c.site ?? A.hn) : ACTOR_OF_ROLE[role];
      expect(f.m.refused(who, c.command(f)).code).toBe('FORBIDDEN');
    },
  );
});

describe('execute() — ownership and principals', () => {
  it("queue:withdraw rejects with FORBIDDEN for a site withdrawing another site's request", () => {
    const f = busyMeeting();
    expect(f.m.refused(A.hp, { type: 'queue:withdraw', requestId: f.hnRequest }).code).toBe('FORBIDDEN');
  });

  it('site:declare rejects with FORBIDDEN for a site declaring delegates of another site', () => {
    const f = busyMeeting();
    expect(f.m.refused(A.hn, { type: 'site:declare', delegates: 3, siteId: HP }).code).toBe('FORBIDDEN');
    expect(f.m.site(HP).declaredDelegates).toBe(0);
  });

  it('site:declare lets a moderator declare for any site', () => {
    const f = busyMeeting();
    f.m.ok(A.operator, { type: 'site:declare', delegates: 31, siteId: DN });
    expect(f.m.site(DN).declaredDelegates).toBe(31);
  });

  it('floor:yield rejects with FORBIDDEN for a site that does not hold the floor', () => {
    const f = busyMeeting();
    expect(f.m.refused(A.hn, { type: 'floor:yield' }).code).toBe('FORBIDDEN');
    expect(f.m.record.queue.floor?.siteId).toBe(HP);
  });

  it('a forbidden role learns nothing: FORBIDDEN comes before NOT_FOUND', () => {
    const f = busyMeeting();
    expect(
      f.m.refused(A.observer, { type: 'queue:withdraw', requestId: 'nope' as FloorRequestId }).code,
    ).toBe('FORBIDDEN');
  });

  const systemCommands: MeetingCommand[] = [
    { type: 'participant:joined', participant: { ...A.hn, id: A.hn.participantId } },
    { type: 'participant:left', participantId: A.hn.participantId },
    { type: 'participants:reset' },
    { type: 'site:mediaFlowing', siteId: HN, flowing: true },
    { type: 'site:quality', siteId: HN, poor: true },
    { type: 'floor:expire' },
  ];

  it.each(ROLES)('system commands reject with FORBIDDEN for a %s', (role) => {
    const f = busyMeeting();
    for (const command of systemCommands)
      expect(f.m.refused(ACTOR_OF_ROLE[role], command).code).toBe('FORBIDDEN');
  });

  it('person commands reject with FORBIDDEN when issued by the hub itself', () => {
    const f = busyMeeting();
    expect(f.m.refused(SYSTEM, { type: 'floor:revoke' }).code).toBe('FORBIDDEN');
    expect(f.m.refused(SYSTEM, { type: 'meeting:end' }).code).toBe('FORBIDDEN');
  });
});
