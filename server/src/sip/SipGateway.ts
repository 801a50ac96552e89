import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { JoinLink, MeetingId, SiteId } from '@giaoban/shared';
import type { MediaRegistry } from '../app/MediaRegistry.js';
import type { MeetingService } from '../app/MeetingService.js';
import { type Actor, DomainError, programView, SYSTEM } from '../domain/index.js';
import { log } from '../log/log.js';
import { DigestAuth, parseDigest } from './DigestAuth.js';
import { buildSdpAnswer, parseSdpOffer, pickMedia, SdpError } from './SdpMapping.js';
import { newTag, SipCall } from './SipCall.js';
import { parseSiteAddress, type SipCredentials } from './SipCredentials.js';
import { SipEndpoint, type SipPeerAddress, type SipServerTransaction } from './SipEndpoint.js';
import { SipMedia } from './SipMedia.js';
import {
  addressUri,
  header,
  headerList,
  headerParams,
  type SipRequest,
  type SipResponse,
  uriUser,
} from './SipMessage.js';

/** What the gateway is wired to (the composition root passes the app's services). */
export interface SipGatewayOptions {
  host: string;
  port: number;
  /** Address written in our SDP (MEDIA_ANNOUNCED_IP, else the listen address). */
  mediaAddress: string;
  secret: string;
  credentials: SipCredentials;
  links: { get(id: string): Promise<JoinLink | null | undefined> };
  meetings: MeetingService;
  media: Pick<MediaRegistry, 'get'>;
  /** At most this many calls at once on this hub (503 beyond). */
  maxCalls?: number;
}

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE';
const MIN_SE = 90;
/** A dialled room system that has not answered by then is cancelled (no answer). */
const DIAL_TIMEOUT_MS = 30_000;
/** `sip:[user@]host[:port][;params]`, host a name or an IPv4 address; UDP only (our TCP side only accepts). */
const DIAL_URI =
  /^sip:(?:([A-Za-z0-9._~!$&'()*+,;=%-]{1,64})@)?([A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?((?:;[A-Za-z0-9=._-]*)*)$/;

/** Why a dialled room system did not answer, for the moderator. */
function refusalOf(status: number | null, reason: string): string {
  if (status === null) return 'no answer from the room system (408 timeout)';
  const known: Record<number, string> = {
    404: 'not found',
    408: 'no answer (timeout)',
    480: 'temporarily unavailable',
    486: 'busy',
    487: 'no answer within 30 s (cancelled)',
    488: 'no codec in common',
    600: 'busy everywhere',
    603: 'declined',
  };
  return `the room system answered ${status} ${reason}${known[status] ? ` — ${known[status]}` : ''}`;
}

/** A dial-out waiting for its answer. */
interface Dialling {
  meetingId: MeetingId;
  siteId: SiteId;
  cancel(): void;
  hungUp: boolean;
}

/**
 * The room-system edge: turns SIP dialogs into bridge-point connections. A room system dials
 * `sip:<meetingId>.<siteId>@hub` with the credential of that site's link; the call joins the
 * meeting as one more room device of the site, its camera and microphone go into the router, it
 * receives the program and the mix of open microphones, and its remote control's `*1` / `*0`
 * request and withdraw the floor.
 */
export class SipGateway {
  readonly #o: SipGatewayOptions;
  readonly #auth: DigestAuth;
  readonly #calls = new Map<string, SipCall>();
  /** INVITEs being set up (auth passed, media opening), by Call-ID: CANCEL finds them here. */
  readonly #pending = new Map<string, { tx: SipServerTransaction; cancelled: boolean }>();
  /** Dial-outs not answered yet, by Call-ID (`sip:hangUp` cancels them). */
  readonly #dialling = new Map<string, Dialling>();
  #endpoint: SipEndpoint | null = null;
  #tick: NodeJS.Timeout | null = null;

  private constructor(o: SipGatewayOptions) {
    this.#o = o;
    this.#auth = new DigestAuth(o.secret);
  }

  /** Binds UDP and TCP and starts following the meetings that have SIP sites. */
  static async start(o: SipGatewayOptions): Promise<SipGateway> {
    const gw = new SipGateway(o);
    gw.#endpoint = await SipEndpoint.listen(
      { host: o.host, port: o.port },
      { request: (tx) => gw.#onRequest(tx), ack: () => {} },
    );
    o.meetings.onChanged({ changed: (meetingId) => gw.#follow(meetingId) });
    // Producers come and go between meeting changes (a site's mic appears): re-check the mixes.
    gw.#tick = setInterval(() => {
      for (const id of new Set([...gw.#calls.values()].map((c) => c.meetingId))) gw.#follow(id);
    }, 2000);
    gw.#tick.unref();
    log.info('SipGateway', `SIP listening on ${o.host}:${gw.#endpoint.port} (UDP, TCP)`);
    return gw;
  }

  /** The bound port. */
  get port(): number {
    return this.#endpoint?.port ?? 0;
  }

  /** The endpoint (counters, for tests). */
  get endpoint(): SipEndpoint {
    if (!this.#endpoint) throw new Error('not started');
    return this.#endpoint;
  }

  /** Live calls. */
  get calls(): ReadonlyMap<string, SipCall> {
    return this.#calls;
  }

  /** A link was revoked: its room system's call ends (BYE) and its credential no longer works. */
  linkRevoked(link: JoinLink): void {
    for (const call of [...this.#calls.values()]) if (call.linkId === link.id) call.end('revoked');
  }

  /** Ends every call and stops listening. */
  stop(): void {
    if (this.#tick) clearInterval(this.#tick);
    for (const call of [...this.#calls.values()]) call.end('hubStopping');
    for (const d of this.#dialling.values()) d.cancel();
    // Let the BYEs leave before the socket closes.
    const ep = this.#endpoint;
    setTimeout(() => ep?.close(), 200).unref();
  }

  // ---- dial-out --------------------------------------------------------------------------------

  /**
   * Calls a room system at `uri` for `siteId` (an invited site) and, once it answers, makes the call
   * that site's media exactly like a dial-in. Delayed offer (RFC 3261 §13.2.1): the INVITE has no
   * SDP, the room system offers in its 200, we answer in the ACK — so the same mapping as dial-in
   * applies (pickMedia on its offer, the meeting's codec first). Resolves when the call is up;
   * rejects with VALIDATION (bad URI), NOT_FOUND (site not invited), CONFLICT (a call is up or
   * being dialled for the site), UNAVAILABLE (the room system refused or did not answer: the
   * message names the SIP status), INVALID_STATE (meeting ended).
   */
  async dialOut(
    meetingId: MeetingId,
    siteId: SiteId,
    uri: string,
    actor: Actor,
  ): Promise<{ callId: string }> {
    const m = DIAL_URI.exec(uri.trim());
    if (!m || /;transport=(tcp|tls)/i.test(m[4] ?? ''))
      throw new DomainError('VALIDATION', 'the address must be sip:[user@]host[:port] over UDP');
    const host = m[2] as string;
    const port = m[3] ? Number(m[3]) : 5060;
    if (port < 1 || port > 65_535) throw new DomainError('VALIDATION', 'the port must be 1–65535');
    const record = await this.#o.meetings.get(meetingId);
    if (record.meeting.status === 'ended') throw new DomainError('INVALID_STATE', 'the meeting has ended');
    const site = record.sites.find((x) => x.id === siteId);
    if (!site) throw new DomainError('NOT_FOUND', `site ${siteId} is not invited to this meeting`);
    const busy =
      [...this.#calls.values()].some((c) => c.meetingId === meetingId && c.siteId === siteId) ||
      [...this.#dialling.values()].some((d) => d.meetingId === meetingId && d.siteId === siteId);
    if (busy) throw new DomainError('CONFLICT', `site ${siteId} already has a room-system call`);
    if (this.#calls.size + this.#pending.size + this.#dialling.size >= (this.#o.maxCalls ?? 64))
      throw new DomainError('LIMIT', 'too many SIP calls on this hub');
    let address = host;
    if (!isIP(host)) {
      try {
        address = (await lookup(host, { family: 4 })).address;
      } catch {
        throw new DomainError('VALIDATION', `cannot resolve ${host}`);
      }
    }
    const target = { transport: 'udp' as const, address, port };
    const requestUri = `sip:${m[1] ? `${m[1]}@` : ''}${host}${m[3] ? `:${port}` : ''}`;
    const localUri = `sip:${meetingId}.${siteId}@${this.#o.mediaAddress}:${this.port}`;
    const callId = `${newTag()}${newTag()}@giaoban`;
    const fromTag = newTag();
    const pairs: [string, string | undefined][] = [
      ['From', `"${site.name.replace(/["\\\r\n]/g, '')}" <${localUri}>;tag=${fromTag}`],
      ['To', `<${requestUri}>`],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Contact', `<${localUri}>`],
      ['Allow', ALLOW],
      ['Supported', 'timer'],
    ];
    void this.#o.meetings.audit.append(meetingId, {
      at: Date.now(),
      actorRole: actor.role,
      actorName: actor.displayName,
      action: 'sip:dialOut',
      target: siteId,
      detail: requestUri,
    });
    log.info('SipGateway', 'dialling a room system', { meetingId, siteId, uri: requestUri });
    const tx = this.endpoint.sendInvite(target, requestUri, pairs, () => {});
    const dialling: Dialling = { meetingId, siteId, cancel: () => tx.cancel(), hungUp: false };
    this.#dialling.set(callId, dialling);
    const noAnswer = setTimeout(() => tx.cancel(), DIAL_TIMEOUT_MS);
    noAnswer.unref();
    let res: SipResponse | null;
    try {
      res = await tx.final;
    } finally {
      clearTimeout(noAnswer);
      this.#dialling.delete(callId);
    }
    if (!res || res.status >= 300) {
      const why = dialling.hungUp
        ? 'hung up before the room system answered'
        : refusalOf(res?.status ?? null, res?.reason ?? '');
      log.info('SipGateway', 'dial-out failed', { meetingId, siteId, why });
      throw new DomainError('UNAVAILABLE', why);
    }
    return {
      callId: await this.#answered(res, {
        target,
        requestUri,
        localUri,
        callId,
        fromTag,
        meetingId,
        siteId,
        site: site.name,
        dialling,
      }),
    };
  }

  /** Ends a site's room-system call (BYE), or cancels its dial-out not answered yet. */
  hangUp(meetingId: MeetingId, siteId: SiteId, actor: Actor): void {
    for (const d of this.#dialling.values()) {
      if (d.meetingId === meetingId && d.siteId === siteId) {
        d.hungUp = true;
        d.cancel();
        this.#auditHangUp(meetingId, siteId, actor);
        return;
      }
    }
    const call = [...this.#calls.values()].find((c) => c.meetingId === meetingId && c.siteId === siteId);
    if (!call) throw new DomainError('NOT_FOUND', `site ${siteId} has no room-system call`);
    call.end('hungUp');
    this.#auditHangUp(meetingId, siteId, actor);
  }

  #auditHangUp(meetingId: MeetingId, siteId: SiteId, actor: Actor): void {
    void this.#o.meetings.audit.append(meetingId, {
      at: Date.now(),
      actorRole: actor.role,
      actorName: actor.displayName,
      action: 'sip:hangUp',
      target: siteId,
      detail: '',
    });
  }

  /** The 200 to our INVITE: its SDP is the offer; media opened, ACK with our answer, the site joins. */
  async #answered(
    res: SipResponse,
    d: {
      target: { transport: 'udp'; address: string; port: number };
      requestUri: string;
      localUri: string;
      callId: string;
      fromTag: string;
      meetingId: MeetingId;
      siteId: SiteId;
      site: string;
      dialling: Dialling;
    },
  ): Promise<string> {
    const contact = header(res, 'contact');
    const remoteTarget = contact ? addressUri(contact) : d.requestUri;
    const ackPairs: [string, string | undefined][] = [
      ['From', `<${d.localUri}>;tag=${d.fromTag}`],
      ['To', header(res, 'to')],
      ['Call-ID', d.callId],
      ['CSeq', '1 ACK'],
      ['Contact', `<${d.localUri}>`],
    ];
    // The dialog as SipCall knows it from a dial-in: our URI and tag, the peer's To (with its tag) as "From".
    const dialog: SipRequest = {
      kind: 'request',
      method: 'INVITE',
      uri: d.localUri,
      headers: new Map([
        ['call-id', [d.callId]],
        ['from', [header(res, 'to') ?? '']],
        ['contact', [`<${remoteTarget}>`]],
      ]),
      body: Buffer.alloc(0),
    };
    const call = new SipCall(
      {
        endpoint: this.endpoint,
        left: (c) => this.#left(c),
        floorKey: (c, key) => void this.#floorKey(c, key),
      },
      dialog,
      d.target,
      d.fromTag,
      { meetingId: d.meetingId, siteId: d.siteId, linkId: `out-${d.siteId}`, displayName: d.site },
    );
    let media: SipMedia | null = null;
    try {
      const record = await this.#o.meetings.get(d.meetingId);
      const offer = parseSdpOffer(res.body.toString('utf8'));
      const picked = pickMedia(offer, record.meeting.videoCodec ?? 'vp8');
      const meetingMedia = await this.#o.media.get(d.meetingId);
      media = await SipMedia.open(
        meetingMedia,
        { participantId: call.actor.participantId, siteId: d.siteId },
        picked,
        this.#o.host,
        {
          dtmf: (digit) => call.dtmf(digit),
          keyFrameRequested: () => call.sendPictureFastUpdate(),
        },
      );
      await this.#o.meetings.run(d.meetingId, SYSTEM, {
        type: 'participant:joined',
        participant: {
          id: call.actor.participantId,
          role: 'site',
          siteId: d.siteId,
          displayName: `${d.site} (SIP)`,
        },
      });
      const answer = buildSdpAnswer(
        offer,
        picked,
        media.ports,
        this.#o.mediaAddress,
        call.sdpSessionId,
        call.sdpVersion,
      );
      this.endpoint.sendAck(
        d.target,
        remoteTarget,
        [...ackPairs, ['Content-Type', 'application/sdp']],
        Buffer.from(answer),
      );
    } catch (e) {
      media?.close();
      // A 2xx is always ACKed; then the call is ended with BYE.
      this.endpoint.sendAck(d.target, remoteTarget, ackPairs);
      void this.endpoint.sendRequest(d.target, 'BYE', remoteTarget, [
        ...ackPairs.slice(0, 2),
        ['Call-ID', d.callId],
        ['CSeq', '2 BYE'],
      ]);
      if (e instanceof SdpError)
        throw new DomainError('UNAVAILABLE', `the room system's media cannot be used (${e.message})`);
      throw e;
    }
    call.attach(media);
    this.#calls.set(d.callId, call);
    log.info('SipGateway', 'room system answered the dial-out', {
      meetingId: d.meetingId,
      siteId: d.siteId,
      media: media.ports.length,
    });
    if (d.dialling.hungUp) call.end('hungUp');
    this.#follow(d.meetingId);
    return d.callId;
  }

  // ---- requests ------------------------------------------------------------------------------

  #onRequest(tx: SipServerTransaction): void {
    const req = tx.request;
    const callId = header(req, 'call-id') ?? '';
    const call = this.#calls.get(callId);
    switch (req.method) {
      case 'OPTIONS':
        tx.respond(200, 'OK', [
          ['Allow', ALLOW],
          ['Accept', 'application/sdp, application/dtmf-relay, application/media_control+xml'],
          ['Supported', 'timer'],
        ]);
        return;
      case 'INVITE':
        if (call) this.#reinvite(tx, call);
        else
          void this.#invite(tx).catch((e: unknown) => {
            log.error('SipGateway', 'INVITE failed', e);
            tx.respond(500, 'Server Internal Error');
          });
        return;
      case 'UPDATE':
        if (!call) {
          tx.respond(481, 'Call/Transaction Does Not Exist');
          return;
        }
        call.refreshSession(this.#sessionSeconds(req));
        tx.respond(200, 'OK', this.#timerHeaders(req));
        return;
      case 'BYE':
        if (!call) {
          tx.respond(481, 'Call/Transaction Does Not Exist');
          return;
        }
        tx.respond(200, 'OK');
        call.end('bye');
        return;
      case 'CANCEL': {
        const pending = this.#pending.get(callId);
        if (!pending) {
          tx.respond(481, 'Call/Transaction Does Not Exist');
          return;
        }
        tx.respond(200, 'OK');
        pending.cancelled = true;
        pending.tx.respond(487, 'Request Terminated');
        return;
      }
      case 'INFO':
        if (!call) {
          tx.respond(481, 'Call/Transaction Does Not Exist');
          return;
        }
        this.#info(tx, call);
        return;
      default:
        tx.respond(405, 'Method Not Allowed', [['Allow', ALLOW]]);
    }
  }

  async #invite(tx: SipServerTransaction): Promise<void> {
    const req = tx.request;
    const callId = header(req, 'call-id') ?? '';
    if (header(req, 'to') && headerParams(header(req, 'to') ?? '').has('tag')) {
      tx.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const required = headerList(req, 'require').filter((r) => r !== 'timer');
    if (required.length > 0) {
      tx.respond(420, 'Bad Extension', [['Unsupported', required.join(', ')]]);
      return;
    }
    const address = parseSiteAddress(uriUser(req.uri));
    if (!address) {
      tx.respond(404, 'Not Found (dial <meeting>.<site>@hub)');
      return;
    }
    const se = this.#sessionSeconds(req);
    if (se !== null && se < MIN_SE) {
      tx.respond(422, 'Session Interval Too Small', [['Min-SE', String(MIN_SE)]]);
      return;
    }
    // Authentication before anything that costs: no credentials → challenge.
    const authz = header(req, 'authorization');
    const creds = authz ? parseDigest(authz) : undefined;
    if (!creds) {
      tx.respond(401, 'Unauthorized', [['WWW-Authenticate', this.#auth.challenge()]]);
      return;
    }
    const link = await this.#o.links.get(creds.username).catch(() => undefined);
    const password = this.#o.credentials.password(creds.username);
    const verdict = this.#auth.verify(creds, 'INVITE', password);
    if (verdict === 'stale') {
      tx.respond(401, 'Unauthorized', [['WWW-Authenticate', this.#auth.challenge(true)]]);
      return;
    }
    if (verdict === 'wrong' || !link) {
      tx.respond(403, 'Forbidden (wrong credentials)');
      return;
    }
    if (link.revokedAt !== null || link.expiresAt < Date.now()) {
      tx.respond(403, 'Forbidden (link revoked or expired)');
      return;
    }
    if (link.role !== 'site' || link.meetingId !== address.meetingId || link.siteId !== address.siteId) {
      tx.respond(403, 'Forbidden (credential is for another meeting or site)');
      return;
    }
    let record: Awaited<ReturnType<MeetingService['get']>>;
    try {
      record = await this.#o.meetings.get(address.meetingId);
    } catch {
      tx.respond(404, 'Not Found (no such meeting)');
      return;
    }
    if (record.meeting.status === 'ended') {
      tx.respond(404, 'Not Found (the meeting has ended)');
      return;
    }
    for (const c of this.#calls.values()) {
      if (c.meetingId === address.meetingId && c.siteId === address.siteId) {
        tx.respond(486, 'Busy Here (the site is already in a call)');
        return;
      }
    }
    if (this.#calls.size + this.#pending.size >= (this.#o.maxCalls ?? 64)) {
      tx.respond(503, 'Service Unavailable (too many calls)', [['Retry-After', '30']]);
      return;
    }
    if (
      header(req, 'content-type')?.split(';')[0]?.trim().toLowerCase() !== 'application/sdp' ||
      req.body.length === 0
    ) {
      tx.respond(488, 'Not Acceptable Here (an SDP offer is required)');
      return;
    }
    let offer: ReturnType<typeof parseSdpOffer>;
    let picked: ReturnType<typeof pickMedia>;
    try {
      offer = parseSdpOffer(req.body.toString('utf8'));
      picked = pickMedia(offer, record.meeting.videoCodec ?? 'vp8');
    } catch (e) {
      if (e instanceof SdpError) {
        tx.respond(488, `Not Acceptable Here (${e.message})`);
        return;
      }
      throw e;
    }
    tx.respond(100, 'Trying');
    const pending = { tx, cancelled: false };
    this.#pending.set(callId, pending);
    const meetingId = address.meetingId as MeetingId;
    const siteId = address.siteId as SiteId;
    const endpoint = this.endpoint;
    const call = new SipCall(
      {
        endpoint,
        left: (c) => this.#left(c),
        floorKey: (c, key) => void this.#floorKey(c, key),
      },
      req,
      tx.source,
      tx.toTag,
      { meetingId, siteId, linkId: link.id, displayName: link.displayName },
    );
    let media: SipMedia | null = null;
    try {
      const meetingMedia = await this.#o.media.get(meetingId);
      media = await SipMedia.open(
        meetingMedia,
        { participantId: call.actor.participantId, siteId },
        picked,
        this.#o.host,
        {
          dtmf: (d) => call.dtmf(d),
          keyFrameRequested: () => call.sendPictureFastUpdate(),
        },
      );
      if (pending.cancelled) {
        media.close();
        return;
      }
      await this.#o.meetings.run(meetingId, SYSTEM, {
        type: 'participant:joined',
        participant: {
          id: call.actor.participantId,
          role: 'site',
          siteId,
          displayName: `${link.displayName} (SIP)`,
        },
      });
    } catch (e) {
      media?.close();
      this.#pending.delete(callId);
      if (e instanceof DomainError) {
        const status = e.code === 'LIMIT' ? 503 : 403;
        tx.respond(status, `${status === 503 ? 'Service Unavailable' : 'Forbidden'} (${e.message})`);
        return;
      }
      throw e;
    }
    this.#pending.delete(callId);
    if (pending.cancelled) {
      media.close();
      void this.#o.meetings.system(meetingId, {
        type: 'participant:left',
        participantId: call.actor.participantId,
      });
      return;
    }
    call.attach(media);
    call.refreshSession(se);
    this.#calls.set(callId, call);
    const answer = buildSdpAnswer(
      offer,
      picked,
      media.ports,
      this.#o.mediaAddress,
      call.sdpSessionId,
      call.sdpVersion,
    );
    tx.respond(
      200,
      'OK',
      [
        ['Contact', `<${req.uri.split(';')[0]}>`],
        ['Allow', ALLOW],
        ['Supported', 'timer'],
        ['Content-Type', 'application/sdp'],
        ...this.#timerHeaders(req),
      ],
      Buffer.from(answer),
    );
    log.info('SipGateway', 'room system joined', {
      meetingId,
      siteId,
      from: `${tx.source.address}:${tx.source.port}/${tx.source.transport}`,
      media: picked.map((p) => `${p.kind}:${p.codec.name}`).join(','),
    });
    this.#follow(meetingId);
  }

  /**
   * A re-INVITE in the dialog: a session refresh, hold / resume (the line's direction), or a new
   * address or port — applied to the relays; the answer keeps our ports. A codec change is refused
   * (488): the room system's producers keep the codec they were created with.
   */
  #reinvite(tx: SipServerTransaction, call: SipCall): void {
    const req = tx.request;
    call.refreshSession(this.#sessionSeconds(req));
    const media = call.media;
    if (!media) {
      tx.respond(491, 'Request Pending');
      return;
    }
    if (req.body.length === 0) {
      tx.respond(488, 'Not Acceptable Here (offerless re-INVITE)');
      return;
    }
    try {
      const offer = parseSdpOffer(req.body.toString('utf8'));
      const picked = pickMedia(offer, media.videoCodec);
      if (!media.sameCodecs(picked)) {
        tx.respond(488, 'Not Acceptable Here (a codec change needs a new call)');
        return;
      }
      media.applyOffer(picked);
      call.sdpVersion++;
      const answer = buildSdpAnswer(
        offer,
        picked,
        media.ports,
        this.#o.mediaAddress,
        call.sdpSessionId,
        call.sdpVersion,
      );
      tx.respond(
        200,
        'OK',
        [
          ['Contact', `<${req.uri.split(';')[0]}>`],
          ['Content-Type', 'application/sdp'],
          ...this.#timerHeaders(req),
        ],
        Buffer.from(answer),
      );
    } catch (e) {
      tx.respond(488, `Not Acceptable Here (${(e as Error).message})`);
    }
  }

  #info(tx: SipServerTransaction, call: SipCall): void {
    const type = header(tx.request, 'content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
    const body = tx.request.body.toString('utf8');
    if (type === 'application/dtmf-relay') {
      const m = /Signal\s*=\s*([0-9*#A-D])/i.exec(body);
      if (!m) {
        tx.respond(400, 'Bad Request (no Signal)');
        return;
      }
      tx.respond(200, 'OK');
      call.dtmf((m[1] as string).toUpperCase());
      return;
    }
    if (type === 'application/media_control+xml') {
      tx.respond(200, 'OK');
      if (/picture_fast_update/.test(body)) call.media?.requestProgramKeyFrame();
      return;
    }
    tx.respond(415, 'Unsupported Media Type', [
      ['Accept', 'application/dtmf-relay, application/media_control+xml'],
    ]);
  }

  // ---- the meeting side ----------------------------------------------------------------------

  async #floorKey(call: SipCall, key: 'request' | 'withdraw'): Promise<void> {
    try {
      if (key === 'request') {
        await this.#o.meetings.run(call.meetingId, call.actor, { type: 'queue:request', topic: '' });
      } else {
        const record = await this.#o.meetings.get(call.meetingId);
        const request = record.queue.requests.find((r) => r.siteId === call.siteId);
        if (request)
          await this.#o.meetings.run(call.meetingId, call.actor, {
            type: 'queue:withdraw',
            requestId: request.id,
          });
        else if (record.queue.floor?.siteId === call.siteId)
          await this.#o.meetings.run(call.meetingId, call.actor, { type: 'floor:yield' });
      }
      log.info('SipGateway', `floor ${key} from the remote control`, {
        meetingId: call.meetingId,
        siteId: call.siteId,
      });
    } catch (e) {
      log.info('SipGateway', `floor ${key} refused`, { siteId: call.siteId, error: (e as Error).message });
    }
  }

  #left(call: SipCall): void {
    if (this.#calls.get(call.callId) === call) this.#calls.delete(call.callId);
    void this.#o.meetings.system(call.meetingId, {
      type: 'participant:left',
      participantId: call.actor.participantId,
    });
  }

  /** Follows a meeting change: calls of an ended meeting end; mixes carry the open microphones. */
  #follow(meetingId: MeetingId): void {
    const calls = [...this.#calls.values()].filter((c) => c.meetingId === meetingId);
    if (calls.length === 0) return;
    void (async () => {
      const record = await this.#o.meetings.get(meetingId);
      if (record.meeting.status === 'ended') {
        for (const c of calls) c.end('meetingEnded');
        return;
      }
      const media = await this.#o.media.get(meetingId);
      const programSiteId = programView(record).programSiteId;
      // What the whole meeting hears: a talk-back answer meant for the operators is not mixed in.
      const mics = media.heardMics();
      for (const c of calls) {
        // A room system never hears or sees itself.
        await c.media?.setMixSources(mics.filter((rp) => rp.siteId !== c.siteId).map((rp) => rp.producer));
        await c.media?.setProgramPaused(programSiteId === c.siteId);
      }
    })().catch((e: unknown) => log.warn('SipGateway', `follow failed: ${(e as Error).message}`));
  }

  #sessionSeconds(req: SipRequest): number | null {
    const se = header(req, 'session-expires');
    if (!se) return null;
    const n = Number(se.split(';')[0]?.trim());
    return Number.isInteger(n) && n > 0 ? Math.min(n, 86_400) : null;
  }

  #timerHeaders(req: SipRequest): [string, string | undefined][] {
    const se = this.#sessionSeconds(req);
    if (se === null) return [];
    const supported = headerList(req, 'supported').includes('timer');
    return [
      ['Session-Expires', `${se};refresher=uac`],
      ['Require', supported ? 'timer' : undefined],
    ];
  }

  /** Where a room system is (logs). */
  static describe(p: SipPeerAddress): string {
    return `${p.address}:${p.port}/${p.transport}`;
  }
}
