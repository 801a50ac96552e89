import { z } from 'zod';
import { AgendaItemId, Instant, SiteId } from './ids.js';

/** A question put to the vote (biểu quyết). */
export const VoteId = z.string().min(1).max(64).brand<'VoteId'>();
export type VoteId = z.infer<typeof VoteId>;

/** Counted per bridge point (one voice each) or per delegate (the site reports its room's hands). */
export const VoteCounting = z.enum(['site', 'delegate']);
export type VoteCounting = z.infer<typeof VoteCounting>;

export const VoteStatus = z.enum(['open', 'closed']);
export type VoteStatus = z.infer<typeof VoteStatus>;

/** The options a vote gets when the chair names none: the three of a Vietnamese show of hands. */
export const DEFAULT_VOTE_OPTIONS: readonly string[] = ['Tán thành', 'Không tán thành', 'Không biểu quyết'];

/** Most options one question may have. */
export const MAX_VOTE_OPTIONS = 10;

/** One site's ballot: how many voices it gives each option (one voice in all when counted per site). */
export const VoteBallot = z.object({ siteId: SiteId, counts: z.array(z.number().int().nonnegative()) });
export type VoteBallot = z.infer<typeof VoteBallot>;

/** A vote as every participant sees it: who has voted, never what a site chose while it is open. */
export const VoteView = z.object({
  id: VoteId,
  question: z.string(),
  options: z.array(z.string()),
  counting: VoteCounting,
  /** Secret: the hub keeps only the totals and who voted, never which site chose what. */
  secret: z.boolean(),
  agendaItemId: AgendaItemId.nullable(),
  status: VoteStatus,
  openedAt: Instant,
  openedBy: z.string(),
  closedAt: Instant.nullable(),
  closedBy: z.string().nullable(),
  /** The bridge points that may vote (every invited site but the host, when it was opened). */
  eligibleSiteIds: z.array(SiteId),
  /** Who has voted and when (public, also for a secret vote). */
  voters: z.array(z.object({ siteId: SiteId, at: Instant })),
  /** How many voices could be given: sites, or the delegates the eligible sites declared. */
  eligible: z.number().int().nonnegative(),
  /** Voices per option: null while open (the chair's console follows them through `vote:tally`). */
  totals: z.array(z.number().int().nonnegative()).nullable(),
  /** Each site's ballot once closed, for an open (not secret) vote; always empty for a secret one. */
  ballots: z.array(VoteBallot),
});
export type VoteView = z.infer<typeof VoteView>;

/** The live count of an open vote, for the chair and the operator. */
export const VoteTally = z.object({
  voteId: VoteId,
  totals: z.array(z.number().int().nonnegative()),
  voted: z.number().int().nonnegative(),
  eligible: z.number().int().nonnegative(),
  /** Each site's ballot as it comes in (open votes only). */
  ballots: z.array(VoteBallot),
});
export type VoteTally = z.infer<typeof VoteTally>;

/** Payload schemas of the vote events. */
export const VoteSchemas = {
  open: z
    .object({
      question: z.string().trim().min(1).max(500),
      /** Two to ten options; the three of a show of hands when omitted. */
      options: z.array(z.string().trim().min(1).max(200)).min(2).max(MAX_VOTE_OPTIONS).optional(),
      counting: VoteCounting,
      secret: z.boolean(),
    })
    .strict(),
  cast: z
    .object({
      voteId: VoteId,
      /** Counted per site: the chosen option's index. */
      choice: z
        .number()
        .int()
        .min(0)
        .max(MAX_VOTE_OPTIONS - 1)
        .optional(),
      /** Counted per delegate: voices per option, summing to at most the site's declared delegates. */
      counts: z.array(z.number().int().min(0).max(10_000)).min(2).max(MAX_VOTE_OPTIONS).optional(),
    })
    .strict()
    .refine((v) => (v.choice === undefined) !== (v.counts === undefined), {
      message: 'give exactly one of choice or counts',
    }),
  close: z.object({ voteId: VoteId }).strict(),
};
