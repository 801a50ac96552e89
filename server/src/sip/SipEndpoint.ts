import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { log } from '../log/log.js';
import {
  addressTag,
  cseq,
  header,
  headerList,
  makeHeaders,
  parseSipMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  SipStreamParser,
  serializeSipMessage,
  topViaBranch,
} from './SipMessage.js';

/** Where a message came from / goes to. */
export interface SipPeerAddress {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

/** An incoming request as the application sees it, with a way to answer it. */
export interface SipServerTransaction {
  readonly request: SipRequest;
  readonly source: SipPeerAddress;
  /** Sends a response (provisional or final); extra headers are appended after the copied ones. */
  respond(status: number, reason: string, extra?: [string, string | undefined][], body?: Buffer): void;
  /** The To tag our responses carry (fixed per transaction, so a dialog has one local tag). */
  readonly toTag: string;
  /** Whether a final response has been sent. */
  readonly answered: boolean;
}

/** What the endpoint hands to its application. */
export interface SipEndpointHandlers {
  /** A new request (not a retransmission, not an ACK). */
  request(tx: SipServerTransaction): void;
  /** An ACK (for a 2xx: the dialog is confirmed). */
  ack(request: SipRequest, source: SipPeerAddress): void;
}

/** Settings of the endpoint. */
export interface SipEndpointOptions {
  /** Address to bind (MEDIA_LISTEN_IP). */
  host: string;
  /** UDP and TCP port; 0 = any free port (tests). */
  port: number;
  /** New requests allowed per second from one IP address, and the burst. */
  ratePerSecond?: number;
  burst?: number;
  /** At most this many live server transactions (an INVITE flood gets 503 beyond it). */
  maxTransactions?: number;
}

/** The RFC 3261 timers (T1 = 500 ms; a transaction lives 64·T1). */
const T1 = 500;
const T2 = 4000;
const TX_LIFETIME_MS = 64 * T1;
const SERVER_HEADER = 'Giao Ban hub';
const MAX_TCP_CONNECTIONS_PER_IP = 16;

interface TxState {
  lastResponse: Buffer | null;
  final: boolean;
  source: SipPeerAddress;
  expires: number;
  retransmit: NodeJS.Timeout | null;
  callId: string;
  seq: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The hub's SIP endpoint (RFC 3261 transport and transaction layers, UAS side plus a small UAC for BYE). */
export class SipEndpoint {
  readonly #udp: dgram.Socket;
  readonly #tcp: net.Server;
  readonly #tcpByPeer = new Map<string, net.Socket>();
  readonly #tx = new Map<string, TxState>();
  readonly #clientTx = new Map<string, (res: SipResponse) => void>();
  readonly #buckets = new Map<string, Bucket>();
  readonly #handlers: SipEndpointHandlers;
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxTx: number;
  readonly #sweep: NodeJS.Timeout;
  #closed = false;
  /** Counters for tests and metrics. */
  readonly stats = { received: 0, malformed: 0, throttled: 0, retransmissionsAbsorbed: 0 };

  private constructor(
    udp: dgram.Socket,
    tcp: net.Server,
    handlers: SipEndpointHandlers,
    o: SipEndpointOptions,
  ) {
    this.#udp = udp;
    this.#tcp = tcp;
    this.#handlers = handlers;
    this.#rate = o.ratePerSecond ?? 20;
    this.#burst = o.burst ?? 40;
    this.#maxTx = o.maxTransactions ?? 5000;
    this.#sweep = setInterval(() => this.#expire(), 2000);
    this.#sweep.unref();
  }

  /** Binds UDP and TCP on the same port. */
  static async listen(options: SipEndpointOptions, handlers: SipEndpointHandlers): Promise<SipEndpoint> {
    const udp = dgram.createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(options.port, options.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const port = udp.address().port;
    const tcp = net.createServer();
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, options.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    }).catch((e: unknown) => {
      udp.close();
      throw e;
    });
    const ep = new SipEndpoint(udp, tcp, handlers, options);
    udp.on('message', (data, rinfo) =>
      ep.#receive(data, { transport: 'udp', address: rinfo.address, port: rinfo.port }, true),
    );
    udp.on('error', (e) => log.warn('SipEndpoint', `udp error: ${e.message}`));
    tcp.on('connection', (s) => ep.#accept(s));
    return ep;
  }

  /** The bound port (UDP and TCP). */
  get port(): number {
    return this.#udp.address().port;
  }

  /** Live server transactions (tests check a flood leaves none behind). */
  get transactionCount(): number {
    return this.#tx.size;
  }

  /**
   * Sends a request as a UAC (BYE, re-INVITE) and resolves with its final response, or null after
   * 64·T1 without one. Over UDP it is retransmitted (timer E/A) until a response arrives.
   */
  sendRequest(
    target: SipPeerAddress,
    method: string,
    uri: string,
    pairs: [string, string | undefined][],
    body: Buffer = Buffer.alloc(0),
  ): Promise<SipResponse | null> {
    if (this.#closed) return Promise.resolve(null);
    const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    const local = this.#udp.address();
    const via = `SIP/2.0/${target.transport.toUpperCase()} ${local.address}:${local.port};branch=${branch};rport`;
    const data = serializeSipMessage({
      kind: 'request',
      method,
      uri,
      headers: makeHeaders([['Via', via], ['Max-Forwards', '70'], ...pairs, ['User-Agent', SERVER_HEADER]]),
      body,
    });
    return new Promise((resolve) => {
      let interval = T1;
      let timer: NodeJS.Timeout | null = null;
      const deadline = setTimeout(() => finish(null), TX_LIFETIME_MS);
      const finish = (res: SipResponse | null) => {
        clearTimeout(deadline);
        if (timer) clearTimeout(timer);
        this.#clientTx.delete(branch);
        resolve(res);
      };
      this.#clientTx.set(branch, (res) => {
        if (res.status >= 200) finish(res);
        else if (timer) {
          clearTimeout(timer);
          timer = null;
        }
      });
      const send = () => {
        this.#send(target, data);
        if (target.transport === 'udp') {
          timer = setTimeout(send, interval);
          interval = Math.min(interval * 2, T2);
        }
      };
      send();
    });
  }

  /**
   * Sends an INVITE as a UAC (dial-out): provisional responses reach `provisional`; a non-2xx final
   * response is ACKed here (same branch, RFC 3261 §17.1.1.3); a 2xx is the caller's to ACK (a new
   * transaction, {@link sendAck}). `cancel()` sends CANCEL with the INVITE's branch once a
   * provisional response came (or at once over a silent peer). Resolves with the final response,
   * or null after 64·T1 without one.
   */
  sendInvite(
    target: SipPeerAddress,
    uri: string,
    pairs: [string, string | undefined][],
    provisional: (res: SipResponse) => void,
    body: Buffer = Buffer.alloc(0),
  ): { final: Promise<SipResponse | null>; cancel(): void } {
    const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    const local = this.#udp.address();
    const via = `SIP/2.0/${target.transport.toUpperCase()} ${local.address}:${local.port};branch=${branch};rport`;
    const common = (method: string): [string, string | undefined][] => [
      ['Via', via],
      ['Max-Forwards', '70'],
      ...pairs.map(([k, v]): [string, string | undefined] =>
        k.toLowerCase() === 'cseq' ? [k, `${v?.split(' ')[0]} ${method}`] : [k, v],
      ),
    ];
    const data = serializeSipMessage({
      kind: 'request',
      method: 'INVITE',
      uri,
      headers: makeHeaders([...common('INVITE'), ['User-Agent', SERVER_HEADER]]),
      body,
    });
    let done = false;
    let cancelled = false;
    let timer: NodeJS.Timeout | null = null;
    const final = new Promise<SipResponse | null>((resolve) => {
      if (this.#closed) {
        resolve(null);
        return;
      }
      let interval = T1;
      const deadline = setTimeout(() => finish(null), TX_LIFETIME_MS);
      deadline.unref();
      const finish = (res: SipResponse | null) => {
        done = true;
        clearTimeout(deadline);
        if (timer) clearTimeout(timer);
        this.#clientTx.delete(branch);
        resolve(res);
      };
      this.#clientTx.set(branch, (res) => {
        // The CANCEL shares the branch: its own 200 is not the INVITE's answer.
        if (!/\bINVITE\s*$/i.test(header(res, 'cseq') ?? '')) return;
        if (res.status < 200) {
          if (timer) clearTimeout(timer);
          timer = null;
          if (!done) provisional(res);
          return;
        }
        if (res.status >= 300) {
          // ACK for a non-2xx: same branch, the response's To (with its tag).
          const ackPairs = common('ACK').filter(([k]) => k.toLowerCase() !== 'to');
          ackPairs.push(['To', header(res, 'to')]);
          this.#send(
            target,
            serializeSipMessage({
              kind: 'request',
              method: 'ACK',
              uri,
              headers: makeHeaders(ackPairs),
              body: Buffer.alloc(0),
            }),
          );
        }
        if (!done) finish(res);
      });
      const send = () => {
        // The hub stopped while it rang: no more retransmissions, the dial fails.
        if (this.#closed) {
          finish(null);
          return;
        }
        this.#send(target, data);
        if (target.transport === 'udp') {
          timer = setTimeout(send, interval);
          interval = Math.min(interval * 2, T2);
        }
      };
      send();
    });
    const cancel = () => {
      if (done || cancelled) return;
      cancelled = true;
      const cancelPairs = common('CANCEL').filter(
        ([k]) => k.toLowerCase() !== 'contact' && k.toLowerCase() !== 'content-type',
      );
      const cancelData = serializeSipMessage({
        kind: 'request',
        method: 'CANCEL',
        uri,
        headers: makeHeaders([...cancelPairs, ['User-Agent', SERVER_HEADER]]),
        body: Buffer.alloc(0),
      });
      // The CANCEL is its own transaction on the same branch: retransmitted a few times over UDP.
      let n = 0;
      const again = () => {
        if (done || n++ > 6) return;
        this.#send(target, cancelData);
        if (target.transport === 'udp') setTimeout(again, T1 * 2 ** Math.min(n, 3)).unref();
      };
      again();
    };
    return { final, cancel };
  }

  /** Sends an ACK for a 2xx to our INVITE (its own transaction, never answered). */
  sendAck(
    target: SipPeerAddress,
    uri: string,
    pairs: [string, string | undefined][],
    body: Buffer = Buffer.alloc(0),
  ): void {
    const local = this.#udp.address();
    const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    const via = `SIP/2.0/${target.transport.toUpperCase()} ${local.address}:${local.port};branch=${branch};rport`;
    this.#send(
      target,
      serializeSipMessage({
        kind: 'request',
        method: 'ACK',
        uri,
        headers: makeHeaders([['Via', via], ['Max-Forwards', '70'], ...pairs, ['User-Agent', SERVER_HEADER]]),
        body,
      }),
    );
  }

  /** Stops listening, drops every transaction. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const tx of this.#tx.values()) if (tx.retransmit) clearTimeout(tx.retransmit);
    this.#tx.clear();
    this.#udp.close();
    this.#tcp.close();
    for (const s of this.#tcpByPeer.values()) s.destroy();
    this.#tcpByPeer.clear();
  }

  // ---- transport -----------------------------------------------------------------------------

  #accept(socket: net.Socket): void {
    const address = socket.remoteAddress ?? '';
    let sameIp = 0;
    for (const key of this.#tcpByPeer.keys()) if (key.startsWith(`${address}|`)) sameIp++;
    if (sameIp >= MAX_TCP_CONNECTIONS_PER_IP || this.#closed) {
      socket.destroy();
      return;
    }
    const source: SipPeerAddress = { transport: 'tcp', address, port: socket.remotePort ?? 0 };
    const key = `${address}|${source.port}`;
    this.#tcpByPeer.set(key, socket);
    const parser = new SipStreamParser();
    socket.setNoDelay(true);
    // A connection that says nothing useful for long is closed (slowloris).
    socket.setTimeout(5 * 60_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      let frames: Buffer[];
      try {
        frames = parser.push(chunk);
      } catch (e) {
        this.stats.malformed++;
        log.debug('SipEndpoint', `tcp framing error, closing [peer:${key}, error:${(e as Error).message}]`);
        socket.destroy();
        return;
      }
      for (const f of frames) this.#receive(f, source, false);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#tcpByPeer.delete(key));
  }

  #send(to: SipPeerAddress, data: Buffer): void {
    if (this.#closed) return;
    if (to.transport === 'udp') {
      this.#udp.send(data, to.port, to.address, (e) => {
        if (e) log.debug('SipEndpoint', `udp send failed [to:${to.address}:${to.port}]`);
      });
    } else {
      const s = this.#tcpByPeer.get(`${to.address}|${to.port}`);
      if (s && !s.destroyed) s.write(data);
    }
  }

  // ---- transactions --------------------------------------------------------------------------

  #receive(data: Buffer, source: SipPeerAddress, datagram: boolean): void {
    if (this.#closed) return;
    this.stats.received++;
    // A lone CRLF (RFC 5626 keep-alive) gets a CRLF back over UDP... over UDP only a pong is expected for double CRLF.
    if (data.length <= 4 && data.toString('latin1').trim() === '') {
      if (datagram && data.length === 4) this.#send(source, Buffer.from('\r\n'));
      return;
    }
    let msg: SipMessage;
    try {
      msg = parseSipMessage(data, datagram);
    } catch (e) {
      this.stats.malformed++;
      this.#answerMalformed(data, source, (e as Error).message);
      return;
    }
    if (msg.kind === 'response') {
      const branch = topViaBranch(msg);
      if (branch) this.#clientTx.get(branch)?.(msg);
      return;
    }
    const branch = topViaBranch(msg);
    const callId = header(msg, 'call-id');
    let seq: { seq: number; method: string };
    try {
      seq = cseq(msg);
    } catch {
      this.stats.malformed++;
      this.#reply(msg, source, 400, 'Bad Request (CSeq)');
      return;
    }
    if (!branch || !callId || !header(msg, 'from') || !header(msg, 'to') || seq.method !== msg.method) {
      this.stats.malformed++;
      this.#reply(msg, source, 400, 'Bad Request (missing Via branch, Call-ID, From, To or CSeq)');
      return;
    }
    if (msg.method === 'ACK') {
      for (const tx of this.#tx.values()) {
        if (tx.callId === callId && tx.seq === seq.seq && tx.retransmit) {
          clearTimeout(tx.retransmit);
          tx.retransmit = null;
        }
      }
      this.#handlers.ack(msg, source);
      return;
    }
    const key = `${branch}|${msg.method}|${source.address}:${source.port}`;
    const existing = this.#tx.get(key);
    if (existing) {
      this.stats.retransmissionsAbsorbed++;
      if (existing.lastResponse) this.#send(source, existing.lastResponse);
      return;
    }
    if (!this.#allow(source.address)) {
      this.stats.throttled++;
      // Answer a few so a well-behaved peer backs off; a flood beyond twice the rate is dropped.
      const b = this.#buckets.get(source.address);
      if (b && b.tokens > -this.#burst)
        this.#reply(msg, source, 503, 'Service Unavailable', [['Retry-After', '5']]);
      return;
    }
    if (this.#tx.size >= this.#maxTx) {
      this.stats.throttled++;
      this.#reply(msg, source, 503, 'Service Unavailable', [['Retry-After', '5']]);
      return;
    }
    const state: TxState = {
      lastResponse: null,
      final: false,
      source,
      expires: Date.now() + TX_LIFETIME_MS,
      retransmit: null,
      callId,
      seq: seq.seq,
    };
    this.#tx.set(key, state);
    const toTag = addressTag(header(msg, 'to') ?? '') ?? randomBytes(6).toString('hex');
    const tx: SipServerTransaction = {
      request: msg,
      source,
      toTag,
      get answered() {
        return state.final;
      },
      respond: (status, reason, extra = [], body = Buffer.alloc(0)) => {
        if (state.final) return;
        const out = this.#response(msg, status, reason, toTag, extra, body);
        state.lastResponse = out;
        if (status >= 200) {
          state.final = true;
          // INVITE final responses over UDP are retransmitted until the ACK (timer G; 2xx: §13.3.1.4).
          if (msg.method === 'INVITE' && source.transport === 'udp') {
            let interval = T1;
            const again = () => {
              if (this.#closed || Date.now() > state.expires) return;
              this.#send(source, out);
              interval = Math.min(interval * 2, T2);
              state.retransmit = setTimeout(again, interval);
            };
            state.retransmit = setTimeout(again, interval);
          }
        }
        this.#send(source, out);
      },
    };
    try {
      this.#handlers.request(tx);
    } catch (e) {
      log.error('SipEndpoint', 'request handler failed', e);
      tx.respond(500, 'Server Internal Error');
    }
  }

  /** Answers a message we could not parse, when enough of it can be read to route a 400. */
  #answerMalformed(data: Buffer, source: SipPeerAddress, why: string): void {
    const text = data.subarray(0, Math.min(data.length, 8192)).toString('latin1');
    if (!/^[A-Z]+ \S+ SIP\/2\.0\r\n/.test(text)) return;
    const pick = (re: RegExp) => re.exec(text)?.[1]?.trim();
    const via = pick(/^(?:via|v)[ \t]*:(.*)$/im);
    const from = pick(/^(?:from|f)[ \t]*:(.*)$/im);
    const to = pick(/^(?:to|t)[ \t]*:(.*)$/im);
    const callId = pick(/^(?:call-id|i)[ \t]*:(.*)$/im);
    const cs = pick(/^cseq[ \t]*:(.*)$/im);
    if (!via || !from || !to || !callId || !cs || text.startsWith('ACK ')) return;
    const reason = `Bad Request (${why.replace(/[\r\n]/g, ' ').slice(0, 80)})`;
    const body = Buffer.concat([
      Buffer.from(
        `SIP/2.0 400 ${reason}\r\nVia: ${via}\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: ${callId}\r\nCSeq: ${cs}\r\nServer: ${SERVER_HEADER}\r\nContent-Length: 0\r\n\r\n`,
        'latin1',
      ),
    ]);
    this.#send(source, body);
  }

  #reply(
    req: SipRequest,
    source: SipPeerAddress,
    status: number,
    reason: string,
    extra: [string, string | undefined][] = [],
  ): void {
    if (req.method === 'ACK') return;
    this.#send(
      source,
      this.#response(req, status, reason, randomBytes(6).toString('hex'), extra, Buffer.alloc(0)),
    );
  }

  #response(
    req: SipRequest,
    status: number,
    reason: string,
    toTag: string,
    extra: [string, string | undefined][],
    body: Buffer,
  ): Buffer {
    const pairs: [string, string | undefined][] = [];
    for (const v of req.headers.get('via') ?? []) pairs.push(['Via', v]);
    pairs.push(['From', header(req, 'from')]);
    const to = header(req, 'to') ?? '';
    pairs.push(['To', addressTag(to) || status === 100 ? to : `${to};tag=${toTag}`]);
    pairs.push(['Call-ID', header(req, 'call-id')]);
    pairs.push(['CSeq', header(req, 'cseq')]);
    pairs.push(['Server', SERVER_HEADER]);
    pairs.push(...extra);
    return serializeSipMessage({ kind: 'response', status, reason, headers: makeHeaders(pairs), body });
  }

  #allow(ip: string): boolean {
    const now = Date.now();
    const b = this.#buckets.get(ip) ?? { tokens: this.#burst, at: now };
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate);
    b.at = now;
    this.#buckets.set(ip, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    b.tokens = Math.max(-2 * this.#burst, b.tokens - 1);
    return false;
  }

  #expire(): void {
    const now = Date.now();
    for (const [key, tx] of this.#tx) {
      if (tx.expires < now) {
        if (tx.retransmit) clearTimeout(tx.retransmit);
        this.#tx.delete(key);
      }
    }
    for (const [ip, b] of this.#buckets)
      if (b.tokens >= this.#burst && now - b.at > 10_000) this.#buckets.delete(ip);
  }
}

export { headerList };
