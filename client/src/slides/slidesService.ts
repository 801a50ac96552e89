import {
  type DocumentErrorBody,
  type DocumentId,
  type SiteId,
  type SlidePointer,
  slidePaths,
} from '@giaoban/shared';
import type { types } from 'mediasoup-client';
import type { MessageKey } from '../i18n/i18n';
import { log, logError } from '../services/log';
import { errorCodeOf } from '../services/request';
import { session } from '../services/session';
import { streams } from '../services/streams';
import { meetingStore, pushNotice } from '../state/meetingState';
import { slidesStore } from './slidesState';

/** Registry key of this device's own shared screen (its preview). */
export const LOCAL_SCREEN = 'local:screen';

/** Pointer samples sent at most this often (the hub relays each to every client). */
const POINTER_EVERY_MS = 66;
/** Preloaded page images kept referenced so the browser does not drop them before use. */
const PRELOAD_KEEP = 12;

/**
 * The slides area's live side: page URLs (with this page's join token, since an <img> cannot
 * send headers), presenter actions, the pointer relay, uploads with progress (XHR), page
 * preloading and screen sharing on the publisher's send transport. Components read the stores.
 */
class SlidesService {
  private pointerTimer: ReturnType<typeof setTimeout> | null = null;
  private pendingPoint: { x: number; y: number } | null | undefined;
  private lastPointerAt = 0;
  private readonly preloaded = new Map<string, HTMLImageElement>();
  private screenProducer: types.Producer | null = null;
  private screenTrack: MediaStreamTrack | null = null;
  private attached = 0;
  private detach: (() => void) | null = null;

  /** Listens to the presenter's pointer while at least one slides area is on screen. */
  attach(): () => void {
    this.attached += 1;
    if (this.attached === 1) {
      this.detach = session.on('slides:pointer', (pointer: SlidePointer) => slidesStore.set({ pointer }));
    }
    return () => {
      this.attached -= 1;
      if (this.attached === 0) {
        this.detach?.();
        this.detach = null;
      }
    };
  }

  /** URL of a page image (1-based), or of its thumbnail. */
  pageUrl(documentId: string, page: number, thumb = false): string {
    const path = thumb ? slidePaths.thumb(documentId, page) : slidePaths.page(documentId, page);
    const token = session.joinToken;
    return token ? `${path}?token=${encodeURIComponent(token)}` : path;
  }

  /** Fetches pages ahead so the next turn shows at once (pages are cached immutably). */
  preload(documentId: string, pages: readonly number[]): void {
    for (const page of pages) {
      const url = this.pageUrl(documentId, page);
      if (this.preloaded.has(url)) continue;
      const img = new Image();
      img.decoding = 'async';
      img.src = url;
      this.preloaded.set(url, img);
      if (this.preloaded.size > PRELOAD_KEEP) {
        const oldest = this.preloaded.keys().next().value;
        if (oldest !== undefined) this.preloaded.delete(oldest);
      }
    }
  }

  show(documentId: string): Promise<void> {
    return this.act('slides:show', { documentId: documentId as DocumentId });
  }

  turn(page: number): Promise<void> {
    return this.act('slides:page', { page });
  }

  stop(): Promise<void> {
    return this.act('slides:stop', {});
  }

  setPresenter(siteId: string | null): Promise<void> {
    return this.act('slides:presenter', { siteId: siteId as SiteId | null });
  }

  /** Sends the pointer (throttled; `null` hides it). Lost samples do not matter. */
  point(p: { x: number; y: number } | null): void {
    this.pendingPoint = p;
    if (this.pointerTimer) return;
    const wait = Math.max(0, this.lastPointerAt + POINTER_EVERY_MS - Date.now());
    this.pointerTimer = setTimeout(() => {
      this.pointerTimer = null;
      const point = this.pendingPoint;
      this.pendingPoint = undefined;
      if (point === undefined) return;
      this.lastPointerAt = Date.now();
      session.request('slides:pointer', point ?? {}).catch(() => undefined);
    }, wait);
  }

  /** Uploads a file to the meeting (attached to the current agenda item) with progress. */
  upload(file: File): void {
    const snapshot = meetingStore.get().snapshot;
    const token = session.joinToken;
    if (!snapshot || !token) return;
    const params = new URLSearchParams({ filename: file.name });
    const item = snapshot.agenda.currentItemId;
    if (item) params.set('agendaItemId', item);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${slidePaths.upload(snapshot.meeting.id)}?${params}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    slidesStore.set({ upload: { name: file.name, loaded: 0, total: file.size, error: null } });
    xhr.upload.onprogress = (e) => {
      slidesStore.set((s) =>
        s.upload ? { ...s, upload: { ...s.upload, loaded: e.loaded, total: e.total || file.size } } : s,
      );
    };
    xhr.onload = () => {
      if (xhr.status === 202) {
        log('upload', 'document accepted', { name: file.name });
        slidesStore.set({ upload: null });
        return;
      }
      let reason: NonNullable<ReturnType<typeof slidesStore.get>['upload']>['error'] = 'converter';
      try {
        const body = JSON.parse(xhr.responseText) as DocumentErrorBody;
        reason = body.error.reason ?? (body.error.code === 'FORBIDDEN' ? 'forbidden' : 'converter');
      } catch {
        // not JSON: keep the generic reason
      }
      slidesStore.set((s) => (s.upload ? { ...s, upload: { ...s.upload, error: reason } } : s));
    };
    xhr.onerror = () =>
      slidesStore.set((s) => (s.upload ? { ...s, upload: { ...s.upload, error: 'network' } } : s));
    xhr.send(file);
  }

  /** Forgets a finished or refused upload's line. */
  dismissUpload(): void {
    slidesStore.set({ upload: null });
  }

  /** Whether this device has a send transport to share a screen on (chair and sites do). */
  canShareScreen(): boolean {
    return (
      session.media.publisher.transport !== null &&
      typeof navigator.mediaDevices?.getDisplayMedia === 'function'
    );
  }

  /**
   * Shares a screen or window: it replaces the slides area for everyone while it lasts. The
   * producer rides the publisher's send transport as source `screen`; the hub forwards it.
   */
  async shareScreen(): Promise<void> {
    const transport = session.media.publisher.transport;
    if (!transport) {
      pushNotice({ tone: 'error', key: 'error.UNAVAILABLE' as MessageKey });
      return;
    }
    if (this.screenProducer) return;
    slidesStore.set({ screen: 'starting' });
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
      const track = stream.getVideoTracks()[0];
      if (!track) throw new Error('no video track');
      this.screenTrack = track;
      track.addEventListener('ended', () => void this.stopScreen());
      const producer = await transport.produce({
        track,
        stopTracks: false,
        encodings: [{ maxBitrate: 2_000_000 }],
        codecOptions: { videoGoogleStartBitrate: 1000 },
        appData: { source: 'screen' },
      });
      this.screenProducer = producer;
      producer.on('transportclose', () => void this.stopScreen(false));
      streams.set(LOCAL_SCREEN, new MediaStream([track]));
      slidesStore.set({ screen: 'on' });
      log('shareScreen', 'sharing a screen', { producerId: producer.id });
    } catch (error) {
      logError('shareScreen', 'could not share the screen', error);
      this.screenTrack?.stop();
      this.screenTrack = null;
      slidesStore.set({ screen: 'off' });
      pushNotice({ tone: 'error', key: `error.${errorCodeOf(error)}` as MessageKey });
    }
  }

  /** Stops sharing; tells the hub unless the transport is already gone. */
  async stopScreen(tellHub = true): Promise<void> {
    const producer = this.screenProducer;
    this.screenProducer = null;
    this.screenTrack?.stop();
    this.screenTrack = null;
    streams.delete(LOCAL_SCREEN);
    slidesStore.set({ screen: 'off' });
    if (!producer) return;
    producer.close();
    if (tellHub) {
      await session
        .request('media:closeProducer', { producerId: producer.id })
        .catch((error) => logError('stopScreen', 'media:closeProducer failed', error));
    }
  }

  private async act<E extends 'slides:show' | 'slides:page' | 'slides:stop' | 'slides:presenter'>(
    event: E,
    payload: Parameters<typeof session.request<E>>[1],
  ): Promise<void> {
    try {
      await session.request(event, payload);
    } catch (error) {
      pushNotice({ tone: 'error', key: `error.${errorCodeOf(error)}` as MessageKey });
    }
  }
}

/** The page's slides service. */
export const slides = new SlidesService();
