import type { AreaHandlers } from '../HandlerContext.js';

/** The chair steers the agenda during the meeting (organizers edit it over HTTP). */
export const agendaHandlers: AreaHandlers<'agenda'> = {
  'agenda:advance': (ctx) => ctx.run({ type: 'agenda:advance' }),
  'agenda:open': (ctx, p) => ctx.run({ type: 'agenda:open', ...p }),
};
