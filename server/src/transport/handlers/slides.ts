import { DomainError, Slides } from '../../domain/index.js';
import type { AreaHandlers, Handler, HandlerContext } from '../HandlerContext.js';
import { rooms } from '../rooms.js';

/**
 * The presenter's pointer: checked against the stored presenter, then sent straight to the
 * other clients as a volatile event (a lost sample is no loss), never stored.
 */
const pointer: Handler<'slides:pointer'> = async (ctx: HandlerContext, payload) => {
  const { slides } = await ctx.services.meetings.get(ctx.meetingId);
  const may = Slides.mayPresent(slides, ctx.actor);
  if (!may.ok) throw may.error;
  if (!slides.showing) throw new DomainError('INVALID_STATE', 'No document is being shown');
  const point = 'x' in payload ? { x: payload.x, y: payload.y } : null;
  ctx.socket.to(rooms.meeting(ctx.meetingId)).volatile.emit('slides:pointer', {
    documentId: slides.showing.documentId,
    page: slides.showing.page,
    point,
  });
  return null;
};

/** Report slides: which document, which page, who presents, and the pointer. */
export const slidesHandlers: AreaHandlers<'slides'> = {
  'slides:show': (ctx, p) => ctx.run({ type: 'slides:show', ...p }),
  'slides:page': (ctx, p) => ctx.run({ type: 'slides:page', ...p }),
  'slides:presenter': (ctx, p) => ctx.run({ type: 'slides:presenter', ...p }),
  'slides:stop': (ctx) => ctx.run({ type: 'slides:stop' }),
  'slides:pointer': pointer,
};
