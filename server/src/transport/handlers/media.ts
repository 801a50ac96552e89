import type { PeerHandle } from '../../app/MediaAccess.js';
import { can, DomainError, Slides } from '../../domain/index.js';
import type { AreaHandlers, HandlerContext } from '../HandlerContext.js';

/** Loss or round trip above these marks a site's network as poor on the roll-call board. */
const POOR_LOSS_PCT = 5;
const POOR_RTT_MS = 400;

/** This connection's media peer, or UNAVAILABLE while the meeting's media is gone. */
function peerOf(ctx: HandlerContext): PeerHandle {
  const peer = ctx.socket.data.peer;
  if (!peer || peer.closed) throw new DomainError('UNAVAILABLE', 'Media for this meeting is not available');
  return peer;
}

/** WebRTC signalling for this connection's media peer, and its network reports. */
export const mediaHandlers: AreaHandlers<'media'> = {
  'media:setRtpCapabilities': async (ctx, p) => {
    await peerOf(ctx).setRtpCapabilities(p.rtpCapabilities);
    return null;
  },
  'media:createTransport': async (ctx, p) => {
    const info = await peerOf(ctx).createTransport(p.direction);
    // A fresh TURN credential with every transport: a page that rejoins never holds an old one.
    const ice = ctx.services.ice?.(ctx.identity.linkId, ctx.socket.handshake.headers.host);
    return ice ? { ...info, ice } : info;
  },
  'media:connectTransport': async (ctx, p) => {
    await peerOf(ctx).connectTransport(p.transportId, p.dtlsParameters);
    return null;
  },
  'media:restartIce': async (ctx, p) => ({ iceParameters: await peerOf(ctx).restartIce(p.transportId) }),
  'media:produce': async (ctx, p) => {
    const peer = peerOf(ctx);
    if (p.source === 'screen') {
      // A shared screen replaces the slides for everyone: only who may present may share one.
      const record = await ctx.services.meetings.get(ctx.meetingId);
      if (!Slides.mayPresent(record.slides, ctx.actor).ok)
        throw new DomainError('FORBIDDEN', 'Only the presenter may share a screen');
    }
    const producerId = await peer.produce(p);
    if (p.source === 'screen') ctx.socket.data.screenProducerId = producerId;
    return { producerId };
  },
  'media:closeProducer': async (ctx, p) => {
    await peerOf(ctx).closeProducer(p.producerId);
    if (ctx.socket.data.screenProducerId === p.producerId) ctx.socket.data.screenProducerId = null;
    return null;
  },
  'media:visibleTiles': async (ctx, p) => {
    const peer = peerOf(ctx);
    if (!can(ctx.actor, 'viewGrid')) throw new DomainError('FORBIDDEN', `a ${ctx.actor.role} has no grid`);
    await peer.setVisibleTiles(p.siteIds);
    return null;
  },
  'media:report': async (ctx, p) => {
    peerOf(ctx);
    const poor = p.lossPct > POOR_LOSS_PCT || p.rttMs > POOR_RTT_MS;
    const { siteId } = ctx.identity;
    // Only a change of verdict reaches the domain: a report every few seconds is no command.
    if (siteId && poor !== ctx.socket.data.poor) {
      ctx.socket.data.poor = poor;
      await ctx.services.meetings.system(ctx.meetingId, { type: 'site:quality', siteId, poor });
    }
    return null;
  },
};
