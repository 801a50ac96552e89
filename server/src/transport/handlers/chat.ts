import type { ChatMessage } from '@giaoban/shared';
import { can } from '../../domain/index.js';
import type { AreaHandlers, HandlerContext } from '../HandlerContext.js';
import { rooms } from '../rooms.js';

/**
 * Who receives a message: the meeting-wide chat goes to the meeting; a private thread to its site's
 * devices and the operators (rooms joined at `chat:history`).
 */
function emitToReaders(
  ctx: HandlerContext,
  event: 'chat:message' | 'chat:deleted',
  message: ChatMessage,
): void {
  const { meetingId } = ctx;
  const to =
    message.thread === null
      ? ctx.socket.nsp.to(rooms.meeting(meetingId))
      : ctx.socket.nsp.to([rooms.chatThread(meetingId, message.thread), rooms.chatOperators(meetingId)]);
  to.emit(event, message);
}

/** The meeting's chat; the service stores each message before it is acknowledged and shown. */
export const chatHandlers: AreaHandlers<'chat'> = {
  'chat:history': async (ctx) => {
    const { actor, meetingId, socket } = ctx;
    // Rooms first: a message stored while the history is read reaches this socket anyway.
    if (actor.siteId !== null && can(actor, 'chatPrivately', { siteId: actor.siteId }))
      await socket.join(rooms.chatThread(meetingId, actor.siteId));
    if (actor.role === 'operator') await socket.join(rooms.chatOperators(meetingId));
    return ctx.services.chat.history(meetingId, actor);
  },
  'chat:send': async (ctx, p) => {
    const message = await ctx.services.chat.send(ctx.meetingId, ctx.actor, p.text, p.thread ?? null);
    emitToReaders(ctx, 'chat:message', message);
    return message;
  },
  'chat:delete': async (ctx, p) => {
    const message = await ctx.services.chat.delete(ctx.meetingId, ctx.actor, p.messageId);
    emitToReaders(ctx, 'chat:deleted', message);
    return null;
  },
  'chat:mute': (ctx, p) => ctx.run({ type: 'chat:mute', ...p }),
};
