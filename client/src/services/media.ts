import {
  type ConsumerInfo,
  type ConsumerState,
  type JoinResult,
  publishesMedia,
  type Result,
  type TransportInfo,
} from '@giaoban/shared';
import { Device, type types } from 'mediasoup-client';
import { meetingStore, patchMedia } from '../state/meetingState';
import { addConsumer, removeConsumer, updateConsumer } from '../state/reconcile';
import { iceOptions, relayForcedHere } from './iceOptions';
import { log, logError } from './log';
import { Publisher } from './publisher';
import type { Request } from './request';
import { streams } from './streams';

/** What the stats monitor needs to read. */
export interface StatsSources {
  recv: types.Transport | null;
  send: types.Transport | null;
  /** Consumer id with the ids getStats reports it under. */
  consumers: Array<{ id: string; trackId: string; mid: string | undefined }>;
}

/** A transport ICE reports as disconnected gets this long to come back by itself before a restart. */
const ICE_DISCONNECTED_WAIT_MS = 3_000;
/** After an ICE restart, the transport is checked again this much later (and restarted again). */
const ICE_RESTART_CHECK_MS = 10_000;

/**
 * Owns the mediasoup-client Device, the receive transport and the consumers, and the publisher
 * (send side). Everything live stays here; the store only learns ids and flags.
 */
export class MediaService {
  private recv: types.Transport | null = null;
  private readonly consumers = new Map<string, types.Consumer>();
  /** Bumped on every reset so that work started for an old connection is dropped. */
  private generation = 0;
  private seq = 0;
  private recvWaiters: Array<(t: types.Transport | null) => void> = [];
  private visibleTiles: string[] | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The loaded Device of the current connection, once receiving is set up. */
  private device: types.Device | null = null;
  /** An operator talking back publishes its microphone (see Publisher.setTalkBack). */
  private talkBack = false;
  private talkBackRun: Promise<void> = Promise.resolve();
  readonly publisher: Publisher;

  /**
   * @param request sends a signalling request.
   * @param onTransportFailed called when ICE fails for good: the session reconnects, which makes
   *   the server drop this connection's media and lets `start` rebuild it cleanly.
   */
  constructor(
    private readonly request: Request,
    private readonly onTransportFailed: () => void,
  ) {
    this.publisher = new Publisher(request, (device, info) => this.createTransport(device, info, 'send'));
    meetingStore.subscribe(() => {
      const s = meetingStore.get();
      const on = s.self?.role === 'operator' && (s.snapshot?.moderation.talkBack ?? null) !== null;
      if (on !== this.talkBack) this.setTalkBack(on);
    });
  }

  /** Publishes (or stops) the operator's talk-back microphone; applied again after every rejoin. */
  private setTalkBack(on: boolean): void {
    this.talkBack = on;
    const device = this.device;
    if (!device) return; // start() applies it once the Device is loaded
    const generation = this.generation;
    this.talkBackRun = this.talkBackRun
      .then(() => this.publisher.setTalkBack(device, on, () => generation === this.generation))
      .catch((error) => logError('setTalkBack', 'talk-back microphone failed', error, { on }));
  }

  /** Sets up receiving (and sending for chair and sites) after a join; retries on failure. */
  async start(join: JoinResult, attempt = 0): Promise<void> {
    const generation = this.generation;
    const current = () => generation === this.generation;
    const publishes = publishesMedia(join.self.role);
    patchMedia({ publishes, error: null });
    try {
      const device = await Device.factory();
      await device.load({
        routerRtpCapabilities: join.routerRtpCapabilities as unknown as types.RtpCapabilities,
      });
      if (!current()) return;
      await this.request('media:setRtpCapabilities', {
        rtpCapabilities: device.recvRtpCapabilities as unknown as Record<string, unknown>,
      });
      const info = await this.request('media:createTransport', { direction: 'recv' });
      if (!current()) return;
      this.recv = this.createTransport(device, info, 'recv');
      for (const wake of this.recvWaiters.splice(0)) wake(this.recv);
      patchMedia({ recvReady: true });
      if (this.visibleTiles) void this.reportVisibleTiles(this.visibleTiles, true);
      this.device = device;
      if (publishes) await this.publisher.start(device, current);
      else if (this.talkBack) this.setTalkBack(true);
    } catch (error) {
      if (!current()) return;
      logError('start', 'media setup failed', error, { attempt });
      patchMedia({ error: 'media.error.setup' });
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      this.retryTimer = setTimeout(() => {
        if (!current()) return;
        this.reset();
        void this.start(join, attempt + 1);
      }, delay);
    }
  }

  /** Closes transports and consumers (the server's are gone after a disconnect); keeps local tracks. */
  reset(): void {
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const wake of this.recvWaiters.splice(0)) wake(null);
    for (const consumer of this.consumers.values()) consumer.close();
    this.consumers.clear();
    this.recv?.close();
    this.recv = null;
    this.device = null;
    this.publisher.detach();
    streams.clearRemote();
    meetingStore.set((s) => ({
      ...s,
      consumers: {},
      trackStats: {},
      mic: null,
      media: { ...s.media, recvReady: false, sendReady: false, error: null },
    }));
  }

  /**
   * Builds a batch of consumers the hub announced (`media:newConsumers`), all in the same turn so
   * mediasoup-client renegotiates once for the lot; one result per consumer, in order.
   */
  consumeBatch(infos: readonly ConsumerInfo[]): Promise<Result<null>[]> {
    return Promise.all(infos.map((info) => this.#consumeOne(info)));
  }

  /** Builds one announced consumer and registers its stream (the hub resumes it once acked). */
  async #consumeOne(info: ConsumerInfo): Promise<Result<null>> {
    const generation = this.generation;
    try {
      const recv = this.recv ?? (await new Promise<types.Transport | null>((r) => this.recvWaiters.push(r)));
      if (!recv || generation !== this.generation) throw new Error('receive transport gone');
      const consumer = await recv.consume({
        id: info.id,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as unknown as types.RtpParameters,
      });
      if (generation !== this.generation) {
        consumer.close();
        throw new Error('connection replaced');
      }
      this.consumers.set(consumer.id, consumer);
      consumer.on('transportclose', () => this.closeConsumer(consumer.id));
      streams.set(consumer.id, new MediaStream([consumer.track]));
      const seq = ++this.seq;
      meetingStore.set((s) => ({ ...s, consumers: addConsumer(s.consumers, info, seq) }));
      return { ok: true, data: null };
    } catch (error) {
      logError('consume', 'could not build consumer', error, { id: info.id, source: info.source });
      return { ok: false, error: { code: 'INTERNAL', message: String(error) } };
    }
  }

  /** The server closed a consumer (its producer left, or the policy dropped it). */
  closeConsumer(id: string): void {
    this.consumers.get(id)?.close();
    this.consumers.delete(id);
    streams.delete(id);
    meetingStore.set((s) => ({ ...s, consumers: removeConsumer(s.consumers, id) }));
  }

  /** The server paused or resumed a consumer. */
  updateConsumer(state: ConsumerState): void {
    meetingStore.set((s) => {
      const consumers = updateConsumer(s.consumers, state);
      return consumers === s.consumers ? s : { ...s, consumers };
    });
  }

  /** Tells the server which site tiles are on screen, so hidden ones are paused there. */
  async reportVisibleTiles(siteIds: string[], force = false): Promise<void> {
    const same = this.visibleTiles && this.visibleTiles.join() === siteIds.join();
    this.visibleTiles = siteIds;
    if (same && !force) return;
    if (!this.recv) return; // sent once receiving is set up
    try {
      await this.request('media:visibleTiles', { siteIds: siteIds as never });
    } catch (error) {
      logError('reportVisibleTiles', 'media:visibleTiles failed', error, { count: siteIds.length });
    }
  }

  /** Transports and consumer ids for the stats monitor. */
  statsSources(): StatsSources {
    return {
      recv: this.recv,
      send: this.publisher.transport,
      consumers: [...this.consumers.values()].map((c) => ({
        id: c.id,
        trackId: c.track.id,
        mid: c.rtpParameters.mid,
      })),
    };
  }

  /**
   * Builds a transport and wires DTLS connect to the server. A dropped ICE link (the network cut
   * out, the address changed) is restarted in place: new ICE credentials from the hub, same DTLS,
   * producers and consumers. Only when the hub cannot be asked does the whole connection rebuild.
   */
  private createTransport(
    device: types.Device,
    info: TransportInfo,
    direction: 'send' | 'recv',
  ): types.Transport {
    const options = {
      id: info.id,
      iceParameters: info.iceParameters as unknown as types.IceParameters,
      iceCandidates: info.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as unknown as types.DtlsParameters,
      // TURN servers with this transport's own credential; relay only where the policy says so.
      ...iceOptions(info.ice, relayForcedHere()),
    };
    if (options.iceTransportPolicy === 'relay' && options.iceServers.length === 0)
      logError('createTransport', 'relay required but the hub gave no TURN server', null, { direction });
    const transport =
      direction === 'recv' ? device.createRecvTransport(options) : device.createSendTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.request('media:connectTransport', {
        transportId: transport.id,
        dtlsParameters: dtlsParameters as unknown as Record<string, unknown>,
      })
        .then(() => callback())
        .catch((error: Error) => errback(error));
    });
    const generation = this.generation;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const watch = (delay: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        void this.restartIce(transport, generation, watch);
      }, delay);
    };
    transport.on('connectionstatechange', (state) => {
      log('createTransport', 'transport state', { direction, state });
      if (state === 'connected') {
        if (timer) clearTimeout(timer);
        timer = null;
      } else if (state === 'disconnected') watch(ICE_DISCONNECTED_WAIT_MS);
      else if (state === 'failed') watch(0);
      else if (state === 'closed' && timer) clearTimeout(timer);
    });
    return transport;
  }

  /**
   * One ICE restart of a transport that is not connected; `again` schedules the next check. When
   * the hub cannot be reached (the socket is down too) the session reconnects and rebuilds.
   */
  private async restartIce(
    transport: types.Transport,
    generation: number,
    again: (delay: number) => void,
  ): Promise<void> {
    const stale = () => transport.closed || generation !== this.generation;
    if (stale() || transport.connectionState === 'connected') return;
    try {
      const { iceParameters } = await this.request('media:restartIce', { transportId: transport.id });
      if (stale()) return;
      await transport.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
      log('restartIce', 'ICE restarted', { direction: transport.direction });
      again(ICE_RESTART_CHECK_MS);
    } catch (error) {
      if (stale()) return;
      logError('restartIce', 'ICE restart impossible; rebuilding the connection', error);
      patchMedia({ error: 'media.error.transport' });
      this.onTransportFailed();
    }
  }
}
