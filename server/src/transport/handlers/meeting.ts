import type { JoinResult } from '@giaoban/shared';
import { authorize, can, DomainError, SYSTEM, toSnapshot } from '../../domain/index.js';
import { ConsumerBatches } from '../ConsumerBatches.js';
import type { AreaHandlers, HandlerContext, SipDialer } from '../HandlerContext.js';
import { rooms } from '../rooms.js';

/** How long a client has to build a batch of consumers the hub announced. */
const NEW_CONSUMER_ACK_MS = 10_000;

/** The SIP edge, to a chair or operator; UNAVAILABLE on a hub without SIP. */
function sipOf(ctx: HandlerContext): SipDialer {
  const may = authorize(ctx.actor, 'dialRoomSystem');
  if (!may.ok) throw may.error;
  if (!ctx.services.sip) throw new DomainError('UNAVAILABLE', 'this hub has no SIP edge (SIP_PORT=0)');
  return ctx.services.sip;
}

/**
 * Joins the meeting: the socket's rooms, the participant in the roster, its media peer, and the
 * snapshot it starts from.
 */
async function join(ctx: HandlerContext): Promise<JoinResult> {
  const { socket, identity, actor, meetingId, services } = ctx;
  if (socket.data.joined) throw new DomainError('CONFLICT', 'Already joined');
  const media = await services.media.get(meetingId);
  // Rooms first, then the snapshot: a change committed in between arrives as a stale batch the
  // client ignores, never as a gap.
  const joinedRooms = [rooms.meeting(meetingId)];
  if (can(actor, 'viewGrid')) joinedRooms.push(rooms.moderators(meetingId));
  await socket.join(joinedRooms);
  try {
    await services.meetings.run(meetingId, SYSTEM, {
      type: 'participant:joined',
      participant: {
        id: identity.participantId,
        role: identity.role,
        siteId: identity.siteId,
        displayName: identity.displayName,
      },
    });
  } catch (err) {
    for (const room of joinedRooms) void socket.leave(room);
    throw err;
  }
  socket.data.joined = true;
  const consumers = new ConsumerBatches((infos) =>
    socket.timeout(NEW_CONSUMER_ACK_MS).emitWithAck('media:newConsumers', infos),
  );
  socket.data.peer = media.addPeer(
    { participantId: identity.participantId, siteId: identity.siteId, role: identity.role },
    {
      newConsumer: (info) => consumers.announce(info),
      holdAnnouncements: () => consumers.hold(),
      consumerClosed: (id) => socket.emit('media:consumerClosed', { id }),
      consumerState: (state) => socket.emit('media:consumerState', state),
      micState: (state) => socket.emit('media:micState', state),
      publishLayers: (layers) => socket.emit('media:publishLayers', layers),
    },
  );
  const record = await services.meetings.get(meetingId);
  return {
    self: {
      participantId: identity.participantId,
      role: identity.role,
      siteId: identity.siteId,
      displayName: identity.displayName,
    },
    snapshot: toSnapshot(record),
    // mediasoup's RtpCapabilities, sent as the plain object the client loads into its Device.
    routerRtpCapabilities: media.rtpCapabilities as Record<string, unknown>,
  };
}

/** The meeting's lifecycle, attendance, stage and microphones. */
export const meetingHandlers: AreaHandlers<'meeting'> = {
  'meeting:join': (ctx) => join(ctx),
  'meeting:sync': async (ctx) => toSnapshot(await ctx.services.meetings.get(ctx.meetingId)),
  'meeting:openTechCheck': (ctx) => ctx.run({ type: 'meeting:openTechCheck' }),
  'meeting:goLive': (ctx) => ctx.run({ type: 'meeting:goLive' }),
  'meeting:end': (ctx) => ctx.run({ type: 'meeting:end' }),
  'site:declare': (ctx, p) => ctx.run({ type: 'site:declare', ...p }),
  'stage:pin': (ctx, p) => ctx.run({ type: 'stage:pin', ...p }),
  'mic:set': (ctx, p) => ctx.run({ type: 'mic:set', ...p }),
  'mic:selfMute': (ctx, p) => ctx.run({ type: 'mic:selfMute', ...p }),
  'mic:muteAll': (ctx) => ctx.run({ type: 'mic:muteAll' }),
  'talkback:set': (ctx, p) => ctx.run({ type: 'talkback:set', ...p }),
  'recording:start': (ctx) => ctx.run({ type: 'recording:start' }),
  'recording:stop': (ctx) => ctx.run({ type: 'recording:stop' }),
  'sip:dialOut': (ctx, p) => sipOf(ctx).dialOut(ctx.meetingId, p.siteId, p.uri, ctx.actor),
  'sip:hangUp': async (ctx, p) => {
    sipOf(ctx).hangUp(ctx.meetingId, p.siteId, ctx.actor);
    return null;
  },
  'techCheck:talkTo': (ctx, p) => ctx.run({ type: 'techCheck:talkTo', ...p }),
};
