import {
  applyChanges,
  type ClientToServerEvents,
  type JoinResult,
  type MeetingSnapshot,
  PROTOCOL_VERSION,
  type RelayPipeAnswer,
  type Result,
  type ServerToClientEvents,
} from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { io, type Socket } from 'socket.io-client';
import { log } from '../log/log.js';
import type { MediaConfig, MeetingMedia } from '../media/index.js';
import { ProgramAudio } from '../media/program/ProgramAudio.js';
import { RelayPipe } from './RelayPipe.js';

/** Where a linked child meeting's hub joins its parent. */
export interface ParentLink {
  /** The parent hub's base URL (http(s)://host:port). */
  url: string;
  /** The relay link's token, issued by the parent's organizer. */
  token: string;
}

/** The link's state, as the child's organizer and sites see it. */
export type RelayState = 'connecting' | 'relaying' | 'lost' | 'revoked' | 'closed';

/**
 * The child hub's side of a linked meeting: joins the parent meeting over the public socket.io
 * protocol with a relay link, opens the media pipe (`relay:pipe`) and makes the parent's program
 * the child meeting's program. The link drops → the child's program returns to its own stage and
 * socket.io reconnects by itself; a revoked or expired link stops it for good.
 */
export class RelayClient {
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly #media: () => Promise<MeetingMedia>;
  readonly #config: Pick<MediaConfig, 'listenIp' | 'announcedIp'>;
  #pipe: RelayPipe | null = null;
  #state: RelayState = 'connecting';
  /** Packets of the parent's program produced into the child (for tests and the roll call). */
  #downProducer: ms.Producer | null = null;
  #downAudio: ms.Producer | null = null;
  readonly #onState: (state: RelayState) => void;
  /** The parent meeting as this site sees it (to know when this site is on the parent's stage). */
  #snapshot: MeetingSnapshot | null = null;
  #siteId: string | null = null;
  #media_: MeetingMedia | null = null;

  constructor(options: {
    parent: ParentLink;
    media: () => Promise<MeetingMedia>;
    config: Pick<MediaConfig, 'listenIp' | 'announcedIp'>;
    onState?: (state: RelayState) => void;
  }) {
    this.#media = options.media;
    this.#config = options.config;
    this.#onState = options.onState ?? (() => undefined);
    this.#socket = io(options.parent.url, {
      auth: { token: options.parent.token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.#socket.on('connect', () => {
      void this.#link().catch((e: unknown) => {
        log.warn('RelayClient', 'link() | failed, retrying on the next connection', { error: String(e) });
        this.#dropPipe();
        this.#socket.disconnect().connect();
      });
    });
    this.#socket.on('disconnect', () => {
      this.#dropPipe();
      if (this.#state === 'relaying' || this.#state === 'connecting') this.#setState('lost');
    });
    this.#socket.on('meeting:changed', (batch) => {
      if (!this.#snapshot) return;
      const out = applyChanges(this.#snapshot, batch);
      if (out.kind === 'applied') {
        this.#snapshot = out.snapshot;
        this.#followStage();
      } else if (out.kind === 'gap') {
        void this.#call<MeetingSnapshot>('meeting:sync', {}).then(
          (snapshot) => {
            this.#snapshot = snapshot;
            this.#followStage();
          },
          () => undefined,
        );
      }
    });
    this.#socket.on('connect_error', (err) => {
      const code = (err as { data?: { code?: string } }).data?.code;
      if (code === 'UNAUTHENTICATED') this.#stop('revoked');
    });
    this.#socket.on('session:ended', ({ reason }, ack) => {
      ack();
      if (reason === 'revoked' || reason === 'expired' || reason === 'meetingEnded') this.#stop('revoked');
    });
  }

  /** Where the link stands. */
  get state(): RelayState {
    return this.#state;
  }

  /** The parent's audio mix as produced in the child meeting, while relaying. */
  get downAudio(): ms.Producer | null {
    return this.#downAudio;
  }

  /** The parent's program as produced in the child meeting, while relaying. */
  get downProducer(): ms.Producer | null {
    return this.#downProducer;
  }

  /** Drops the connection to the parent as a network failure would (tests); it comes back by itself. */
  dropForTesting(): void {
    this.#socket.io.engine.close();
  }

  /** Ends the link for good (detached, or the child meeting closed). Idempotent. */
  close(): void {
    this.#stop('closed');
  }

  async #link(): Promise<void> {
    this.#setState('connecting');
    const join = await this.#call<JoinResult>('meeting:join', {});
    const media = await this.#media();
    this.#dropPipe();
    const pipe = await RelayPipe.open(media, this.#config);
    this.#pipe = pipe;
    // Media up: the child's program goes to the parent, which shows it while this site has the floor.
    const up = [await pipe.send(media.program.producer, 'program')];
    // …and what the province says, heard at the parent while this site has the floor there.
    const audio = await ProgramAudio.ofMeeting(media, null);
    pipe.own(() => audio.close());
    up.push(await pipe.send(audio.producer, 'program'));
    const answer = await this.#call<RelayPipeAnswer>('relay:pipe', { endpoint: pipe.endpoint, up });
    await pipe.connect(answer.endpoint);
    for (const stream of answer.down) {
      if (stream.source !== 'program') continue;
      if (stream.kind === 'video') this.#downProducer = await pipe.receive(stream);
      else if (stream.kind === 'audio') {
        // The parent's mix (without this province): everyone in the child meeting hears it.
        this.#downAudio = await pipe.receive(stream);
        media.setProgramAudioInput(this.#downAudio);
      }
    }
    this.#media_ = media;
    this.#siteId = join.self.siteId;
    this.#snapshot = join.snapshot;
    await this.#followStage();
    this.#setState('relaying');
    log.info('RelayClient', 'link() | relaying the parent meeting', {
      meetingId: media.meetingId,
      asSite: join.self.siteId,
    });
  }

  #call<T>(event: 'meeting:join' | 'meeting:sync' | 'relay:pipe', payload: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const ack = (result: Result<T>): void => {
        if (result.ok) resolve(result.data);
        else reject(new Error(`${event}: ${result.error.code} ${result.error.message}`));
      };
      // The two events' payloads are checked by the parent's schemas; the ack type is the event's.
      (
        this.#socket.timeout(10_000).emit as (
          e: string,
          p: unknown,
          cb: (err: Error | null, r: Result<T>) => void,
        ) => void
      )(event, payload, (err, result) => (err ? reject(err) : ack(result)));
    });
  }

  /** Whether this site is on the parent's main stage (it has the floor, or is pinned). */
  get onParentStage(): boolean {
    return this.#snapshot !== null && this.#snapshot.stage.programSiteId === this.#siteId;
  }

  /**
   * The child's program is the parent's — except while this site is on the parent's stage: then
   * the parent shows the child's program, which must be the child's own stage (else a loop).
   */
  #followStage(): Promise<void> {
    const media = this.#media_;
    if (!media || media.closed) return Promise.resolve();
    const input = this.onParentStage ? null : this.#downProducer;
    return media.setProgramInput(input);
  }

  #dropPipe(): void {
    this.#pipe?.close();
    this.#pipe = null;
    this.#downProducer = null;
    this.#downAudio = null;
  }

  #stop(state: RelayState): void {
    if (this.#state === 'revoked' || this.#state === 'closed') return;
    this.#socket.io.reconnection(false);
    this.#socket.disconnect();
    this.#dropPipe();
    this.#setState(state);
  }

  #setState(state: RelayState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onState(state);
  }
}
