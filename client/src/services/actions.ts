import type {
  AgendaItemId,
  ClientAckData,
  ClientEventName,
  ClientPayload,
  FloorRequestId,
  SiteId,
} from '@giaoban/shared';
import type { MessageKey } from '../i18n/i18n';
import { patchMedia, pushNotice } from '../state/meetingState';
import { rememberDevice } from './localMedia';
import { errorCodeOf } from './request';
import { session } from './session';

/** Sends a request; on failure shows the reason in the user's language and resolves to null. */
async function run<E extends ClientEventName>(
  event: E,
  payload: ClientPayload<E>,
  done?: MessageKey,
): Promise<ClientAckData[E] | null> {
  try {
    const data = await session.request(event, payload);
    if (done) pushNotice({ tone: 'info', key: done }, 3000);
    return data;
  } catch (error) {
    pushNotice({ tone: 'error', key: `error.${errorCodeOf(error)}` as MessageKey });
    return null;
  }
}

/** What moderators (chair, operator) do. Every one is checked again by the server. */
export const moderator = {
  openTechCheck: () => run('meeting:openTechCheck', {}),
  goLive: () => run('meeting:goLive', {}),
  endMeeting: () => run('meeting:end', {}),
  advanceAgenda: () => run('agenda:advance', {}),
  openAgendaItem: (itemId: string) => run('agenda:open', { itemId: itemId as AgendaItemId }),
  reorderQueue: (requestIds: string[]) =>
    run('queue:reorder', { requestIds: requestIds as FloorRequestId[] }),
  grantRequest: (requestId: string, seconds?: number) =>
    run('floor:grant', {
      requestId: requestId as FloorRequestId,
      ...(seconds === undefined ? {} : { seconds }),
    }),
  grantSite: (siteId: string, seconds?: number) =>
    run('floor:grant', { siteId: siteId as SiteId, ...(seconds === undefined ? {} : { seconds }) }),
  revokeFloor: () => run('floor:revoke', {}),
  extendFloor: (seconds: number) => run('floor:extend', { seconds }),
  pinStage: (siteId: string | null) => run('stage:pin', { siteId: siteId as SiteId | null }),
  setSiteMic: (siteId: string, open: boolean) => run('mic:set', { siteId: siteId as SiteId, open }),
  /** Before the meeting is live: the one site that hears the chair for the technical check (null: none). */
  talkTo: (siteId: string | null) => run('techCheck:talkTo', { siteId: siteId as SiteId | null }),
  declareFor: (siteId: string, delegates: number) =>
    run('site:declare', { siteId: siteId as SiteId, delegates }),
};

/** What a bridge point does. */
export const bridgePoint = {
  requestFloor: (topic: string) => run('queue:request', { topic }, 'site.floor.requested'),
  withdrawRequest: (requestId: string) => run('queue:withdraw', { requestId: requestId as FloorRequestId }),
  yieldFloor: () => run('floor:yield', {}),
  declareDelegates: (delegates: number) => run('site:declare', { delegates }, 'site.delegates.saved'),
};

/** What the chair of a linked (child) meeting does with the national link. */
export const linkedMeeting = {
  setLocalSegment: (local: boolean) => run('relay:localSegment', { local }),
  askParentFloor: (ask: { topic: string } | { requestId: string }) =>
    run(
      'relay:requestFloor',
      'requestId' in ask ? { requestId: ask.requestId as FloorRequestId } : { topic: ask.topic },
      'relay.ask.done',
    ),
};

/** What a secretary does. */
export const secretary = {};

/** This device's own microphone, camera and loudspeaker. */
export const devices = {
  selfMute: (muted: boolean) => run('mic:selfMute', { muted }),
  setCameraEnabled: (on: boolean) => session.media.publisher.setCameraEnabled(on),
  retry: () => session.media.publisher.retryDevices(),
  switchCamera: (deviceId: string) => session.media.publisher.switchDevice('camera', deviceId),
  switchMic: (deviceId: string) => session.media.publisher.switchDevice('mic', deviceId),
  switchSpeaker: (deviceId: string) => {
    rememberDevice('speaker', deviceId);
    patchMedia({ speakerId: deviceId });
  },
};
