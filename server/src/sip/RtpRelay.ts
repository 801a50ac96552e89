import dgram from 'node:dgram';
import { log } from '../log/log.js';

/** Events a relay reports to its call. */
export interface RtpRelayHandlers {
  /** The first RTP packet of the room system (its SSRC: the producer is created with it). */
  firstRtp(ssrc: number): void;
  /** An RFC 4733 telephone-event began (once per event, whatever the retransmissions). */
  dtmf?(digit: string): void;
  /** mediasoup asked the room system for a key frame (a PLI or FIR went out). */
  keyFrameRequested?(): void;
}

/** How one media line is relayed. */
export interface RtpRelayOptions {
  kind: 'audio' | 'video';
  /** Address the room-system side binds (MEDIA_LISTEN_IP). */
  listenIp: string;
  /** Where the room system said it receives (its SDP); replaced by where its packets come from. */
  peer: { address: string; rtpPort: number; rtcpPort: number | null };
  /** RTCP on the RTP port (a=rtcp-mux in the offer). */
  rtcpMux: boolean;
  /** The room system's payload type for our codec; packets from mediasoup are rewritten to it. */
  peerPt: number;
  /** telephone-event payload type, when negotiated. */
  dtmfPt: number | null;
  handlers: RtpRelayHandlers;
}

const DTMF_DIGITS = '0123456789*#ABCD';

/**
 * One media line between a room system and a mediasoup PlainTransport, through Node.
 *
 * Why not a comedia PlainTransport facing the room system directly: mediasoup sends a consumer
 * with the router's payload type, and a room system decodes only the payload types of its own
 * offer (baresip looks received PTs up in its local SDP), so the program's VP8 must be re-typed;
 * and mediasoup drops RFC 4733 telephone-event, which we must read for the floor keys. The relay
 * rewrites one byte per packet and taps DTMF; everything else (NACK, PLI, SR/RR) passes through,
 * so mediasoup still answers the room system's key-frame requests itself. It costs the Node
 * process O(packets of this site), not O(sites).
 */
export class RtpRelay {
  readonly #o: RtpRelayOptions;
  /** Faces the room system (RTP, and RTCP when muxed). */
  readonly #outer: dgram.Socket;
  /** Faces the room system's RTCP when not muxed. */
  #outerRtcp: dgram.Socket | null = null;
  /** Faces mediasoup's PlainTransport on loopback (RTP and RTCP muxed). */
  readonly #inner: dgram.Socket;
  #mediasoup: { address: string; port: number } | null = null;
  #peerRtp: { address: string; port: number };
  #peerRtcp: { address: string; port: number };
  #sawRtp = false;
  #lastDtmfTs = -1;
  #pt: number | null = null;
  #closed = false;
  /** Whether media goes to the room system (not while it holds the call: a=sendonly / inactive). */
  #sending = true;
  /** Packets relayed each way (tests, metrics). */
  readonly stats = { fromPeer: 0, toPeer: 0, dtmf: 0 };

  private constructor(o: RtpRelayOptions, outer: dgram.Socket, inner: dgram.Socket) {
    this.#o = o;
    this.#outer = outer;
    this.#inner = inner;
    this.#peerRtp = { address: o.peer.address, port: o.peer.rtpPort };
    this.#peerRtcp = o.rtcpMux
      ? this.#peerRtp
      : { address: o.peer.address, port: o.peer.rtcpPort ?? o.peer.rtpPort + 1 };
  }

  /** Binds the sockets. */
  static async open(o: RtpRelayOptions): Promise<RtpRelay> {
    const family = o.listenIp.includes(':') ? 'udp6' : 'udp4';
    const bind = async (ip: string): Promise<dgram.Socket> => {
      const s = dgram.createSocket({ type: ip.includes(':') ? 'udp6' : family });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, ip, () => {
          s.off('error', reject);
          resolve();
        });
      });
      return s;
    };
    const outer = await bind(o.listenIp);
    const inner = await bind('127.0.0.1');
    const relay = new RtpRelay(o, outer, inner);
    if (!o.rtcpMux) relay.#outerRtcp = await bind(o.listenIp);
    outer.on('message', (m, r) => relay.#fromPeer(m, r, false));
    relay.#outerRtcp?.on('message', (m, r) => relay.#fromPeer(m, r, true));
    inner.on('message', (m, r) => relay.#fromMediasoup(m, r));
    for (const s of [outer, inner, relay.#outerRtcp])
      s?.on('error', (e) => log.debug('RtpRelay', `socket error ${e.message}`));
    return relay;
  }

  /** The port the room system sends RTP to (our answer's m= port). */
  get rtpPort(): number {
    return this.#outer.address().port;
  }

  /** The port for the room system's RTCP when not muxed (a=rtcp in our answer). */
  get rtcpPort(): number | null {
    return this.#outerRtcp?.address().port ?? null;
  }

  /** The loopback port mediasoup's PlainTransport connects to. */
  get innerPort(): number {
    return this.#inner.address().port;
  }

  /** The room system's payload type the relay writes on packets it sends (changes on re-INVITE). */
  set peerPt(pt: number) {
    this.#o.peerPt = pt;
  }

  /** Whether media (RTP) is sent to the room system; RTCP always is. */
  get sending(): boolean {
    return this.#sending;
  }

  /**
   * A re-INVITE changed the line: where the room system receives (a new address or port; it is
   * latched again from its next packet) and whether it wants media from us (hold: `a=sendonly`,
   * `a=inactive`, or the RFC 2543 address 0.0.0.0 → nothing is sent until it resumes).
   */
  update(o: { peer: RtpRelayOptions['peer']; rtcpMux: boolean; receive: boolean }): void {
    const held = o.peer.address === '0.0.0.0' || o.peer.address === '::';
    this.#sending = o.receive && !held;
    if (held) return;
    const rtp = { address: o.peer.address, port: o.peer.rtpPort };
    const moved = rtp.address !== this.#peerRtp.address || rtp.port !== this.#peerRtp.port;
    if (!moved) return;
    this.#o.rtcpMux = o.rtcpMux;
    this.#peerRtp = rtp;
    this.#peerRtcp = o.rtcpMux
      ? rtp
      : { address: o.peer.address, port: o.peer.rtcpPort ?? o.peer.rtpPort + 1 };
  }

  /** Where mediasoup's PlainTransport listens (its tuple), so room-system packets go there. */
  connectMediasoup(address: string, port: number): void {
    this.#mediasoup = { address, port };
  }

  /** Sends an RTP packet of ours (the audio mix) to the room system, re-typed to its payload type. */
  sendToPeer(packet: Buffer): void {
    if (this.#closed || !this.#sending || packet.length < 12) return;
    packet[1] = ((packet[1] as number) & 0x80) | this.#o.peerPt;
    this.stats.toPeer++;
    this.#outer.send(packet, this.#peerRtp.port, this.#peerRtp.address);
  }

  /** Closes the sockets. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [this.#outer, this.#inner, this.#outerRtcp]) {
      try {
        s?.close();
      } catch {
        // already closed
      }
    }
  }

  #fromPeer(m: Buffer, r: dgram.RemoteInfo, rtcpSocket: boolean): void {
    if (this.#closed || m.length < 8 || ((m[0] as number) & 0xc0) !== 0x80) return;
    const pt = (m[1] as number) & 0x7f;
    const isRtcp = rtcpSocket || (pt >= 64 && pt <= 95);
    // Symmetric RTP (latching): answer where the room system really sends from (NAT).
    if (isRtcp) this.#peerRtcp = { address: r.address, port: r.port };
    else {
      if (m.length < 12) return;
      this.#peerRtp = { address: r.address, port: r.port };
      if (this.#o.rtcpMux) this.#peerRtcp = this.#peerRtp;
    }
    if (!isRtcp) {
      this.stats.fromPeer++;
      if (this.#o.dtmfPt !== null && pt === this.#o.dtmfPt) {
        this.#onDtmf(m);
        return;
      }
      if (!this.#sawRtp) {
        this.#sawRtp = true;
        this.#pt = pt;
        this.#o.handlers.firstRtp(m.readUInt32BE(8));
      }
    }
    if (this.#mediasoup) this.#inner.send(m, this.#mediasoup.port, this.#mediasoup.address);
  }

  #fromMediasoup(m: Buffer, r: dgram.RemoteInfo): void {
    if (this.#closed || m.length < 8) return;
    if (!this.#mediasoup) this.#mediasoup = { address: r.address, port: r.port };
    const pt = (m[1] as number) & 0x7f;
    if (pt >= 64 && pt <= 95) {
      if (this.#hasKeyFrameRequest(m)) this.#o.handlers.keyFrameRequested?.();
      const to = this.#peerRtcp;
      (this.#outerRtcp ?? this.#outer).send(m, to.port, to.address);
      return;
    }
    if (m.length < 12) return;
    this.sendToPeer(m);
  }

  /** Whether a compound RTCP packet holds a PLI (PSFB 1), a FIR (PSFB 4) or a legacy FIR (PT 192). */
  #hasKeyFrameRequest(m: Buffer): boolean {
    let off = 0;
    while (off + 4 <= m.length) {
      const fmt = (m[off] as number) & 0x1f;
      const pt = m[off + 1] as number;
      if ((pt === 206 && (fmt === 1 || fmt === 4)) || pt === 192) return true;
      off += (m.readUInt16BE(off + 2) + 1) * 4;
    }
    return false;
  }

  #onDtmf(m: Buffer): void {
    const cc = (m[0] as number) & 0x0f;
    const off = 12 + cc * 4;
    if (m.length < off + 4) return;
    const event = m[off] as number;
    const ts = m.readUInt32BE(4);
    // One event is sent many times (updates and three end packets) with the same timestamp.
    if (ts === this.#lastDtmfTs || event > 15) return;
    this.#lastDtmfTs = ts;
    this.stats.dtmf++;
    this.#o.handlers.dtmf?.(DTMF_DIGITS[event] as string);
  }

  /** The payload type the room system sends with (known after its first packet). */
  get receivedPt(): number | null {
    return this.#pt;
  }
}
