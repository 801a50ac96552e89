import type { AreaHandlers } from '../HandlerContext.js';

/** The speaking queue and the floor: each event is the domain command of the same name. */
export const queueHandlers: AreaHandlers<'queue'> = {
  'queue:request': (ctx, p) => ctx.run({ type: 'queue:request', ...p }),
  'queue:withdraw': (ctx, p) => ctx.run({ type: 'queue:withdraw', ...p }),
  'queue:reorder': (ctx, p) => ctx.run({ type: 'queue:reorder', ...p }),
  'floor:grant': (ctx, p) => ctx.run({ type: 'floor:grant', ...p }),
  'floor:revoke': (ctx) => ctx.run({ type: 'floor:revoke' }),
  'floor:extend': (ctx, p) => ctx.run({ type: 'floor:extend', ...p }),
  'floor:yield': (ctx) => ctx.run({ type: 'floor:yield' }),
};
