import { can, DomainError, liveTallies } from '../../domain/index.js';
import type { AreaHandlers, HandlerContext } from '../HandlerContext.js';
import { rooms } from '../rooms.js';

/** Sends the live count of the open votes to the meeting's moderators (after a ballot or an opening). */
async function pushTallies(ctx: HandlerContext): Promise<void> {
  const record = await ctx.services.meetings.get(ctx.meetingId);
  ctx.socket.nsp
    .to(rooms.moderators(ctx.meetingId))
    .emit('vote:tally', liveTallies(record.votes, record.sites));
}

/** Votes (biểu quyết): the chair opens and closes, each site votes once; moderators follow the count. */
export const voteHandlers: AreaHandlers<'vote'> = {
  'vote:open': async (ctx, p) => {
    const reply = await ctx.run({ type: 'vote:open', ...p });
    await pushTallies(ctx);
    return reply;
  },
  'vote:cast': async (ctx, p) => {
    await ctx.run({ type: 'vote:cast', ...p });
    await pushTallies(ctx);
    return null;
  },
  'vote:close': async (ctx, p) => {
    await ctx.run({ type: 'vote:close', ...p });
    await pushTallies(ctx);
    return null;
  },
  'vote:tally': async (ctx) => {
    if (!can(ctx.actor, 'readVoteTally'))
      throw new DomainError('FORBIDDEN', `a ${ctx.actor.role} may not readVoteTally`);
    const record = await ctx.services.meetings.get(ctx.meetingId);
    return liveTallies(record.votes, record.sites);
  },
};
