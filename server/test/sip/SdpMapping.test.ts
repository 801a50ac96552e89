import { describe, expect, it } from 'vitest';
import { buildSdpAnswer, parseSdpOffer, pickMedia, SdpError } from '../../src/sip/SdpMapping.js';

/** baresip 1.0's offer (docs: shared/reference/sip-baresip.md), without rtcp-mux, plus a BFCP line. */
const BARESIP_OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 20000 RTP/AVP 9 8 0 96 101',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:96 opus/48000/2',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ssrc:1234 cname:x',
  'm=video 20002 RTP/AVP 96 97 34',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=0;profile-level-id=42e01f',
  'a=rtpmap:97 H264/90000',
  'a=fmtp:97 packetization-mode=1;profile-level-id=42e01f',
  'a=rtcp-fb:* nack pli',
  'm=application 20004 UDP/BFCP *',
  '',
].join('\r\n');

describe('SdpMapping', () => {
  it('pickMedia() takes G.722 with telephone-event and H.264 packetization-mode 1 from a baresip offer', () => {
    const offer = parseSdpOffer(BARESIP_OFFER);
    const picked = pickMedia(offer);
    expect(picked.map((p) => [p.kind, p.codec.name, p.codec.pt, p.dtmf?.pt ?? null])).toEqual([
      ['audio', 'G722', 9, 101],
      ['video', 'H264', 97, null],
    ]);
    expect(picked[1]?.parameters).toMatchObject({ 'packetization-mode': 1, 'profile-level-id': '42e01f' });
    expect(offer.media[0]?.ssrc).toBe(1234);
  });

  it('prefers VP8 when offered, and answers our ports, a=rtcp without rtcp-mux and port 0 for BFCP', () => {
    const offer = parseSdpOffer(
      BARESIP_OFFER.replace(
        'm=video 20002 RTP/AVP 96 97 34',
        'm=video 20002 RTP/AVP 96 97 34 100\r\na=rtpmap:100 VP8/90000',
      ),
    );
    const picked = pickMedia(offer);
    expect(picked[1]?.mimeType).toBe('video/VP8');
    const answer = buildSdpAnswer(
      offer,
      picked,
      [
        { index: 0, rtpPort: 41000, rtcpPort: 41001 },
        { index: 1, rtpPort: 41002, rtcpPort: 41003 },
      ],
      '10.0.0.5',
      '1',
      1,
    );
    expect(answer).toContain('m=audio 41000 RTP/AVP 9 101\r\n');
    expect(answer).toContain('a=rtcp:41001');
    expect(answer).toContain('m=video 41002 RTP/AVP 100\r\n');
    expect(answer).toContain('a=rtcp-fb:100 nack pli');
    expect(answer).toContain('m=application 0 UDP/BFCP');
    expect(answer).toContain('c=IN IP4 10.0.0.5');
  });

  it("in an H.264 meeting takes H.264 packetization-mode 1 over VP8 and answers the hub's fmtp", () => {
    const offer = parseSdpOffer(
      BARESIP_OFFER.replace(
        'm=video 20002 RTP/AVP 96 97 34',
        'm=video 20002 RTP/AVP 100 96 97 34\r\na=rtpmap:100 VP8/90000',
      ).replace(
        'a=fmtp:97 packetization-mode=1;profile-level-id=42e01f',
        'a=fmtp:97 profile-level-id=428014;packetization-mode=1',
      ),
    );
    const vp8Meeting = pickMedia(offer, 'vp8')[1];
    expect([vp8Meeting?.mimeType, vp8Meeting?.programCodec]).toEqual(['video/VP8', true]);
    const picked = pickMedia(offer, 'h264');
    expect([picked[1]?.mimeType, picked[1]?.codec.pt, picked[1]?.programCodec]).toEqual([
      'video/H264',
      97,
      true,
    ]);
    const answer = buildSdpAnswer(
      offer,
      picked,
      [
        { index: 0, rtpPort: 41000, rtcpPort: 41001 },
        { index: 1, rtpPort: 41002, rtcpPort: 41003 },
      ],
      '10.0.0.5',
      '1',
      1,
    );
    expect(answer).toContain('m=video 41002 RTP/AVP 97\r\n');
    expect(answer).toContain('a=fmtp:97 profile-level-id=42e01f;packetization-mode=1\r\n');
  });

  it('sends no program where it would need transcoding: H.264 in a VP8 meeting, packetization-mode 0 only', () => {
    const h264Only = parseSdpOffer(BARESIP_OFFER);
    expect(pickMedia(h264Only, 'vp8')[1]?.programCodec).toBe(false);
    expect(pickMedia(h264Only, 'h264')[1]?.programCodec).toBe(true);
    const mode0 = parseSdpOffer(
      BARESIP_OFFER.replace('m=video 20002 RTP/AVP 96 97 34', 'm=video 20002 RTP/AVP 96 34'),
    );
    const picked = pickMedia(mode0, 'h264');
    expect([picked[1]?.codec.pt, picked[1]?.programCodec]).toEqual([96, false]);
    const answer = buildSdpAnswer(
      mode0,
      picked,
      [{ index: 1, rtpPort: 41002, rtcpPort: null }],
      '10.0.0.5',
      '1',
      1,
    );
    expect(answer).toContain('a=fmtp:96 profile-level-id=42e01f;packetization-mode=0\r\n');
  });

  it('refuses an offer with nothing we can take without transcoding, and malformed SDP', () => {
    expect(() =>
      pickMedia(
        parseSdpOffer('v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n'),
      ),
    ).toThrow(SdpError);
    expect(() => parseSdpOffer('hello')).toThrow(SdpError);
    expect(() => parseSdpOffer('v=0\r\nm=audio 99999 RTP/AVP 0\r\n')).toThrow(SdpError);
    expect(() => parseSdpOffer('v=0\r\nm=audio 4000 RTP/AVP 0\r\n')).toThrow(SdpError);
  });
});
