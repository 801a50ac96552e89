import type {
  ConsumerInfo,
  ConsumerSource,
  DisconnectReason,
  MeetingSnapshot,
  MicState,
  QualityReport,
  SelfInfo,
} from '@giaoban/shared';
import type { MessageKey } from '../i18n/i18n';
import { createStore } from './store';

/** Where the meeting connection is. */
export type SessionPhase = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'closed';

/** Why the client stopped trying to be in the meeting (each has its own message and way on). */
export type ClosedReason =
  | 'noToken'
  | 'unauthenticated'
  | 'protocolMismatch'
  | 'limit'
  | 'joinFailed'
  | DisconnectReason;

/** A remote track the server made for this client, as the UI needs to know it (no live objects). */
export interface ConsumerView {
  id: string;
  producerId: string;
  kind: ConsumerInfo['kind'];
  source: ConsumerSource;
  siteId: string | null;
  participantId: string;
  /** Paused at the server (by the viewing policy). */
  paused: boolean;
  /** The sender paused its producer (e.g. a closed microphone). */
  producerPaused: boolean;
  /** Order of arrival, so the newest consumer of a site wins. */
  seq: number;
}

/** Per-consumer receive statistics from getStats. */
export interface TrackStats {
  kbps: number;
  lossPct: number;
  /** 0..1 for audio, null for video. */
  audioLevel: number | null;
  frameWidth: number | null;
}

/** Link quality summary of this device. */
export interface LinkQuality extends QualityReport {
  level: 'good' | 'fair' | 'poor';
}

/** State of one local capture device. */
export type CaptureState = 'off' | 'starting' | 'on' | 'denied' | 'missing' | 'error';

/** A capture or output device the user may choose. */
export interface DeviceOption {
  deviceId: string;
  label: string;
}

/** Media flags of this device; the live objects are in services/. */
export interface MediaState {
  /** Whether this role publishes camera and microphone. */
  publishes: boolean;
  recvReady: boolean;
  sendReady: boolean;
  camera: CaptureState;
  mic: CaptureState;
  /** Ids of this device's producers at the server, once publishing. */
  producerIds: { camera: string | null; mic: string | null };
  /** Whether a local preview stream is available in the stream registry. */
  hasLocalVideo: boolean;
  cameras: DeviceOption[];
  mics: DeviceOption[];
  speakers: DeviceOption[];
  cameraId: string | null;
  micId: string | null;
  speakerId: string | null;
  /** A media setup error worth showing (message key). */
  error: MessageKey | null;
  /** The browser refused to play audio until the user interacts. */
  audioBlocked: boolean;
  /** This device's own microphone level (0..1). */
  selfMicLevel: number;
}

/** A short message shown to the user after an action (errors mostly). */
export interface Notice {
  id: number;
  tone: 'error' | 'info';
  key: MessageKey;
  params?: Record<string, string | number>;
}

/** Everything the meeting views draw from. Serialisable: no sockets, tracks or streams. */
export interface MeetingState {
  phase: SessionPhase;
  closedReason: ClosedReason | null;
  /** Retry count while connecting or reconnecting (for the banner). */
  attempts: number;
  /** The hub is moving this meeting's media to another instance: the banner says "reconnecting media". */
  mediaMoving: boolean;
  self: SelfInfo | null;
  snapshot: MeetingSnapshot | null;
  /** Estimated server clock minus local clock, in ms. */
  clockSkewMs: number;
  consumers: Record<string, ConsumerView>;
  trackStats: Record<string, TrackStats>;
  /** Microphone level per site (0..1), pushed by the server to moderators while anyone is heard. */
  audioLevels: Record<string, number>;
  quality: LinkQuality | null;
  mic: MicState | null;
  media: MediaState;
  notices: Notice[];
}

/** Media flags before anything is set up. */
export const initialMedia: MediaState = {
  publishes: false,
  recvReady: false,
  sendReady: false,
  camera: 'off',
  mic: 'off',
  producerIds: { camera: null, mic: null },
  hasLocalVideo: false,
  cameras: [],
  mics: [],
  speakers: [],
  cameraId: null,
  micId: null,
  speakerId: null,
  error: null,
  audioBlocked: false,
  selfMicLevel: 0,
};

/** The state of a page that has not joined anything yet. */
export const initialMeetingState: MeetingState = {
  phase: 'idle',
  closedReason: null,
  attempts: 0,
  mediaMoving: false,
  self: null,
  snapshot: null,
  clockSkewMs: 0,
  consumers: {},
  trackStats: {},
  audioLevels: {},
  quality: null,
  mic: null,
  media: initialMedia,
  notices: [],
};

/** The one meeting store of the page. */
export const meetingStore = createStore<MeetingState>(initialMeetingState);

/** Applies a patch to the media flags. */
export function patchMedia(patch: Partial<MediaState>): void {
  meetingStore.set((s) => ({ ...s, media: { ...s.media, ...patch } }));
}

let noticeSeq = 0;

/** Shows a notice for a few seconds. */
export function pushNotice(notice: Omit<Notice, 'id'>, ttlMs = 6000): void {
  const id = ++noticeSeq;
  meetingStore.set((s) => ({ ...s, notices: [...s.notices.slice(-3), { ...notice, id }] }));
  setTimeout(() => dismissNotice(id), ttlMs);
}

/** Removes a notice. */
export function dismissNotice(id: number): void {
  meetingStore.set((s) =>
    s.notices.some((n) => n.id === id) ? { ...s, notices: s.notices.filter((n) => n.id !== id) } : s,
  );
}
