import {
  applyChanges,
  type ClientToServerEvents,
  type JoinResult,
  type LinkedTotals,
  type MeetingSnapshot,
  type ParentLinkState,
  type ParentView,
  PROTOCOL_VERSION,
  type RelayPipeAnswer,
  type Result,
  type ServerToClientEvents,
  type SiteId,
} from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { io, type Socket } from 'socket.io-client';
import { DomainError, ParentLink as Link } from '../domain/index.js';
import { log } from '../log/log.js';
import type { MediaConfig, MeetingMedia } from '../media/index.js';
import { ProgramAudio } from '../media/program/ProgramAudio.js';
import { ParentPages } from './ParentPages.js';
import { RelayPipe } from './RelayPipe.js';

/** Totals changing in a burst (sites joining at the start) go up once per this interval. */
const TOTALS_COALESCE_MS = 250;
/** After the parent hub closed the connection itself (it is stopping), try again this much later. */
const SERVER_DISCONNECT_RETRY_MS = 1_000;
/** Documents the parent has shown that the child's sites may still read (the latest ones). */
const MAX_SHOWN_DOCUMENTS = 20;

/** Where a linked child meeting's hub joins its parent. */
export interface ParentLink {
  /** The parent hub's base URL (http(s)://host:port). */
  url: string;
  /** The relay link's token, issued by the parent's organizer. */
  token: string;
}

/** The link's state, as the child's organizer and sites see it. */
export type RelayState = 'connecting' | 'relaying' | 'lost' | 'revoked' | 'closed';

/** The link's state in the words of the child meeting's sites: relaying, coming back, or cut for good. */
export function linkStateOf(state: RelayState): ParentLinkState {
  switch (state) {
    case 'relaying':
      return 'connected';
    case 'connecting':
    case 'lost':
      return 'reconnecting';
    case 'revoked':
    case 'closed':
      return 'lost';
    default: {
      const never: never = state;
      return never;
    }
  }
}

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
  #siteId: SiteId | null = null;
  #siteName: string | null = null;
  #media_: MeetingMedia | null = null;
  readonly #onParent: (view: ParentView) => void;
  /** The last view handed to `onParent` (JSON), so only changes are passed on. */
  #lastView = '';
  /** The child chair holds a local segment: its sites see and hear the child's own stage. */
  #local: boolean;
  /** The parent's pages, fetched once and served to the child's sites. */
  readonly pages: ParentPages;
  /** Documents the parent showed while linked (the only ones the child's sites may read through it). */
  readonly #shown = new Set<string>();
  /** The latest totals of the child meeting, and the last ones the parent acknowledged. */
  #totals: LinkedTotals | null = null;
  #sentTotals = '';
  #totalsTimer: NodeJS.Timeout | null = null;
  #joined = false;

  constructor(options: {
    parent: ParentLink;
    media: () => Promise<MeetingMedia>;
    config: Pick<MediaConfig, 'listenIp' | 'announcedIp'>;
    onState?: (state: RelayState) => void;
    /** The parent as the child's sites see it, on every change (and on every link state change). */
    onParent?: (view: ParentView) => void;
    /** The child meeting is in a local segment already (a restarted hub). */
    localSegment?: boolean;
  }) {
    this.#media = options.media;
    this.#config = options.config;
    this.#onState = options.onState ?? (() => undefined);
    this.#onParent = options.onParent ?? (() => undefined);
    this.#local = options.localSegment ?? false;
    this.pages = new ParentPages(options.parent.url, options.parent.token);
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
    this.#socket.on('disconnect', (reason) => {
      this.#joined = false;
      this.#dropPipe();
      if (this.#state === 'relaying' || this.#state === 'connecting') this.#setState('lost');
      // socket.io retries a dropped network by itself, but not a disconnect the server made (the
      // parent hub stopping for a restart): retry after a beat, as the client app does. A revoked
      // link was told why first (`session:ended`) and has stopped.
      if (reason === 'io server disconnect') {
        setTimeout(() => {
          if (this.#state === 'lost' && !this.#socket.connected) this.#socket.connect();
        }, SERVER_DISCONNECT_RETRY_MS).unref();
      }
    });
    this.#socket.on('meeting:changed', (batch) => {
      if (!this.#snapshot) return;
      const out = applyChanges(this.#snapshot, batch);
      if (out.kind === 'applied') {
        this.#snapshot = out.snapshot;
        void this.#followStage();
        this.#publishView();
      } else if (out.kind === 'gap') {
        void this.#call<MeetingSnapshot>('meeting:sync', {}).then(
          (snapshot) => {
            this.#snapshot = snapshot;
            void this.#followStage();
            this.#publishView();
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
      // Another hub joined with the same relay link (it stands for one site): it keeps it, and this
      // one must not take it back, or the two would replace each other for ever.
      if (reason === 'replaced')
        log.warn('RelayClient', 'session:ended | another hub relays with this link; stopping', {});
      this.#stop('revoked');
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

  /** The bridge point this meeting stands for at the parent (its relay link's name), once joined. */
  get siteName(): string | null {
    return this.#siteName;
  }

  /** The view of the parent the child's sites are shown now. */
  get view(): ParentView {
    const link = linkStateOf(this.#state);
    if (!this.#snapshot) {
      // Not reached yet: nothing of the parent to show but the link's state.
      return {
        meetingTitle: '',
        agendaItem: null,
        floor: null,
        slide: null,
        link,
        province: { requestTopic: null, onStage: false },
        localSegment: this.#local,
      };
    }
    return Link.parentViewOf(this.#snapshot, this.#siteId, link, this.#local);
  }

  /** True when the child's sites may read this parent document through the link (it was shown). */
  mayReadDocument(documentId: string): boolean {
    return this.#shown.has(documentId);
  }

  /**
   * The child meeting's totals changed: they go up to the parent (coalesced, and again after every
   * reconnection), where the province's line of the roll call counts its communes and delegates.
   */
  reportTotals(totals: LinkedTotals): void {
    this.#totals = totals;
    this.#scheduleTotals();
  }

  /**
   * The child chair leaves relay mode for a local segment (true) or returns to relaying: the
   * child's program and what its sites hear follow at once; the link itself stays up.
   */
  setLocalSegment(local: boolean): Promise<void> {
    if (this.#local === local) return Promise.resolve();
    this.#local = local;
    this.#publishView();
    return this.#followStage();
  }

  /**
   * Asks the parent's floor for this province (its site in the parent meeting), with a topic.
   * Returns the parent's request id.
   */
  async requestFloor(topic: string): Promise<string> {
    if (this.#state !== 'relaying')
      throw new DomainError('UNAVAILABLE', 'The link to the parent meeting is down');
    const { requestId } = await this.#call<{ requestId: string }>('queue:request', { topic });
    return requestId;
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
    this.#siteName = join.self.displayName;
    this.#snapshot = join.snapshot;
    await this.#followStage();
    this.#joined = true;
    // The parent has forgotten nothing it was told, but a parent that restarted has: say it again.
    this.#sentTotals = '';
    this.#scheduleTotals();
    this.#setState('relaying');
    log.info('RelayClient', 'link() | relaying the parent meeting', {
      meetingId: media.meetingId,
      asSite: join.self.siteId,
    });
  }

  #call<T>(
    event: 'meeting:join' | 'meeting:sync' | 'relay:pipe' | 'relay:totals' | 'queue:request',
    payload: unknown,
  ): Promise<T> {
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
   * the parent shows the child's program, which must be the child's own stage (else a loop) — and
   * during a local segment, when the child's sites see and hear their own meeting. The parent's
   * audio is paused, not closed, for a local segment, so returning is instant.
   */
  #followStage(): Promise<void> {
    const media = this.#media_;
    if (!media || media.closed) return Promise.resolve();
    const audio = this.#downAudio;
    if (audio && !audio.closed) {
      void (this.#local ? audio.pause() : audio.resume()).catch((err: unknown) =>
        log.debug('RelayClient', 'followStage() | parent audio not switched', { error: String(err) }),
      );
    }
    const input = this.onParentStage || this.#local ? null : this.#downProducer;
    return media.setProgramInput(input);
  }

  /** Tells the child meeting what the parent shows now, when it changed. */
  #publishView(): void {
    const showing = this.#snapshot?.slides.showing;
    if (showing && !this.#shown.has(showing.documentId)) {
      this.#shown.add(showing.documentId);
      for (const old of this.#shown) {
        if (this.#shown.size <= MAX_SHOWN_DOCUMENTS) break;
        this.#shown.delete(old);
      }
    }
    const view = this.view;
    const key = JSON.stringify(view);
    if (key === this.#lastView) return;
    this.#lastView = key;
    // The page every child site is about to ask for: fetched once now, so they are served from memory.
    if (view.slide && view.link === 'connected') {
      this.pages.get(view.slide.documentId, view.slide.page).catch(() => undefined);
    }
    this.#onParent(view);
  }

  #scheduleTotals(): void {
    if (this.#totalsTimer || !this.#joined) return;
    this.#totalsTimer = setTimeout(() => {
      this.#totalsTimer = null;
      void this.#flushTotals();
    }, TOTALS_COALESCE_MS);
    this.#totalsTimer.unref();
  }

  async #flushTotals(): Promise<void> {
    const totals = this.#totals;
    if (!totals || !this.#joined) return;
    const key = JSON.stringify(totals);
    if (key === this.#sentTotals) return;
    try {
      await this.#call<null>('relay:totals', totals);
      this.#sentTotals = key;
      // Changed while the report was on its way: send the newer ones.
      if (this.#totals && JSON.stringify(this.#totals) !== this.#sentTotals) this.#scheduleTotals();
    } catch (err) {
      log.warn('RelayClient', 'flushTotals() | totals not reported; sent again on the next change', {
        error: String(err),
      });
    }
  }

  #dropPipe(): void {
    this.#pipe?.close();
    this.#pipe = null;
    this.#downProducer = null;
    this.#downAudio = null;
  }

  #stop(state: RelayState): void {
    if (this.#state === 'revoked' || this.#state === 'closed') return;
    if (this.#totalsTimer) clearTimeout(this.#totalsTimer);
    this.#totalsTimer = null;
    this.#joined = false;
    this.#socket.io.reconnection(false);
    this.#socket.disconnect();
    this.#dropPipe();
    this.#setState(state);
  }

  #setState(state: RelayState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onState(state);
    this.#publishView();
  }
}
