/**
 * The SDP a simulated site needs to talk to a mediasoup WebRtcTransport through libdatachannel:
 * mediasoup describes its side with ICE/DTLS parameters and candidates, not SDP, so we write the
 * remote description ourselves (ICE-lite, one BUNDLEd m-line), the way mediasoup-client does.
 *
 * One m-line per PeerConnection on purpose: libdatachannel hands every packet of a connection
 * with a single track to that track whatever its SSRC, so a site receives any number of consumers
 * without renegotiating — where a browser adds an m-line per consumer.
 */
import type { TransportInfo } from '@giaoban/shared';

interface IceParameters {
  usernameFragment: string;
  password: string;
}
interface IceCandidate {
  foundation: string;
  priority: number;
  ip: string;
  protocol: string;
  port: number;
  type: string;
}
interface DtlsFingerprint {
  algorithm: string;
  value: string;
}

/** A payload type line for the remote m-line. */
export interface SdpCodec {
  payloadType: number;
  rtpmap: string;
}

/** The mediasoup side of a transport as a remote description. */
export function remoteDescription(
  info: TransportInfo,
  options: {
    direction: 'sendonly' | 'recvonly';
    setup: 'actpass' | 'passive' | 'active';
    codecs: SdpCodec[];
  },
): string {
  const ice = info.iceParameters as unknown as IceParameters;
  const fingerprints = (info.dtlsParameters as { fingerprints?: DtlsFingerprint[] }).fingerprints ?? [];
  const fp = fingerprints.find((f) => f.algorithm === 'sha-256') ?? fingerprints[0];
  if (!fp) throw new Error('remoteDescription() | transport has no DTLS fingerprint');
  const candidates = (info.iceCandidates as unknown as IceCandidate[]).filter((c) => c.protocol === 'udp');
  const lines = [
    'v=0',
    'o=mediasoup 1 1 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=ice-lite',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS *',
    `m=video 7 UDP/TLS/RTP/SAVPF ${options.codecs.map((c) => c.payloadType).join(' ')}`,
    'c=IN IP4 127.0.0.1',
    'a=mid:0',
    `a=${options.direction}`,
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...options.codecs.map((c) => `a=rtpmap:${c.payloadType} ${c.rtpmap}`),
    `a=ice-ufrag:${ice.usernameFragment}`,
    `a=ice-pwd:${ice.password}`,
    `a=fingerprint:${fp.algorithm} ${fp.value}`,
    `a=setup:${options.setup}`,
    ...candidates.map(
      (c) => `a=candidate:${c.foundation} 1 udp ${c.priority} ${c.ip} ${c.port} typ ${c.type}`,
    ),
    'a=end-of-candidates',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** Our DTLS parameters for mediasoup's `connect()`, read from libdatachannel's local description. */
export function localDtlsParameters(localSdp: string): Record<string, unknown> {
  const fp = /^a=fingerprint:(\S+) (\S+)/m.exec(localSdp);
  const setup = /^a=setup:(\S+)/m.exec(localSdp)?.[1];
  if (!fp?.[1] || !fp[2]) throw new Error('localDtlsParameters() | local description has no fingerprint');
  // actpass in our offer: mediasoup's answer says passive, so we are the DTLS client.
  const role = setup === 'passive' ? 'server' : 'client';
  return { role, fingerprints: [{ algorithm: fp[1], value: fp[2] }] };
}
