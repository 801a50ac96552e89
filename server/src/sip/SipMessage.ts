/**
 * SIP messages (RFC 3261 §7): a strict, bounded parser and a serializer. Header names are kept
 * in their canonical long form (compact forms such as `v`, `i`, `l` are expanded), values as
 * written. Anything the parser cannot make sense of is a SipParseError, answered with 400 when
 * the message carries enough to be answered at all.
 */

/** Largest message accepted on either transport (RFC 3261 asks for 1300 B over UDP; room systems send ~4 KB). */
export const MAX_MESSAGE_BYTES = 16 * 1024;
const MAX_HEADERS = 100;

/** The methods this hub understands; anything else is answered 405 (or 501 out of dialog). */
export const SIP_METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO', 'UPDATE'] as const;

/** A message that is not SIP, or is SIP with a header we must read broken. */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}

const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  x: 'session-expires',
};

/** Headers whose comma-separated values are separate entries (Via, Contact are split by parsers that need them). */
interface Headers {
  /** Lower-case canonical name → values in order of appearance. */
  readonly map: Map<string, string[]>;
}

interface SipBase {
  readonly headers: Map<string, string[]>;
  readonly body: Buffer;
}

/** A request: method, Request-URI and headers. */
export interface SipRequest extends SipBase {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
}

/** A response: status code and reason. */
export interface SipResponse extends SipBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}

/** Either kind of message. */
export type SipMessage = SipRequest | SipResponse;

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** The first value of a header, or undefined. */
export function header(msg: { headers: Map<string, string[]> }, name: string): string | undefined {
  return msg.headers.get(name.toLowerCase())?.[0];
}

/** Every value of a header, comma-separated entries split (for Via, Supported, Require, Allow). */
export function headerList(msg: { headers: Map<string, string[]> }, name: string): string[] {
  const out: string[] = [];
  for (const v of msg.headers.get(name.toLowerCase()) ?? []) out.push(...splitComma(v));
  return out;
}

/** Splits a header value at commas outside quotes and angle brackets. */
export function splitComma(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') angle++;
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
    if (ch === ',' && !quoted && angle === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `;name=value` parameters of a header value (after its first `;`), names lower-cased. */
export function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const parts = value.split(';').slice(1);
  for (const p of parts) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (name) params.set(name, eq < 0 ? '' : p.slice(eq + 1).trim());
  }
  return params;
}

/** The URI inside a name-addr (`"Name" <sip:a@b>;tag=x`) or addr-spec. */
export function addressUri(value: string): string {
  const lt = value.indexOf('<');
  if (lt >= 0) {
    const gt = value.indexOf('>', lt);
    if (gt < 0) throw new SipParseError('unterminated <uri>');
    return value.slice(lt + 1, gt).trim();
  }
  return value.split(';')[0]?.trim() ?? '';
}

/** The `tag` parameter of a From/To value (outside the <uri>). */
export function addressTag(value: string): string | undefined {
  const gt = value.lastIndexOf('>');
  return headerParams(gt >= 0 ? value.slice(gt + 1) : value).get('tag');
}

/** The user part of a sip:/sips: URI, or '' when it has none. */
export function uriUser(uri: string): string {
  const m = /^sips?:([^@;?]*)@/i.exec(uri);
  return m ? decodeURIComponent(m[1] as string) : '';
}

/** CSeq as number + method. */
export function cseq(msg: SipMessage): { seq: number; method: string } {
  const raw = header(msg, 'cseq');
  const m = raw ? /^\s*(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(raw) : null;
  if (!m) throw new SipParseError('missing or malformed CSeq');
  const seq = Number(m[1]);
  if (seq > 2 ** 31 - 1) throw new SipParseError('CSeq out of range');
  return { seq, method: (m[2] as string).toUpperCase() };
}

/** The branch of the top Via (the transaction key of RFC 3261 §17.2.3). */
export function topViaBranch(msg: SipMessage): string | undefined {
  const via = headerList(msg, 'via')[0];
  return via ? headerParams(via).get('branch') : undefined;
}

/**
 * Parses one complete message (a UDP datagram, or one frame cut by SipStreamParser). Throws
 * SipParseError for anything malformed, oversized or ambiguous (e.g. a Content-Length that does
 * not match the body of a datagram).
 */
export function parseSipMessage(data: Buffer, datagram = true): SipMessage {
  if (data.length > MAX_MESSAGE_BYTES) throw new SipParseError('message too large');
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new SipParseError('no end of headers');
  const head = data.subarray(0, end).toString('latin1');
  if (/[\0]/.test(head)) throw new SipParseError('NUL in headers');
  const lines = head.split('\r\n');
  // Header folding (RFC 3261 §7.3.1): a line starting with whitespace continues the previous one.
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length > 1) unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    else unfolded.push(line);
  }
  const start = unfolded.shift() ?? '';
  const headers = new Map<string, string[]>();
  if (unfolded.length > MAX_HEADERS) throw new SipParseError('too many headers');
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line "${line.slice(0, 40)}"`);
    const rawName = line.slice(0, colon).trim();
    if (!TOKEN.test(rawName)) throw new SipParseError(`malformed header name "${rawName.slice(0, 40)}"`);
    const lower = rawName.toLowerCase();
    const name = COMPACT[lower] ?? lower;
    const value = line.slice(colon + 1).trim();
    const list = headers.get(name);
    if (list) list.push(value);
    else headers.set(name, [value]);
  }
  let body = data.subarray(end + 4);
  const lengths = headers.get('content-length');
  if (lengths) {
    if (lengths.length > 1 && new Set(lengths).size > 1)
      throw new SipParseError('conflicting Content-Length');
    const raw = lengths[0] as string;
    if (!/^\d{1,6}$/.test(raw)) throw new SipParseError('malformed Content-Length');
    const n = Number(raw);
    if (n > body.length) throw new SipParseError('body shorter than Content-Length');
    // Over UDP extra bytes after the body are discarded (§18.3); the stream parser cuts exactly.
    body = body.subarray(0, n);
  } else if (!datagram) {
    throw new SipParseError('Content-Length is required over a stream transport');
  }
  const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (request) {
    const method = (request[1] as string).toUpperCase();
    const uri = request[2] as string;
    if (!/^(sips?|tel):/i.test(uri)) throw new SipParseError('unsupported Request-URI scheme');
    return { kind: 'request', method, uri, headers, body };
  }
  const response = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/.exec(start);
  if (response) {
    return { kind: 'response', status: Number(response[1]), reason: response[2] ?? '', headers, body };
  }
  throw new SipParseError('not a SIP start line');
}

/** Canonical capitalisation for the headers we write. */
const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'session-expires': 'Session-Expires',
  'min-se': 'Min-SE',
};

function canonicalName(name: string): string {
  return CANONICAL[name] ?? name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

/** Writes a message; Content-Length always reflects the body (any given value is replaced). */
export function serializeSipMessage(msg: SipMessage): Buffer {
  const start =
    msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const [name, values] of msg.headers) {
    if (name === 'content-length') continue;
    for (const v of values) lines.push(`${canonicalName(name)}: ${v}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), msg.body]);
}

/** Builds a headers map from [name, value] pairs (names any case). */
export function makeHeaders(pairs: [string, string | undefined][]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }
  return map;
}

/**
 * Cuts a TCP byte stream into messages (RFC 3261 §18.3: Content-Length frames them). CRLF
 * keep-alives (RFC 5626) between messages are skipped. A frame that cannot be cut is fatal for
 * the connection: the caller closes it.
 */
export class SipStreamParser {
  #buf: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the complete frames (each to give to parseSipMessage(frame, false)). */
  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const frames: Buffer[] = [];
    for (;;) {
      let skip = 0;
      while (skip < this.#buf.length && (this.#buf[skip] === 13 || this.#buf[skip] === 10)) skip++;
      if (skip) this.#buf = this.#buf.subarray(skip);
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.#buf.length > MAX_MESSAGE_BYTES) throw new SipParseError('headers too large');
        return frames;
      }
      const head = this.#buf.subarray(0, end).toString('latin1');
      const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d{1,6})[ \t]*$/im.exec(head);
      if (!m) throw new SipParseError('Content-Length is required over a stream transport');
      const total = end + 4 + Number(m[1]);
      if (total > MAX_MESSAGE_BYTES) throw new SipParseError('message too large');
      if (this.#buf.length < total) return frames;
      frames.push(this.#buf.subarray(0, total));
      this.#buf = this.#buf.subarray(total);
    }
  }
}

export type { Headers as SipHeaders };
