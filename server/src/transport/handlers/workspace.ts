import { can, DomainError } from '../../domain/index.js';
import type { AreaHandlers } from '../HandlerContext.js';
import { rooms } from '../rooms.js';

/** The secretaries' workspace (a Yjs document); the service authorises each call for the actor. */
export const workspaceHandlers: AreaHandlers<'workspace'> = {
  'doc:sync': async (ctx, p) => {
    if (!can(ctx.actor, 'readMinutes'))
      throw new DomainError('FORBIDDEN', `a ${ctx.actor.role} may not readMinutes`);
    // Room first: an update stored while the reply is built reaches this socket anyway (Yjs merges it twice harmlessly).
    await ctx.socket.join(rooms.doc(ctx.meetingId));
    return ctx.services.workspace.sync(ctx.meetingId, ctx.actor, p.stateVector);
  },
  'doc:update': (ctx, p) => ctx.services.workspace.update(ctx.meetingId, ctx.actor, p.update, ctx.socket.id),
  'doc:conclusions': async (ctx) => {
    const list = await ctx.services.workspace.conclusions(ctx.meetingId, ctx.actor);
    await ctx.socket.join(rooms.conclusions(ctx.meetingId));
    return list;
  },
  'doc:confirm': (ctx, p) =>
    ctx.services.workspace.confirm(ctx.meetingId, ctx.actor, p.conclusionId, p.confirmed),
};
