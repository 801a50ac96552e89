import dgram from 'node:dgram';
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { answerChallenge, DigestAuth, parseDigest } from '../../src/sip/DigestAuth.js';
import { SipEndpoint, type SipServerTransaction } from '../../src/sip/SipEndpoint.js';
import {
  parseSipMessage,
  SipParseError,
  SipStreamParser,
  serializeSipMessage,
} from '../../src/sip/SipMessage.js';

const invite = (branch: string, extra = '', callId = 'call-1') =>
  `INVITE sip:m1.hue@127.0.0.1 SIP/2.0\r\nv: SIP/2.0/UDP 127.0.0.1:5999;branch=${branch};rport\r\n` +
  `f: <sip:hue@127.0.0.1>;tag=a1\r\nt: <sip:m1.hue@127.0.0.1>\r\ni: ${callId}\r\nCSeq: 1 INVITE\r\n` +
  `Max-Forwards: 70\r\n${extra}l: 0\r\n\r\n`;

describe('SipMessage', () => {
  it('parseSipMessage() expands compact headers and round-trips through serializeSipMessage()', () => {
    const msg = parseSipMessage(Buffer.from(invite('z9hG4bK1')));
    expect(msg.kind).toBe('request');
    expect(msg.headers.get('via')?.[0]).toContain('branch=z9hG4bK1');
    expect(msg.headers.get('call-id')).toEqual(['call-1']);
    const again = parseSipMessage(serializeSipMessage(msg));
    expect(again.headers.get('from')).toEqual(msg.headers.get('from'));
  });

  it('parseSipMessage() refuses a body shorter than Content-Length and a missing length on a stream', () => {
    expect(() => parseSipMessage(Buffer.from(invite('b', '', 'x').replace('l: 0', 'l: 10')))).toThrow(
      SipParseError,
    );
    expect(() => parseSipMessage(Buffer.from(invite('b').replace('l: 0\r\n', '')), false)).toThrow(
      SipParseError,
    );
  });

  it('SipStreamParser cuts a TCP stream split anywhere into the same messages', () => {
    const two = Buffer.from(`\r\n\r\n${invite('a')}${invite('b')}`);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: two.length - 1 }), { maxLength: 6 }), (cuts) => {
        const p = new SipStreamParser();
        const points = [...new Set(cuts)].sort((x, y) => x - y);
        const frames: Buffer[] = [];
        let last = 0;
        for (const c of [...points, two.length]) {
          frames.push(...p.push(two.subarray(last, c)));
          last = c;
        }
        expect(frames.map((f) => parseSipMessage(f, false).headers.get('via')?.[0])).toEqual([
          expect.stringContaining('branch=a'),
          expect.stringContaining('branch=b'),
        ]);
      }),
    );
  });

  it('parseSipMessage() either parses or throws SipParseError for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.string({ maxLength: 300 }), (bytes, text) => {
        for (const data of [Buffer.from(bytes), Buffer.from(`${text}\r\n\r\n`), Buffer.from(invite(text))]) {
          try {
            parseSipMessage(data);
          } catch (e) {
            expect(e).toBeInstanceOf(SipParseError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('DigestAuth', () => {
  it('verify() accepts the right password, refuses a wrong one, and marks old nonces stale', () => {
    let now = 1_000_000;
    const auth = new DigestAuth('secret', () => now);
    const challenge = auth.challenge();
    const good = parseDigest(answerChallenge(challenge, 'INVITE', 'sip:m.s@hub', 'link1', 'pw'));
    const bad = parseDigest(answerChallenge(challenge, 'INVITE', 'sip:m.s@hub', 'link1', 'nope'));
    if (!good || !bad) throw new Error('unparsable');
    expect(auth.verify(good, 'INVITE', 'pw')).toBe('ok');
    expect(auth.verify(bad, 'INVITE', 'pw')).toBe('wrong');
    expect(auth.verify(good, 'BYE', 'pw')).toBe('wrong');
    expect(auth.verify({ ...good, nonce: `${good.nonce}x` }, 'INVITE', 'pw')).toBe('wrong');
    now += 10 * 60_000;
    expect(auth.verify(good, 'INVITE', 'pw')).toBe('stale');
  });
});

describe('SipEndpoint', () => {
  let ep: SipEndpoint | null = null;
  const clients: dgram.Socket[] = [];
  afterEach(() => {
    ep?.close();
    ep = null;
    for (const c of clients.splice(0)) c.close();
  });

  async function udpClient(): Promise<{ send(s: string): void; next(): Promise<string>; all: string[] }> {
    const sock = dgram.createSocket('udp4');
    clients.push(sock);
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const all: string[] = [];
    const waiters: ((s: string) => void)[] = [];
    sock.on('message', (m) => {
      all.push(m.toString());
      waiters.shift()?.(m.toString());
    });
    return {
      all,
      send: (s) => sock.send(s, ep?.port ?? 0, '127.0.0.1'),
      next: () => new Promise((r) => waiters.push(r)),
    };
  }

  it('absorbs an INVITE retransmission: the application sees it once, the peer gets the same answer', async () => {
    const seen: SipServerTransaction[] = [];
    ep = await SipEndpoint.listen(
      { host: '127.0.0.1', port: 0 },
      { request: (tx) => seen.push(tx), ack: () => {} },
    );
    const c = await udpClient();
    c.send(invite('z9hG4bKr1'));
    await expect.poll(() => seen.length).toBe(1);
    seen[0]?.respond(486, 'Busy Here');
    const first = await c.next();
    c.send(invite('z9hG4bKr1'));
    const second = await c.next();
    expect(first).toMatch(/^SIP\/2.0 486/);
    expect(second).toBe(first);
    expect(seen).toHaveLength(1);
    expect(ep.stats.retransmissionsAbsorbed).toBe(1);
  });

  it('answers a request without Call-ID with 400 and ignores garbage', async () => {
    ep = await SipEndpoint.listen({ host: '127.0.0.1', port: 0 }, { request: () => {}, ack: () => {} });
    const c = await udpClient();
    c.send('\x00\x01garbage');
    c.send(invite('z9hG4bKb1').replace('i: call-1\r\n', ''));
    expect(await c.next()).toMatch(/^SIP\/2.0 400 /);
    c.send(invite('z9hG4bKb2').replace('CSeq: 1 INVITE', 'CSeq: x INVITE'));
    expect(await c.next()).toMatch(/^SIP\/2.0 400 /);
  });

  it('an INVITE flood from one address gets 503 beyond its rate and leaves the endpoint answering others', async () => {
    const seen: SipServerTransaction[] = [];
    ep = await SipEndpoint.listen(
      { host: '127.0.0.1', port: 0, ratePerSecond: 5, burst: 10 },
      {
        request: (tx) => {
          seen.push(tx);
          tx.respond(404, 'Not Found');
        },
        ack: () => {},
      },
    );
    const flood = await udpClient();
    for (let i = 0; i < 200; i++) flood.send(invite(`z9hG4bKf${i}`, '', `flood-${i}`));
    await expect.poll(() => ep?.stats.throttled ?? 0).toBeGreaterThan(150);
    expect(seen.length).toBeLessThanOrEqual(12);
    expect(flood.all.some((m) => m.startsWith('SIP/2.0 503'))).toBe(true);
    const other = await new Promise<string>((resolve) => {
      // Another address (the flood's bucket is per source IP).
      const s = net.connect({ port: ep?.port ?? 0, host: '127.0.0.1', localAddress: '127.0.0.2' }, () =>
        s.write(invite('z9hG4bKtcp').replace('UDP', 'TCP')),
      );
      s.on('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
    });
    expect(other).toMatch(/^SIP\/2.0 404/);
  });

  it('closes a TCP connection whose framing is broken, and keeps serving', async () => {
    ep = await SipEndpoint.listen(
      { host: '127.0.0.1', port: 0 },
      { request: (tx) => tx.respond(200, 'OK'), ack: () => {} },
    );
    const closed = await new Promise<boolean>((resolve) => {
      const s = net.connect(ep?.port ?? 0, '127.0.0.1', () =>
        s.write(invite('z9hG4bKx').replace('l: 0\r\n', '')),
      );
      s.on('close', () => resolve(true));
    });
    expect(closed).toBe(true);
    const c = await udpClient();
    c.send(invite('z9hG4bKafter'));
    expect(await c.next()).toMatch(/^SIP\/2.0 200/);
  });
});
