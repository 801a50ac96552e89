import type { MeetingRecord } from '../../domain/MeetingRecord.js';
import { eligibleVoices, type VoteRecord } from '../../domain/Vote.js';

/** One closed vote as the minutes and the notice state it. */
export interface VoteResult {
  question: string;
  /** "Tán thành: 2/3 điểm cầu", one per option. */
  options: { label: string; count: number }[];
  /** Voices that could be given. */
  eligible: number;
  /** 'điểm cầu' or 'đại biểu'. */
  unit: string;
  secret: boolean;
  /** Sites that voted, of those that could. */
  voted: number;
  eligibleSites: number;
}

/** The closed votes of a meeting, oldest first (an open vote has no result yet). */
export function voteResults(record: MeetingRecord): VoteResult[] {
  return record.votes
    .filter((v: VoteRecord) => v.status === 'closed')
    .map((v) => ({
      question: v.question,
      options: v.options.map((label, i) => ({ label, count: v.totals[i] ?? 0 })),
      eligible: eligibleVoices(v, record.sites),
      unit: v.counting === 'site' ? 'điểm cầu' : 'đại biểu',
      secret: v.secret,
      voted: v.voters.length,
      eligibleSites: v.eligibleSiteIds.length,
    }));
}
