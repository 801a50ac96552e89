import { DomainError } from '../../domain/index.js';
import type { AreaHandlers } from '../HandlerContext.js';

/** Linked meetings: a relay link's hub opens the hub-to-hub media pipe (server/src/relay/). */
export const relayHandlers: AreaHandlers<'relay'> = {
  'relay:pipe': async (ctx, p) => {
    const relay = ctx.services.relay;
    if (!relay) throw new DomainError('UNAVAILABLE', 'Linked meetings are not available on this hub');
    const { answer, pipe } = await relay.openParentPipe(
      {
        meetingId: ctx.meetingId,
        participantId: ctx.identity.participantId,
        siteId: ctx.identity.siteId,
        relay: ctx.identity.relay === true,
      },
      p,
    );
    // One pipe per connection: the link's media ends with it (the child reconnects and reopens).
    ctx.socket.once('disconnect', () => pipe.close());
    return answer;
  },
};
