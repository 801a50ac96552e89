/**
 * SDP offer/answer for a room system (RFC 3264, plain RTP/AVP): what we read from its offer, which
 * codec we pick per media line, and the answer we write. No transcoding: the codec picked is the
 * one its media is produced into the router with, and the one we send back in.
 */

/** One codec of a media line. */
export interface SdpCodec {
  pt: number;
  name: string;
  clockRate: number;
  channels: number;
  fmtp: string;
}

/** One `m=` line of an offer. */
export interface SdpMedia {
  kind: string;
  port: number;
  proto: string;
  address: string;
  codecs: SdpCodec[];
  rtcpMux: boolean;
  rtcpPort: number | null;
  ssrc: number | null;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

/** A parsed offer. */
export interface SdpOffer {
  media: SdpMedia[];
}

/** An SDP we cannot use; the gateway answers 488 Not Acceptable Here. */
export class SdpError extends Error {
  override readonly name = 'SdpError';
}

const STATIC: Record<number, [string, number, number]> = {
  0: ['PCMU', 8000, 1],
  8: ['PCMA', 8000, 1],
  9: ['G722', 8000, 1],
  34: ['H263', 90000, 1],
};

/** Parses an SDP body; throws SdpError when it has no usable connection address or media. */
export function parseSdpOffer(text: string): SdpOffer {
  if (text.length > 16_384) throw new SdpError('SDP too large');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 1 && l[1] === '=');
  if (!lines[0]?.startsWith('v=0')) throw new SdpError('not SDP (no v=0)');
  let sessionAddress = '';
  const media: SdpMedia[] = [];
  let cur: SdpMedia | null = null;
  const rtpmaps = new Map<SdpMedia, Map<number, SdpCodec>>();
  for (const line of lines) {
    const type = line[0];
    const value = line.slice(2).trim();
    if (type === 'c') {
      const m = /^IN IP[46] ([0-9a-fA-F.:]+)/.exec(value);
      if (!m) throw new SdpError('malformed c= line');
      if (cur) cur.address = m[1] as string;
      else sessionAddress = m[1] as string;
    } else if (type === 'm') {
      const m = /^(\w+) (\d{1,5})(?:\/\d+)? (\S+)(?: (.*))?$/.exec(value);
      if (!m) throw new SdpError('malformed m= line');
      const port = Number(m[2]);
      if (port > 65535) throw new SdpError('port out of range');
      cur = {
        kind: m[1] as string,
        port,
        proto: m[3] as string,
        address: sessionAddress,
        codecs: [],
        rtcpMux: false,
        rtcpPort: null,
        ssrc: null,
        direction: 'sendrecv',
      };
      const codecs = new Map<number, SdpCodec>();
      // Non-RTP lines (BFCP, T.140 over TCP…) keep their place and are answered with port 0.
      const formats = /^RTP\//.test(cur.proto) ? (m[4] ?? '').trim().split(/\s+/).filter(Boolean) : [];
      for (const f of formats) {
        const pt = Number(f);
        if (!Number.isInteger(pt) || pt > 127) throw new SdpError('bad payload type');
        const st = STATIC[pt];
        codecs.set(pt, {
          pt,
          name: st?.[0] ?? '',
          clockRate: st?.[1] ?? 0,
          channels: st?.[2] ?? 1,
          fmtp: '',
        });
      }
      rtpmaps.set(cur, codecs);
      media.push(cur);
    } else if (type === 'a' && cur) {
      const codecs = rtpmaps.get(cur);
      const rtpmap = /^rtpmap:(\d+) ([\w.-]+)\/(\d+)(?:\/(\d+))?/.exec(value);
      const fmtp = /^fmtp:(\d+) (.*)$/.exec(value);
      const rtcp = /^rtcp:(\d{1,5})/.exec(value);
      const ssrc = /^ssrc:(\d{1,10}) /.exec(value);
      if (rtpmap) {
        const c = codecs?.get(Number(rtpmap[1]));
        if (c) {
          c.name = rtpmap[2] as string;
          c.clockRate = Number(rtpmap[3]);
          c.channels = rtpmap[4] ? Number(rtpmap[4]) : 1;
        }
      } else if (fmtp) {
        const c = codecs?.get(Number(fmtp[1]));
        if (c) c.fmtp = (fmtp[2] as string).trim();
      } else if (value === 'rtcp-mux') cur.rtcpMux = true;
      else if (rtcp) cur.rtcpPort = Number(rtcp[1]);
      else if (ssrc && cur.ssrc === null) cur.ssrc = Number(ssrc[1]) >>> 0;
      else if (value === 'sendonly' || value === 'recvonly' || value === 'inactive' || value === 'sendrecv')
        cur.direction = value;
    }
  }
  for (const m of media) {
    m.codecs = [...(rtpmaps.get(m)?.values() ?? [])];
    if (!m.address && m.port !== 0) throw new SdpError(`no connection address for m=${m.kind}`);
  }
  return { media };
}

/** What we picked for one media line. */
export interface PickedMedia {
  index: number;
  kind: 'audio' | 'video';
  offer: SdpMedia;
  codec: SdpCodec;
  /** mediasoup's name for the codec (`audio/G722`, `video/H264`, `video/VP8`). */
  mimeType: string;
  /** Parameters to produce with (H264: packetization-mode and profile the router matches). */
  parameters: Record<string, string | number>;
  /** RFC 4733 telephone-event, when offered on this audio line. */
  dtmf: SdpCodec | null;
  /**
   * The meeting's program can be sent back on this line as it is (no transcoding): the line's codec
   * is the program's (VP8, or H.264 with packetization-mode 1 — the program's H.264 arrives in
   * FU-A / STAP-A packets a mode-0 receiver cannot take).
   */
  programCodec: boolean;
}

const AUDIO_PREFERENCE = ['G722', 'PCMU', 'PCMA'];

function fmtpParams(fmtp: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of fmtp.split(';')) {
    const [k, v] = p.split('=');
    if (k?.trim()) out.set(k.trim().toLowerCase(), (v ?? '').trim());
  }
  return out;
}

/** H.264 as the hub answers and sends it: constrained baseline level 3.1, packetization-mode 1. */
export const H264_FMTP = 'profile-level-id=42e01f;packetization-mode=1';

/**
 * Picks per line: audio G.722, else PCMU, else PCMA (in the offer's order among those) with
 * telephone-event; video in the meeting's program codec first (so the program can be sent back
 * as it is), else the other: VP8, or H.264 constrained baseline with packetization-mode 1
 * preferred (mode 0 is a subset of mode 1: single NAL units, so it is produced as mode 1).
 * Lines we cannot use are answered with port 0.
 */
export function pickMedia(offer: SdpOffer, programCodec: 'vp8' | 'h264' = 'vp8'): PickedMedia[] {
  const picked: PickedMedia[] = [];
  offer.media.forEach((m, index) => {
    if (m.port === 0 || !/^RTP\/AVPF?$/.test(m.proto)) return;
    if (m.kind === 'audio' && !picked.some((p) => p.kind === 'audio')) {
      const codec = m.codecs.find(
        (c) => AUDIO_PREFERENCE.includes(c.name.toUpperCase()) && c.clockRate === 8000,
      );
      if (!codec) return;
      const dtmf =
        m.codecs.find((c) => c.name.toLowerCase() === 'telephone-event' && c.clockRate === 8000) ?? null;
      picked.push({
        index,
        kind: 'audio',
        offer: m,
        codec,
        mimeType: `audio/${codec.name.toUpperCase()}`,
        parameters: {},
        dtmf,
        programCodec: false,
      });
    } else if (m.kind === 'video' && !picked.some((p) => p.kind === 'video')) {
      const vp8 = m.codecs.find((c) => c.name.toUpperCase() === 'VP8' && c.clockRate === 90000);
      const h264 = m.codecs
        .filter((c) => c.name.toUpperCase() === 'H264' && c.clockRate === 90000)
        .filter((c) => /^42/i.test(fmtpParams(c.fmtp).get('profile-level-id') ?? '42'))
        .sort(
          (a, b) =>
            Number(fmtpParams(b.fmtp).get('packetization-mode') ?? 0) -
            Number(fmtpParams(a.fmtp).get('packetization-mode') ?? 0),
        )[0];
      const h264Mode = Number(fmtpParams(h264?.fmtp ?? '').get('packetization-mode') ?? 0);
      const codec = programCodec === 'h264' ? (h264 && h264Mode === 1 ? h264 : (vp8 ?? h264)) : (vp8 ?? h264);
      if (!codec) return;
      picked.push({
        index,
        kind: 'video',
        offer: m,
        codec,
        mimeType: codec === vp8 ? 'video/VP8' : 'video/H264',
        parameters:
          codec === vp8
            ? {}
            : { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
        dtmf: null,
        programCodec: codec === vp8 ? programCodec === 'vp8' : programCodec === 'h264' && h264Mode === 1,
      });
    }
  });
  if (picked.length === 0) throw new SdpError('no codec we can take without transcoding');
  return picked;
}

/** Our side of one picked line: where we listen. */
export interface AnswerPort {
  index: number;
  rtpPort: number;
  rtcpPort: number | null;
}

/** Writes the answer: our ports for the picked lines, port 0 for the others. */
export function buildSdpAnswer(
  offer: SdpOffer,
  picked: PickedMedia[],
  ports: AnswerPort[],
  address: string,
  sessionId: string,
  version: number,
): string {
  const ip6 = address.includes(':');
  const out = [
    'v=0',
    `o=giaoban ${sessionId} ${version} IN IP${ip6 ? 6 : 4} ${address}`,
    's=Giao Ban',
    `c=IN IP${ip6 ? 6 : 4} ${address}`,
    't=0 0',
  ];
  offer.media.forEach((m, index) => {
    const p = picked.find((x) => x.index === index);
    const port = ports.find((x) => x.index === index);
    if (!p || !port) {
      out.push(`m=${m.kind} 0 ${m.proto} ${m.codecs[0]?.pt ?? (/^RTP\//.test(m.proto) ? 0 : '*')}`);
      return;
    }
    const pts = [p.codec.pt, ...(p.dtmf ? [p.dtmf.pt] : [])];
    out.push(`m=${m.kind} ${port.rtpPort} RTP/AVP ${pts.join(' ')}`);
    out.push(
      `a=rtpmap:${p.codec.pt} ${p.codec.name}/${p.codec.clockRate}${p.kind === 'audio' && p.codec.channels > 1 ? `/${p.codec.channels}` : ''}`,
    );
    const h264 = p.mimeType === 'video/H264';
    // H.264: what we take and send, in the packetization mode of the offer (RFC 6184 §8.2.2).
    const fmtp = h264
      ? `profile-level-id=42e01f;packetization-mode=${fmtpParams(p.codec.fmtp).get('packetization-mode') === '1' ? 1 : 0}`
      : p.codec.fmtp;
    if (fmtp) out.push(`a=fmtp:${p.codec.pt} ${fmtp}`);
    if (p.dtmf) {
      out.push(`a=rtpmap:${p.dtmf.pt} telephone-event/8000`);
      out.push(`a=fmtp:${p.dtmf.pt} 0-15`);
    }
    if (p.kind === 'video') {
      out.push(
        `a=rtcp-fb:${p.codec.pt} nack`,
        `a=rtcp-fb:${p.codec.pt} nack pli`,
        `a=rtcp-fb:${p.codec.pt} ccm fir`,
      );
    }
    if (m.rtcpMux) out.push('a=rtcp-mux');
    else if (port.rtcpPort !== null) out.push(`a=rtcp:${port.rtcpPort}`);
    const dir = {
      sendrecv: 'sendrecv',
      sendonly: 'recvonly',
      recvonly: 'sendonly',
      inactive: 'inactive',
    } as const;
    out.push(`a=${dir[m.direction]}`);
  });
  return `${out.join('\r\n')}\r\n`;
}
