import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpRelay } from '../../src/sip/RtpRelay.js';

// The relay between a room system and mediasoup, with Node sockets standing in for both: what a
// re-INVITE changes (hold, resume, a new address or port) decides where — and whether — the
// hub's media goes.

const sockets: dgram.Socket[] = [];
const relays: RtpRelay[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  for (const r of relays.splice(0)) r.close();
});

/** A UDP socket on loopback that keeps what it receives. */
async function endpoint(): Promise<{ socket: dgram.Socket; port: number; got: Buffer[] }> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  return { socket, port: socket.address().port, got };
}

function rtp(seq: number, pt = 101): Buffer {
  const b = Buffer.alloc(20);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(1234, 8);
  return b;
}

/** A receiver-report-sized RTCP packet. */
function rtcp(): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 0x80;
  b[1] = 201;
  b.writeUInt16BE(1, 2);
  return b;
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
}

describe('RtpRelay and re-INVITE media changes', () => {
  it('sends to the new address after an update, nothing while held, and again on resume (re-typed)', async () => {
    const first = await endpoint();
    const second = await endpoint();
    const mediasoup = await endpoint();
    const relay = await RtpRelay.open({
      kind: 'video',
      listenIp: '127.0.0.1',
      peer: { address: '127.0.0.1', rtpPort: first.port, rtcpPort: null },
      rtcpMux: true,
      peerPt: 97,
      dtmfPt: null,
      handlers: { firstRtp: () => {} },
    });
    relays.push(relay);
    const fromMediasoup = (b: Buffer) => mediasoup.socket.send(b, relay.innerPort, '127.0.0.1');

    fromMediasoup(rtp(1));
    await settle();
    expect(first.got.map((b) => [b.readUInt16BE(2), (b[1] ?? 0) & 0x7f])).toEqual([[1, 97]]);

    // The room system moved its media to another port (re-INVITE with a new m= port).
    relay.update({
      peer: { address: '127.0.0.1', rtpPort: second.port, rtcpPort: null },
      rtcpMux: true,
      receive: true,
    });
    fromMediasoup(rtp(2));
    await settle();
    expect(second.got.map((b) => b.readUInt16BE(2))).toEqual([2]);

    // Hold (a=sendonly from the room system): no media to it; RTCP still goes.
    relay.update({
      peer: { address: '127.0.0.1', rtpPort: second.port, rtcpPort: null },
      rtcpMux: true,
      receive: false,
    });
    expect(relay.sending).toBe(false);
    fromMediasoup(rtp(3));
    fromMediasoup(rtcp());
    relay.sendToPeer(rtp(4));
    await settle();
    expect(second.got.map((b) => b[1])).toEqual([97, 201]);

    // RFC 2543 hold (c=0.0.0.0) holds too, and keeps the address it had.
    relay.update({
      peer: { address: '0.0.0.0', rtpPort: second.port, rtcpPort: null },
      rtcpMux: true,
      receive: true,
    });
    expect(relay.sending).toBe(false);

    // Resume with another payload type for the codec.
    relay.update({
      peer: { address: '127.0.0.1', rtpPort: second.port, rtcpPort: null },
      rtcpMux: true,
      receive: true,
    });
    relay.peerPt = 99;
    fromMediasoup(rtp(5));
    await settle();
    expect(relay.sending).toBe(true);
    expect(second.got.slice(2).map((b) => [b.readUInt16BE(2), (b[1] ?? 0) & 0x7f])).toEqual([[5, 99]]);
    expect(first.got).toHaveLength(1);
  });

  it('without rtcp-mux a moved line sends RTCP to its new a=rtcp port', async () => {
    const rtpSink = await endpoint();
    const rtcpSink = await endpoint();
    const mediasoup = await endpoint();
    const relay = await RtpRelay.open({
      kind: 'audio',
      listenIp: '127.0.0.1',
      peer: { address: '127.0.0.1', rtpPort: 9, rtcpPort: 10 },
      rtcpMux: false,
      peerPt: 9,
      dtmfPt: null,
      handlers: { firstRtp: () => {} },
    });
    relays.push(relay);
    relay.update({
      peer: { address: '127.0.0.1', rtpPort: rtpSink.port, rtcpPort: rtcpSink.port },
      rtcpMux: false,
      receive: true,
    });
    mediasoup.socket.send(rtcp(), relay.innerPort, '127.0.0.1');
    mediasoup.socket.send(rtp(7), relay.innerPort, '127.0.0.1');
    await settle();
    expect(rtcpSink.got.map((b) => b[1])).toEqual([201]);
    expect(rtpSink.got.map((b) => b.readUInt16BE(2))).toEqual([7]);
  });
});
