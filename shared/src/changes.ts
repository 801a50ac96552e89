import { z } from 'zod';
import { ParticipantId } from './ids.js';
import { ParentView } from './relay.js';
import { SlidesState } from './slides.js';
import {
  AgendaState,
  AttendanceTotals,
  MeetingInfo,
  type MeetingSnapshot,
  ModerationState,
  ParticipantState,
  QueueState,
  SiteState,
  StageState,
} from './state.js';
import { VoteView } from './votes.js';

/** One increment of meeting state. Whole sub-states are sent: they are small and idempotent. */
export const MeetingChange = z.discriminatedUnion('type', [
  z.object({ type: z.literal('meeting'), meeting: MeetingInfo }),
  z.object({ type: z.literal('site'), site: SiteState }),
  z.object({ type: z.literal('sitesInvited'), sites: z.array(SiteState) }),
  z.object({ type: z.literal('participantJoined'), participant: ParticipantState }),
  z.object({ type: z.literal('participantLeft'), participantId: ParticipantId }),
  z.object({ type: z.literal('agenda'), agenda: AgendaState }),
  z.object({ type: z.literal('queue'), queue: QueueState }),
  z.object({ type: z.literal('stage'), stage: StageState }),
  z.object({ type: z.literal('totals'), totals: AttendanceTotals }),
  z.object({ type: z.literal('slides'), slides: SlidesState }),
  z.object({ type: z.literal('votes'), votes: z.array(VoteView) }),
  z.object({ type: z.literal('moderation'), moderation: ModerationState }),
  z.object({ type: z.literal('parent'), parent: ParentView.nullable() }),
]);
export type MeetingChange = z.infer<typeof MeetingChange>;

/** A batch of changes that moves the snapshot from `version - 1` to `version`. */
export const MeetingChanged = z.object({ version: z.number().int(), changes: z.array(MeetingChange) });
export type MeetingChanged = z.infer<typeof MeetingChanged>;

/** Outcome of applying a batch: the next snapshot, or a request to re-sync on a version gap. */
export type ApplyOutcome =
  | { kind: 'applied'; snapshot: MeetingSnapshot }
  | { kind: 'stale' }
  | { kind: 'gap' };

/** Applies one change to a snapshot (pure). */
export function applyChange(s: MeetingSnapshot, c: MeetingChange): MeetingSnapshot {
  switch (c.type) {
    case 'meeting':
      return { ...s, meeting: c.meeting };
    case 'site': {
      const exists = s.sites.some((x) => x.id === c.site.id);
      return {
        ...s,
        sites: exists ? s.sites.map((x) => (x.id === c.site.id ? c.site : x)) : [...s.sites, c.site],
      };
    }
    case 'sitesInvited':
      return { ...s, sites: c.sites };
    case 'participantJoined':
      return {
        ...s,
        participants: [...s.participants.filter((p) => p.id !== c.participant.id), c.participant],
      };
    case 'participantLeft':
      return { ...s, participants: s.participants.filter((p) => p.id !== c.participantId) };
    case 'agenda':
      return { ...s, agenda: c.agenda };
    case 'queue':
      return { ...s, queue: c.queue };
    case 'stage':
      return { ...s, stage: c.stage };
    case 'totals':
      return { ...s, totals: c.totals };
    case 'slides':
      return { ...s, slides: c.slides };
    case 'votes':
      return { ...s, votes: c.votes };
    case 'moderation':
      return { ...s, moderation: c.moderation };
    case 'parent':
      return { ...s, parent: c.parent };
    default: {
      const never: never = c;
      return never;
    }
  }
}

/**
 * Merges a batch into the local snapshot (pure; the client's reconcile step).
 * Old batches are ignored; a gap means increments were missed and the client must re-sync.
 */
export function applyChanges(s: MeetingSnapshot, batch: MeetingChanged): ApplyOutcome {
  if (batch.version <= s.version) return { kind: 'stale' };
  if (batch.version !== s.version + 1) return { kind: 'gap' };
  const next = batch.changes.reduce(applyChange, s);
  return { kind: 'applied', snapshot: { ...next, version: batch.version } };
}
