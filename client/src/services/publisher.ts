import type { MediaSource, PublishLayers, TransportInfo, VideoCodec } from '@giaoban/shared';
import type { types } from 'mediasoup-client';
import { type CaptureState, meetingStore, patchMedia } from '../state/meetingState';
import { capture, listDevices, preferredDevice, rememberDevice } from './localMedia';
import { log, logError } from './log';
import type { Request } from './request';
import { LOCAL_CAMERA, streams } from './streams';

/** Three simulcast layers: thumbnails, a medium tile, the main stage. */
const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];

type Kind = 'camera' | 'mic';

/**
 * The codec the camera is published in: the meeting's (VP8 unless the organizer set H.264 for room
 * systems that take only H.264; then constrained baseline, packetization-mode 1, as the hub's
 * router offers it), so the hub's program can carry it to every viewer and room system as it is.
 */
export function cameraCodec(
  device: Pick<types.Device, 'sendRtpCapabilities'>,
  videoCodec: VideoCodec | undefined,
): types.RtpCodecCapability | undefined {
  const mimeType = videoCodec === 'h264' ? 'video/h264' : 'video/vp8';
  return device.sendRtpCapabilities.codecs?.find(
    (c) =>
      c.mimeType.toLowerCase() === mimeType &&
      (mimeType !== 'video/h264' || String(c.parameters?.['packetization-mode'] ?? '0') === '1'),
  );
}
type TransportFactory = (device: types.Device, info: TransportInfo) => types.Transport;

/**
 * The send side of a chair's or site's device: local camera and microphone tracks (kept across
 * reconnects so the browser does not ask again), the send transport and the producers.
 */
export class Publisher {
  private readonly tracks: Record<Kind, MediaStreamTrack | null> = { camera: null, mic: null };
  private readonly producers: Partial<Record<Kind, types.Producer>> = {};
  private device: types.Device | null = null;
  /** The user turned the camera off: do not reopen it on reconnect. */
  private cameraWanted = true;
  /** The send transport while connected. */
  transport: types.Transport | null = null;
  /** Dynacast requests for a camera producer this side has not finished creating yet. */
  private readonly layersFor = new Map<string, number>();
  /** Encoding changes, one at a time (a sender's parameters are read, changed, then written). */
  private layersRun: Promise<void> = Promise.resolve();
  /** Whether the hub forwards this device's microphone (null: not told yet). */
  private micOpen: boolean | null = null;

  constructor(
    private readonly request: Request,
    private readonly createTransport: TransportFactory,
  ) {}

  /** Opens camera and microphone (once) and publishes them on a new send transport. */
  async start(device: types.Device, current: () => boolean): Promise<void> {
    await this.acquire();
    if (!current()) return;
    if (!(await this.openTransport(device, current))) return;
    await Promise.all([this.produce('camera'), this.produce('mic')]);
  }

  /**
   * The operator's talk-back (issue 14): the microphone alone, published while the operator talks
   * privately with a site (the hub sends it to that site only); off closes it and frees the device.
   */
  async setTalkBack(device: types.Device, on: boolean, current: () => boolean): Promise<void> {
    if (!on) {
      await this.unpublish('mic');
      this.stopTrack('mic');
      return;
    }
    await this.open('mic');
    if (!current()) return;
    if (!this.transport && !(await this.openTransport(device, current))) return;
    await this.produce('mic');
  }

  /** Creates the send transport; false when the connection changed meanwhile. */
  private async openTransport(device: types.Device, current: () => boolean): Promise<boolean> {
    const info = await this.request('media:createTransport', { direction: 'send' });
    if (!current()) return false;
    this.device = device;
    const transport = this.createTransport(device, info);
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.request('media:produce', {
        transportId: transport.id,
        kind,
        source: appData.source as MediaSource,
        rtpParameters: rtpParameters as unknown as Record<string, unknown>,
      })
        .then(({ producerId }) => callback({ id: producerId }))
        .catch((error: Error) => errback(error));
    });
    this.transport = transport;
    patchMedia({ sendReady: true });
    return true;
  }

  /**
   * Dynacast: sends only the lowest `spatialLayers` camera encodings (the hub says which anyone
   * consumes); the others stop encoding until they are wanted again, when the browser starts them
   * with a key frame.
   */
  setPublishLayers({ producerId, spatialLayers }: PublishLayers): void {
    const producer = this.producers.camera;
    if (producer?.id !== producerId) {
      // The hub answers our produce request and tells us its layers in either order.
      this.layersFor.set(producerId, spatialLayers);
      return;
    }
    this.layersRun = this.layersRun.then(async () => {
      const top = spatialLayers - 1;
      if (producer.closed || producer.maxSpatialLayer === top) return;
      try {
        // Through mediasoup-client, which marks the stopped layers paused in its copy of the
        // remote SDP too: a later renegotiation (another track, an ICE restart) keeps them off.
        await producer.setMaxSpatialLayer(top);
        log('setPublishLayers', 'camera encodings', { spatialLayers });
      } catch (error) {
        logError('setPublishLayers', 'could not change the camera encodings', error, { spatialLayers });
      }
    });
  }

  /**
   * A microphone the hub does not forward (the policy closed it, or the user muted it) is paused
   * here too, so the site sends no audio at all; it resumes when the hub opens it again.
   */
  setMicOpen(open: boolean): void {
    this.micOpen = open;
    const producer = this.producers.mic;
    if (!producer || producer.closed || producer.paused === !open) return;
    if (open) producer.resume();
    else producer.pause();
    log('setMicOpen', open ? 'microphone sending' : 'microphone paused at the source', {});
  }

  /** Forgets producers and transport after a disconnect; the tracks stay open for the rejoin. */
  detach(): void {
    for (const kind of ['camera', 'mic'] as const) {
      this.producers[kind]?.close();
      delete this.producers[kind];
    }
    patchMedia({ producerIds: { camera: null, mic: null } });
    this.transport?.close();
    this.transport = null;
    this.device = null;
    this.layersFor.clear();
    // micOpen stays: the hub tells a joining connection its microphone state before the join
    // answer, i.e. before this reset.
  }

  /** Stops the camera and microphone (leaving the meeting). */
  release(): void {
    this.detach();
    for (const kind of ['camera', 'mic'] as const) this.stopTrack(kind);
  }

  /** Turns the camera on or off; off closes the producer and frees the device. */
  async setCameraEnabled(on: boolean): Promise<void> {
    this.cameraWanted = on;
    if (!on) {
      await this.unpublish('camera');
      this.stopTrack('camera');
      patchMedia({ camera: 'off' });
      return;
    }
    await this.open('camera');
    await this.produce('camera');
  }

  /** Retries devices that were missing or refused (after the user fixed the cause). */
  async retryDevices(): Promise<void> {
    this.cameraWanted = true;
    await this.acquire();
    await Promise.all([this.produce('camera'), this.produce('mic')]);
  }

  /** Switches to another camera or microphone without renegotiating. */
  async switchDevice(kind: Kind, deviceId: string): Promise<void> {
    rememberDevice(kind, deviceId);
    patchMedia(kind === 'camera' ? { cameraId: deviceId } : { micId: deviceId });
    if (kind === 'camera' && !this.cameraWanted) return;
    const old = this.tracks[kind];
    const result = await capture(kind, deviceId);
    this.setCapture(kind, result.state);
    if (!result.track) return;
    this.adoptTrack(kind, result.track);
    const producer = this.producers[kind];
    if (producer) await producer.replaceTrack({ track: result.track });
    else await this.produce(kind);
    old?.stop();
    log('switchDevice', 'device switched', { kind });
  }

  private async acquire(): Promise<void> {
    const kinds: Kind[] = this.cameraWanted ? ['camera', 'mic'] : ['mic'];
    // One after the other: browsers show one permission prompt at a time.
    for (const kind of kinds) await this.open(kind);
    const devices = await listDevices().catch(() => null);
    if (devices) {
      patchMedia({ ...devices, speakerId: preferredDevice('speaker') });
    }
  }

  private async open(kind: Kind): Promise<void> {
    const existing = this.tracks[kind];
    if (existing && existing.readyState === 'live') return;
    this.setCapture(kind, 'starting');
    const result = await capture(kind, preferredDevice(kind));
    this.tracks[kind] = null;
    this.setCapture(kind, result.state);
    if (result.track) this.adoptTrack(kind, result.track);
  }

  private adoptTrack(kind: Kind, track: MediaStreamTrack): void {
    this.tracks[kind] = track;
    track.addEventListener('ended', () => {
      if (this.tracks[kind] === track) this.onTrackEnded(kind);
    });
    const id = track.getSettings().deviceId ?? null;
    patchMedia(kind === 'camera' ? { cameraId: id } : { micId: id });
    if (kind === 'camera') {
      streams.set(LOCAL_CAMERA, new MediaStream([track]));
      patchMedia({ hasLocalVideo: true });
    }
  }

  private async produce(kind: Kind): Promise<void> {
    const track = this.tracks[kind];
    const transport = this.transport;
    if (!track || !transport || !this.device || this.producers[kind]) return;
    try {
      const source: MediaSource = kind;
      const producer =
        kind === 'camera'
          ? await transport.produce({
              track,
              encodings: CAMERA_ENCODINGS,
              codec: cameraCodec(this.device, meetingStore.get().snapshot?.meeting.videoCodec),
              codecOptions: { videoGoogleStartBitrate: 1000 },
              stopTracks: false,
              appData: { source },
            })
          : await transport.produce({
              track,
              codecOptions: { opusStereo: false, opusDtx: true, opusFec: true },
              stopTracks: false,
              // Paused while the hub would not forward it anyway: nothing is sent at all.
              zeroRtpOnPause: true,
              appData: { source },
            });
      if (this.transport !== transport) {
        producer.close();
        return;
      }
      this.producers[kind] = producer;
      this.setProducerId(kind, producer.id);
      log('produce', 'publishing', { kind, producerId: producer.id });
      const layers = this.layersFor.get(producer.id);
      if (kind === 'camera') this.layersFor.clear();
      if (layers !== undefined) this.setPublishLayers({ producerId: producer.id, spatialLayers: layers });
      if (kind === 'mic' && this.micOpen === false) this.setMicOpen(false);
    } catch (error) {
      logError('produce', 'could not publish', error, { kind });
      patchMedia({ error: 'media.error.publish' });
    }
  }

  private async unpublish(kind: Kind): Promise<void> {
    const producer = this.producers[kind];
    if (!producer) return;
    delete this.producers[kind];
    this.setProducerId(kind, null);
    producer.close();
    await this.request('media:closeProducer', { producerId: producer.id }).catch((error) =>
      logError('unpublish', 'media:closeProducer failed', error, { kind }),
    );
  }

  private setProducerId(kind: Kind, id: string | null): void {
    const current = meetingStore.get().media.producerIds;
    patchMedia({ producerIds: { ...current, [kind]: id } });
  }

  private stopTrack(kind: Kind): void {
    this.tracks[kind]?.stop();
    this.tracks[kind] = null;
    if (kind === 'camera') {
      streams.delete(LOCAL_CAMERA);
      patchMedia({ hasLocalVideo: false });
    }
  }

  private onTrackEnded(kind: Kind): void {
    // The device was unplugged or taken by another app.
    log('onTrackEnded', 'capture device ended', { kind });
    void this.unpublish(kind);
    this.stopTrack(kind);
    this.setCapture(kind, 'missing');
  }

  private setCapture(kind: Kind, state: CaptureState): void {
    if (meetingStore.get().media[kind] !== state)
      patchMedia(kind === 'camera' ? { camera: state } : { mic: state });
  }
}
