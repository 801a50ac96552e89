import { randomBytes } from 'node:crypto';
import type { MeetingId, ParticipantId, SiteId } from '@giaoban/shared';
import type { Actor } from '../domain/index.js';
import { log } from '../log/log.js';
import type { SipEndpoint, SipPeerAddress } from './SipEndpoint.js';
import type { SipMedia } from './SipMedia.js';
import { addressUri, header, type SipRequest } from './SipMessage.js';

/** Why a call ended (logged; the BYE is sent for every reason but 'bye'). */
export type SipCallEndReason =
  | 'bye'
  | 'cancelled'
  | 'revoked'
  | 'sessionExpired'
  | 'mediaTimeout'
  | 'meetingEnded'
  | 'hubStopping'
  | 'replaced'
  | 'hungUp';

/** What a call needs from the gateway (callbacks, not a reference to it). */
export interface SipCallHost {
  endpoint: SipEndpoint;
  /** Removes the participant from the meeting (attendance, queue) once the call is gone. */
  left(call: SipCall): void;
  /** A floor key from the remote control: `*1` request, `*0` withdraw. */
  floorKey(call: SipCall, key: 'request' | 'withdraw'): void;
}

/** Seconds without any RTP from the room system before the call is taken as lost. */
const MEDIA_TIMEOUT_MS = 30_000;

/**
 * One room system in one meeting: the SIP dialog (RFC 3261 §12, UAS side), its session timer
 * (RFC 4028: the peer refreshes; when it does not, we send BYE), its media, its floor keys. The
 * domain sees it as one more room device of its site.
 */
export class SipCall {
  readonly callId: string;
  readonly meetingId: MeetingId;
  readonly siteId: SiteId;
  readonly linkId: string;
  readonly actor: Actor;
  readonly localTag: string;
  readonly #host: SipCallHost;
  readonly #remote: SipPeerAddress;
  readonly #remoteTarget: string;
  readonly #localUri: string;
  readonly #remoteFrom: string;
  #media: SipMedia | null = null;
  #localSeq = Math.floor(Math.random() * 10_000);
  #sessionTimer: NodeJS.Timeout | null = null;
  #mediaTimer: NodeJS.Timeout | null = null;
  #lastPackets = -1;
  #dtmf = '';
  #lastInfoAt = 0;
  #ended: SipCallEndReason | null = null;
  /** SDP version of our answers (o= line), bumped on each re-INVITE answer. */
  sdpVersion = 1;
  readonly sdpSessionId = String(Date.now());

  constructor(
    host: SipCallHost,
    invite: SipRequest,
    source: SipPeerAddress,
    localTag: string,
    who: { meetingId: MeetingId; siteId: SiteId; linkId: string; displayName: string },
  ) {
    this.#host = host;
    this.callId = header(invite, 'call-id') ?? '';
    this.meetingId = who.meetingId;
    this.siteId = who.siteId;
    this.linkId = who.linkId;
    this.localTag = localTag;
    this.#remote = source;
    const contact = header(invite, 'contact');
    this.#remoteTarget = contact ? addressUri(contact) : addressUri(header(invite, 'from') ?? '');
    this.#localUri = invite.uri;
    this.#remoteFrom = header(invite, 'from') ?? '';
    this.actor = {
      participantId: `sip-${who.linkId}` as ParticipantId,
      role: 'site',
      siteId: who.siteId,
      displayName: who.displayName,
    };
  }

  /** The call's media, once set up. */
  get media(): SipMedia | null {
    return this.#media;
  }

  /** Why it ended, or null while live. */
  get ended(): SipCallEndReason | null {
    return this.#ended;
  }

  /** Attaches the media and starts watching it for loss of the room system. */
  attach(media: SipMedia): void {
    this.#media = media;
    this.#mediaTimer = setInterval(() => {
      const n = media.packetsFromPeer;
      if (n === this.#lastPackets) this.end('mediaTimeout');
      this.#lastPackets = n;
    }, MEDIA_TIMEOUT_MS);
    this.#mediaTimer.unref();
  }

  /** (Re)arms the session timer from a request's Session-Expires (seconds); none = no timer. */
  refreshSession(seconds: number | null): void {
    if (this.#sessionTimer) clearTimeout(this.#sessionTimer);
    this.#sessionTimer = null;
    if (seconds === null) return;
    // RFC 4028 §10: without a refresh, BYE a little before the interval ends (here: at it).
    this.#sessionTimer = setTimeout(() => this.end('sessionExpired'), seconds * 1000);
    this.#sessionTimer.unref();
  }

  /** A DTMF digit from RFC 4733 or SIP INFO: `*1` requests the floor, `*0` withdraws. */
  dtmf(digit: string): void {
    if (this.#ended) return;
    this.#dtmf = (this.#dtmf + digit).slice(-2);
    log.info('SipCall.dtmf()', 'digit', { siteId: this.siteId, digit });
    if (this.#dtmf === '*1') this.#host.floorKey(this, 'request');
    else if (this.#dtmf === '*0') this.#host.floorKey(this, 'withdraw');
    else return;
    this.#dtmf = '';
  }

  /** Asks the room system for a key frame by SIP INFO as well (baresip loses some PLIs); at most 1/s. */
  sendPictureFastUpdate(): void {
    const now = Date.now();
    if (this.#ended || now - this.#lastInfoAt < 1000) return;
    this.#lastInfoAt = now;
    const body = Buffer.from(
      '<?xml version="1.0" encoding="utf-8" ?>\r\n<media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder></vc_primitive></media_control>\r\n',
    );
    void this.#request('INFO', [['Content-Type', 'application/media_control+xml']], body);
  }

  /** Ends the call: BYE (unless the peer sent one), media closed, the site leaves. Idempotent. */
  end(reason: SipCallEndReason): void {
    if (this.#ended) return;
    this.#ended = reason;
    log.info('SipCall.end()', 'call ended', { meetingId: this.meetingId, siteId: this.siteId, reason });
    if (this.#sessionTimer) clearTimeout(this.#sessionTimer);
    if (this.#mediaTimer) clearInterval(this.#mediaTimer);
    if (reason !== 'bye' && reason !== 'cancelled') void this.#request('BYE', []);
    this.#media?.close();
    this.#host.left(this);
  }

  #request(method: string, extra: [string, string | undefined][], body?: Buffer) {
    this.#localSeq++;
    return this.#host.endpoint.sendRequest(
      this.#remote,
      method,
      this.#remoteTarget,
      [
        ['From', `<${this.#localUri}>;tag=${this.localTag}`],
        ['To', this.#remoteFrom],
        ['Call-ID', this.callId],
        ['CSeq', `${this.#localSeq} ${method}`],
        ['Contact', `<${this.#localUri}>`],
        ...extra,
      ],
      body,
    );
  }
}

/** A fresh local tag. */
export const newTag = (): string => randomBytes(6).toString('hex');
