import type {
  LinkedTotals,
  MeetingId,
  ParentView,
  RelayPipeAnswer,
  RelaySchemas,
  SiteId,
} from '@giaoban/shared';
import { z } from 'zod';
import type { MediaRegistry } from '../app/MediaRegistry.js';
import type { MeetingService } from '../app/MeetingService.js';
import { type Actor, auditEntry, DomainError, ParentLink } from '../domain/index.js';
import { log } from '../log/log.js';
import type { MediaConfig } from '../media/index.js';
import type { RoomProducer } from '../media/PeerHost.js';
import { ProgramAudio } from '../media/program/ProgramAudio.js';
import type { Store } from '../store/Store.js';
import type { PageImage } from './ParentPages.js';
import { type ParentLink as ParentAddress, RelayClient, type RelayState } from './RelayClient.js';
import { RelayPipe } from './RelayPipe.js';

/** A journaled link of a child meeting to its parent (a `{ detached: true }` entry ends it). */
const ParentLinkEntry = z.object({ url: z.string().url(), token: z.string().min(1) });

/** Who opens a pipe at the parent: the relay link's connection (its identity, from its token). */
export interface RelayCaller {
  meetingId: MeetingId;
  participantId: string;
  siteId: SiteId | null;
  relay: boolean;
}

/** What a child meeting is linked to, as the organizer sees it (the token is never shown back). */
export interface ParentLinkView {
  url: string;
  state: RelayState;
  /** The bridge point the meeting stands for at the parent, once joined there. */
  site: string | null;
}

/**
 * Linked meetings on this hub, both ends: as a parent it answers relay links' `relay:pipe`; as a
 * child it keeps one RelayClient per meeting linked to a parent (set by its organizer).
 */
export class RelayService {
  readonly #children = new Map<MeetingId, { url: string; client: RelayClient }>();
  /**
   * At the parent: the open pipe of each relay site, by meeting and site. A child that gave up on a
   * slow `relay:pipe` and asked again must not leave the first pipe's streams behind as the site's
   * camera (a frozen picture on the program): a new pipe replaces the site's old one.
   */
  readonly #parentPipes = new Map<string, RelayPipe>();

  constructor(
    private readonly registry: Pick<MediaRegistry, 'get'>,
    private readonly meetings: Pick<MeetingService, 'get' | 'system' | 'onChanged' | 'audit'>,
    private readonly config: Pick<MediaConfig, 'listenIp' | 'announcedIp'>,
    /** Where a child meeting's link is kept across restarts (its `parentLink` journal). */
    private readonly journal?: Pick<Store, 'appendJournal' | 'readJournal'>,
  ) {
    // A linked child meeting follows its own changes: its totals go up, its chair's local segment
    // switches what its sites see.
    meetings.onChanged({
      changed: (meetingId, _batch, record) => {
        const child = this.#children.get(meetingId);
        if (!child) return;
        const local = record.parent?.localSegment ?? false;
        void child.client
          .setLocalSegment(local)
          .catch((err: unknown) =>
            log.warn('RelayService', 'local segment not switched', { meetingId, error: String(err) }),
          );
        child.client.reportTotals(ParentLink.rolledUpTotals(record.sites, local));
      },
    });
  }

  /**
   * A relay link's hub reported its meeting's totals (every level below the province): the parent
   * keeps them on the relay site, for its roll call and national totals.
   */
  async reportLinkedTotals(caller: RelayCaller, totals: LinkedTotals): Promise<null> {
    if (!caller.relay || caller.siteId === null) {
      throw new DomainError('FORBIDDEN', 'Only a relay link may report linked totals');
    }
    await this.meetings.system(caller.meetingId, {
      type: 'site:linked',
      siteId: caller.siteId,
      linked: totals,
    });
    return null;
  }

  // ---- parent side -------------------------------------------------------------------------

  /**
   * A relay link's hub offers its pipe end and the child's program: opens ours, sends the program
   * down and takes the child's program as the relay site's camera (it reaches the parent's stage
   * when that site has the floor). The caller closes the pipe when its connection ends.
   */
  async openParentPipe(
    caller: RelayCaller,
    offer: z.output<typeof RelaySchemas.pipe>,
  ): Promise<{ answer: RelayPipeAnswer; pipe: RelayPipe }> {
    if (!caller.relay || caller.siteId === null) {
      throw new DomainError('FORBIDDEN', 'Only a relay link may open a media pipe');
    }
    const media = await this.registry.get(caller.meetingId);
    const pipe = await RelayPipe.open(media, this.config);
    const key = `${caller.meetingId}|${caller.siteId}`;
    this.#parentPipes.get(key)?.close();
    this.#parentPipes.set(key, pipe);
    pipe.own(() => {
      if (this.#parentPipes.get(key) === pipe) this.#parentPipes.delete(key);
    });
    try {
      await pipe.connect(offer.endpoint);
      const down = [await pipe.send(media.program.producer, 'program')];
      // What the meeting says, for this link: the open microphones but the link's own site's
      // (mix-minus — the province must not hear itself back), one continuous G.722 stream.
      const audio = await ProgramAudio.ofMeeting(media, caller.siteId);
      pipe.own(() => audio.close());
      down.push(await pipe.send(audio.producer, 'program'));
      for (const stream of offer.up) {
        if (stream.source !== 'program') continue;
        // The province's program is the relay site's camera, what it says the relay site's
        // microphone: the parent's policy shows and opens them like any site's.
        const producer = await pipe.receive(stream);
        const rp: RoomProducer = {
          producer,
          participantId: caller.participantId as RoomProducer['participantId'],
          siteId: caller.siteId,
          role: 'site',
          source: stream.kind === 'video' ? 'camera' : 'mic',
        };
        media.addEdgeProducer(rp);
      }
      log.info('RelayService', 'openParentPipe() | pipe open', {
        meetingId: caller.meetingId,
        siteId: caller.siteId,
      });
      return { answer: { endpoint: pipe.endpoint, down }, pipe };
    } catch (e) {
      pipe.close();
      throw e;
    }
  }

  // ---- child side --------------------------------------------------------------------------

  /**
   * Links a child meeting to a parent (replacing any previous link); the hub joins it at once. The
   * link is journaled, so a restarted hub links the meeting again (`restore`).
   */
  async attachParent(meetingId: string, parent: ParentAddress): Promise<ParentLinkView> {
    const view = await this.#attach(meetingId, parent);
    await this.journal?.appendJournal(meetingId as MeetingId, 'parentLink', {
      url: view.url,
      token: parent.token,
      at: Date.now(),
    });
    return view;
  }

  /** Unlinks a child meeting, for good (journaled); its sites no longer see a parent. */
  async unlinkParent(meetingId: string): Promise<void> {
    this.detachParent(meetingId);
    await this.meetings.system(meetingId, { type: 'parent:view', view: null });
    await this.journal?.appendJournal(meetingId as MeetingId, 'parentLink', {
      detached: true,
      at: Date.now(),
    });
  }

  /**
   * Links again every meeting whose journal ends with a link (a restarted hub), unless the meeting
   * has ended. Returns how many were linked.
   */
  async restore(meetingIds: Iterable<string>): Promise<number> {
    if (!this.journal) return 0;
    let linked = 0;
    for (const id of meetingIds) {
      const last = (await this.journal.readJournal(id as MeetingId, 'parentLink')).at(-1);
      const link = ParentLinkEntry.safeParse(last);
      if (!link.success) continue;
      try {
        await this.#attach(id, { url: link.data.url, token: link.data.token });
        linked++;
      } catch (err) {
        log.info('RelayService', 'restore() | meeting not linked again', {
          meetingId: id,
          error: String(err),
        });
      }
    }
    return linked;
  }

  async #attach(meetingId: string, parent: ParentAddress): Promise<ParentLinkView> {
    const record = await this.meetings.get(meetingId);
    if (record.meeting.status === 'ended') throw new DomainError('INVALID_STATE', 'the meeting has ended');
    let url: URL;
    try {
      url = new URL(parent.url);
    } catch {
      throw new DomainError('VALIDATION', 'url must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DomainError('VALIDATION', 'url must be an absolute http(s) URL');
    }
    const id = record.meeting.id;
    this.detachParent(id);
    const local = record.parent?.localSegment ?? false;
    const client = new RelayClient({
      parent: { url: url.origin, token: parent.token },
      media: () => this.registry.get(id),
      config: this.config,
      onState: (state) => log.info('RelayService', 'relay link state', { meetingId: id, state }),
      onParent: (view) => this.#showParent(id, client, view),
      localSegment: local,
    });
    this.#children.set(id, { url: url.origin, client });
    client.reportTotals(ParentLink.rolledUpTotals(record.sites, local));
    this.#showParent(id, client, client.view);
    return { url: url.origin, state: client.state, site: client.siteName };
  }

  /** What the parent shows (and the link's state) becomes part of the child meeting's state. */
  #showParent(meetingId: MeetingId, client: RelayClient, view: ParentView): void {
    // A replaced or closed link says nothing more: the meeting shows the new link, or none.
    if (this.#children.get(meetingId)?.client !== client) return;
    void this.meetings.system(meetingId, { type: 'parent:view', view });
  }

  /**
   * The child chair asks the parent's floor for the province, with its own topic or the topic of one
   * of its sites' requests ("Xã Hưng Nguyên: …"). Audited in the child meeting.
   */
  async requestParentFloor(
    meetingId: MeetingId,
    actor: Actor,
    ask: z.output<typeof RelaySchemas.requestFloor>,
  ): Promise<{ requestId: string }> {
    const child = this.#children.get(meetingId);
    if (!child) throw new DomainError('INVALID_STATE', 'This meeting is not linked to a parent meeting');
    let topic = ask.topic ?? '';
    if (ask.requestId !== undefined) {
      const record = await this.meetings.get(meetingId);
      const request = record.queue.requests.find((r) => r.id === ask.requestId);
      if (!request) throw new DomainError('NOT_FOUND', `no floor request ${ask.requestId}`);
      const site = record.sites.find((s) => s.id === request.siteId);
      topic = `${site?.name ?? request.siteId}: ${request.topic}`.slice(0, 300);
    }
    const requestId = await child.client.requestFloor(topic);
    await this.meetings.audit.append(
      meetingId,
      auditEntry(actor, Date.now(), 'relay:requestFloor', null, topic),
    );
    return { requestId };
  }

  /**
   * A page the parent shows, for a site of the child meeting: served from the child hub's memory,
   * fetched from the parent once. Only documents the parent showed while linked may be read.
   */
  parentPage(meetingId: string, documentId: string, page: number): Promise<PageImage> {
    const child = this.#children.get(meetingId as MeetingId);
    if (!child?.client.mayReadDocument(documentId)) {
      return Promise.reject(new DomainError('NOT_FOUND', 'The parent meeting shows no such document'));
    }
    return child.client.pages.get(documentId, page);
  }

  /** Unlinks a child meeting. */
  detachParent(meetingId: string): void {
    const child = this.#children.get(meetingId as MeetingId);
    child?.client.close();
    this.#children.delete(meetingId as MeetingId);
  }

  /** The child meeting's link, if linked. */
  parentOf(meetingId: string): ParentLinkView | null {
    const child = this.#children.get(meetingId as MeetingId);
    return child ? { url: child.url, state: child.client.state, site: child.client.siteName } : null;
  }

  /** The relay client of a child meeting (tests, the roll call). */
  clientOf(meetingId: string): RelayClient | undefined {
    return this.#children.get(meetingId as MeetingId)?.client;
  }

  /** Ends every link (hub stop). */
  close(): void {
    for (const id of [...this.#children.keys()]) this.detachParent(id);
  }
}
