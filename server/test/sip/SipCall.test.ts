import dgram from 'node:dgram';
import type { MeetingId, SiteId } from '@giaoban/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SipCall } from '../../src/sip/SipCall.js';
import { SipEndpoint } from '../../src/sip/SipEndpoint.js';
import { parseSipMessage, type SipRequest } from '../../src/sip/SipMessage.js';

describe('SipCall', () => {
  let ep: SipEndpoint | null = null;
  let peer: dgram.Socket | null = null;
  afterEach(() => {
    vi.useRealTimers();
    ep?.close();
    peer?.close();
  });

  async function setup() {
    ep = await SipEndpoint.listen({ host: '127.0.0.1', port: 0 }, { request: () => {}, ack: () => {} });
    peer = dgram.createSocket('udp4');
    await new Promise<void>((r) => peer?.bind(0, '127.0.0.1', () => r()));
    const received: string[] = [];
    peer.on('message', (m) => received.push(m.toString()));
    const port = peer.address().port;
    const invite = parseSipMessage(
      Buffer.from(
        `INVITE sip:m1.hue@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK1\r\n` +
          `From: <sip:room@127.0.0.1>;tag=peer1\r\nTo: <sip:m1.hue@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n` +
          `Contact: <sip:room@127.0.0.1:${port}>\r\nSession-Expires: 90\r\nContent-Length: 0\r\n\r\n`,
      ),
    ) as SipRequest;
    const events: string[] = [];
    const call = new SipCall(
      {
        endpoint: ep,
        left: () => events.push('left'),
        floorKey: (_c, key) => events.push(key),
      },
      invite,
      { transport: 'udp', address: '127.0.0.1', port },
      'local1',
      { meetingId: 'm1' as MeetingId, siteId: 'hue' as SiteId, linkId: 'L1', displayName: 'Huế' },
    );
    return { call, received, events };
  }

  it('sends BYE and leaves the meeting when the session interval lapses without a refresh', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { call, received, events } = await setup();
    call.refreshSession(90);
    vi.advanceTimersByTime(60_000);
    call.refreshSession(90); // a re-INVITE / UPDATE refreshed it
    vi.advanceTimersByTime(60_000);
    expect(call.ended).toBeNull();
    vi.advanceTimersByTime(31_000);
    expect(call.ended).toBe('sessionExpired');
    expect(events).toEqual(['left']);
    await vi.waitFor(() => expect(received.some((m) => m.startsWith('BYE sip:room@127.0.0.1'))).toBe(true));
    const bye = received.find((m) => m.startsWith('BYE')) ?? '';
    expect(bye).toContain('Call-ID: c1');
    expect(bye).toMatch(/From: <sip:m1\.hue@127\.0\.0\.1>;tag=local1/);
    expect(bye).toMatch(/To: <sip:room@127\.0\.0\.1>;tag=peer1/);
  });

  it('turns *1 and *0 into floor keys and ignores other digits', async () => {
    const { call, events } = await setup();
    for (const d of ['5', '*', '1', '1', '*', '0', '#']) call.dtmf(d);
    expect(events).toEqual(['request', 'withdraw']);
    call.end('bye');
    call.end('revoked');
    expect(events).toEqual(['request', 'withdraw', 'left']);
  });
});
