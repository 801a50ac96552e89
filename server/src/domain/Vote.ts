import {
  AgendaItemId,
  DEFAULT_VOTE_OPTIONS,
  Instant,
  SiteId,
  type SiteState,
  VoteBallot,
  VoteCounting,
  VoteId,
  VoteStatus,
  type VoteTally,
  type VoteView,
} from '@giaoban/shared';
import { z } from 'zod';
import type { Actor } from './Actor.js';
import { type Outcome, refuse, succeed } from './DomainError.js';

/**
 * A vote (biểu quyết) as the hub keeps it. For a secret vote only the totals and the list of who
 * voted are kept — which site chose what is never stored, so no export or bug can reveal it.
 */
export const VoteRecord = z.object({
  id: VoteId,
  question: z.string(),
  options: z.array(z.string()),
  counting: VoteCounting,
  secret: z.boolean(),
  agendaItemId: AgendaItemId.nullable(),
  status: VoteStatus,
  openedAt: Instant,
  openedBy: z.string(),
  closedAt: Instant.nullable(),
  closedBy: z.string().nullable(),
  eligibleSiteIds: z.array(SiteId),
  voters: z.array(z.object({ siteId: SiteId, at: Instant })),
  totals: z.array(z.number().int().nonnegative()),
  /** Each site's ballot (open votes only). */
  ballots: z.array(VoteBallot),
  /** Voices that could be given, frozen when the vote closes; null while open. */
  eligibleAtClose: z.number().int().nonnegative().nullable(),
});
/** See {@link VoteRecord}. */
export type VoteRecord = z.infer<typeof VoteRecord>;

/** What the chair asks. */
export interface VoteQuestion {
  question: string;
  options?: readonly string[] | undefined;
  counting: VoteCounting;
  secret: boolean;
}

/** A site's ballot as sent: one option (per site) or voices per option (per delegate). */
export interface BallotInput {
  choice?: number | undefined;
  counts?: readonly number[] | undefined;
}

/** How a person is named in the record: "Nguyễn Văn A (chair)". */
export const actorLabel = (actor: Actor): string => `${actor.displayName} (${actor.role})`;

/**
 * Opens a vote. Only one question is open at a time, so no site can answer the wrong one; every
 * invited site but the host may vote (the chair presides from the host).
 */
export function openVote(
  votes: readonly VoteRecord[],
  input: {
    id: VoteId;
    question: VoteQuestion;
    sites: readonly SiteState[];
    agendaItemId: AgendaItemId | null;
    by: string;
    now: number;
  },
): Outcome<VoteRecord[]> {
  const open = votes.find((v) => v.status === 'open');
  if (open) return refuse('INVALID_STATE', `close the open vote "${open.question}" first`);
  const options = [...(input.question.options ?? DEFAULT_VOTE_OPTIONS)];
  if (new Set(options.map((o) => o.toLocaleLowerCase('vi'))).size !== options.length)
    return refuse('VALIDATION', 'two options have the same text');
  const eligibleSiteIds = input.sites.filter((s) => !s.isHost).map((s) => s.id);
  if (eligibleSiteIds.length === 0) return refuse('INVALID_STATE', 'no bridge point is invited to vote');
  const vote: VoteRecord = {
    id: input.id,
    question: input.question.question,
    options,
    counting: input.question.counting,
    secret: input.question.secret,
    agendaItemId: input.agendaItemId,
    status: 'open',
    openedAt: input.now,
    openedBy: input.by,
    closedAt: null,
    closedBy: null,
    eligibleSiteIds,
    voters: [],
    totals: options.map(() => 0),
    ballots: [],
    eligibleAtClose: null,
  };
  return succeed([...votes, vote]);
}

/** The vote with this id, or NOT_FOUND. */
export function getVote(votes: readonly VoteRecord[], id: VoteId): Outcome<VoteRecord> {
  const vote = votes.find((v) => v.id === id);
  return vote ? succeed(vote) : refuse('NOT_FOUND', `no vote ${id}`);
}

/**
 * Records one site's ballot. Refused with a reason the site can show: the vote is closed (late),
 * the site has voted already (double), the site may not vote on it, or the ballot does not fit
 * the counting (per delegate: voices summing to at most the delegates the site declared).
 */
export function castVote(
  votes: readonly VoteRecord[],
  input: { voteId: VoteId; site: SiteState; ballot: BallotInput; now: number },
): Outcome<VoteRecord[]> {
  const found = getVote(votes, input.voteId);
  if (!found.ok) return found;
  const vote = found.value;
  const siteId = input.site.id;
  if (vote.status !== 'open') return refuse('INVALID_STATE', 'the vote is closed: this ballot came too late');
  if (!vote.eligibleSiteIds.includes(siteId))
    return refuse('FORBIDDEN', `site ${siteId} was not invited to this vote`);
  if (vote.voters.some((v) => v.siteId === siteId))
    return refuse('CONFLICT', 'this bridge point has already voted; a ballot cannot be changed');
  const counts = ballotCounts(vote, input.site, input.ballot);
  if (!counts.ok) return counts;
  const next: VoteRecord = {
    ...vote,
    voters: [...vote.voters, { siteId, at: input.now }],
    totals: vote.totals.map((t, i) => t + (counts.value[i] ?? 0)),
    ballots: vote.secret ? [] : [...vote.ballots, { siteId, counts: counts.value }],
  };
  return succeed(votes.map((v) => (v.id === vote.id ? next : v)));
}

function ballotCounts(vote: VoteRecord, site: SiteState, ballot: BallotInput): Outcome<number[]> {
  const n = vote.options.length;
  if (vote.counting === 'site') {
    if (ballot.choice === undefined || ballot.counts !== undefined)
      return refuse('VALIDATION', 'this vote is counted per bridge point: choose one option');
    if (ballot.choice < 0 || ballot.choice >= n)
      return refuse('VALIDATION', `choose an option from 1 to ${n}`);
    return succeed(vote.options.map((_, i) => (i === ballot.choice ? 1 : 0)));
  }
  if (ballot.counts === undefined || ballot.choice !== undefined)
    return refuse('VALIDATION', 'this vote is counted per delegate: give the voices for each option');
  if (ballot.counts.length !== n) return refuse('VALIDATION', `give a number for each of the ${n} options`);
  const sum = ballot.counts.reduce((a, b) => a + b, 0);
  if (site.declaredDelegates === 0)
    return refuse('INVALID_STATE', 'declare the delegates present before voting per delegate');
  if (sum === 0) return refuse('VALIDATION', 'a ballot needs at least one voice');
  if (sum > site.declaredDelegates)
    return refuse(
      'VALIDATION',
      `${sum} voices but ${site.declaredDelegates} delegates declared: the voices may not exceed the delegates`,
    );
  return succeed([...ballot.counts]);
}

/** Closes an open vote, freezing how many could vote; INVALID_STATE when it is closed already. */
export function closeVote(
  votes: readonly VoteRecord[],
  input: { voteId: VoteId; sites: readonly SiteState[]; by: string; now: number },
): Outcome<VoteRecord[]> {
  const found = getVote(votes, input.voteId);
  if (!found.ok) return found;
  const vote = found.value;
  if (vote.status !== 'open') return refuse('INVALID_STATE', 'the vote is closed already');
  const next: VoteRecord = {
    ...vote,
    status: 'closed',
    closedAt: input.now,
    closedBy: input.by,
    eligibleAtClose: eligibleVoices(vote, input.sites),
  };
  return succeed(votes.map((v) => (v.id === vote.id ? next : v)));
}

/** Closes every open vote (the meeting ended). */
export function closeAll(
  votes: readonly VoteRecord[],
  sites: readonly SiteState[],
  now: number,
): VoteRecord[] {
  return votes.map((v) =>
    v.status === 'open'
      ? {
          ...v,
          status: 'closed',
          closedAt: now,
          closedBy: 'kết thúc hội nghị',
          eligibleAtClose: eligibleVoices(v, sites),
        }
      : v,
  );
}

/** Voices that can be given: one per eligible site, or the delegates they declared. */
export function eligibleVoices(vote: VoteRecord, sites: readonly SiteState[]): number {
  if (vote.eligibleAtClose !== null) return vote.eligibleAtClose;
  if (vote.counting === 'site') return vote.eligibleSiteIds.length;
  return sites
    .filter((s) => vote.eligibleSiteIds.includes(s.id))
    .reduce((sum, s) => sum + s.declaredDelegates, 0);
}

/** What every participant sees: who voted, and the totals and (open votes) ballots once closed. */
export function voteView(vote: VoteRecord, sites: readonly SiteState[]): VoteView {
  const closed = vote.status === 'closed';
  return {
    id: vote.id,
    question: vote.question,
    options: vote.options,
    counting: vote.counting,
    secret: vote.secret,
    agendaItemId: vote.agendaItemId,
    status: vote.status,
    openedAt: vote.openedAt,
    openedBy: vote.openedBy,
    closedAt: vote.closedAt,
    closedBy: vote.closedBy,
    eligibleSiteIds: vote.eligibleSiteIds,
    voters: vote.voters,
    eligible: eligibleVoices(vote, sites),
    totals: closed ? vote.totals : null,
    ballots: closed ? vote.ballots : [],
  };
}

/** The live count of every open vote, for the moderators' console. */
export function liveTallies(votes: readonly VoteRecord[], sites: readonly SiteState[]): VoteTally[] {
  return votes
    .filter((v) => v.status === 'open')
    .map((v) => ({
      voteId: v.id,
      totals: v.totals,
      voted: v.voters.length,
      eligible: eligibleVoices(v, sites),
      ballots: v.ballots,
    }));
}
