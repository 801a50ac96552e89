import { authorize, DomainError } from '../../domain/index.js';
import type { RelayService } from '../../relay/RelayService.js';
import type { AreaHandlers, HandlerContext } from '../HandlerContext.js';

/** The hub's linked meetings, or UNAVAILABLE. */
function relayOf(ctx: HandlerContext): RelayService {
  const relay = ctx.services.relay;
  if (!relay) throw new DomainError('UNAVAILABLE', 'Linked meetings are not available on this hub');
  return relay;
}

/** The relay link's identity, as the parent checks it (only a relay link may act for the child hub). */
const callerOf = (ctx: HandlerContext) => ({
  meetingId: ctx.meetingId,
  participantId: ctx.identity.participantId,
  siteId: ctx.identity.siteId,
  relay: ctx.identity.relay === true,
});

/**
 * Linked meetings (server/src/relay/). At the parent, from a relay link's hub: the hub-to-hub media
 * pipe and the child's rolled-up totals. In the child, from its chair: the local segment and asking
 * the parent's floor for the province.
 */
export const relayHandlers: AreaHandlers<'relay'> = {
  'relay:pipe': async (ctx, p) => {
    const { answer, pipe } = await relayOf(ctx).openParentPipe(callerOf(ctx), p);
    // One pipe per connection: the link's media ends with it (the child reconnects and reopens) —
    // at once if the connection dropped while the pipe was being opened.
    if (ctx.socket.disconnected) {
      pipe.close();
      throw new DomainError('UNAVAILABLE', 'the relay connection closed while its pipe was opened');
    }
    ctx.socket.once('disconnect', () => pipe.close());
    return answer;
  },
  'relay:totals': (ctx, p) => relayOf(ctx).reportLinkedTotals(callerOf(ctx), p),
  'relay:localSegment': (ctx, p) => ctx.run({ type: 'relay:localSegment', ...p }),
  'relay:requestFloor': async (ctx, p) => {
    const may = authorize(ctx.actor, 'steerRelay');
    if (!may.ok) throw may.error;
    if (p.topic === undefined && p.requestId === undefined)
      throw new DomainError('VALIDATION', 'give a topic or the requestId of a floor request');
    return relayOf(ctx).requestParentFloor(ctx.meetingId, ctx.actor, p);
  },
};
