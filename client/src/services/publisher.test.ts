import type { types } from 'mediasoup-client';
import { describe, expect, it } from 'vitest';
import { cameraCodec } from './publisher';

/** sendRtpCapabilities as mediasoup-client derives them from the hub's router (VP8 + H.264 pm 0/1). */
const device = {
  sendRtpCapabilities: {
    codecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 },
      { kind: 'video', mimeType: 'video/rtx', clockRate: 90000, preferredPayloadType: 102 },
      {
        kind: 'video',
        mimeType: 'video/H264',
        clockRate: 90000,
        preferredPayloadType: 103,
        parameters: { 'packetization-mode': 0, 'profile-level-id': '42e01f' },
      },
      {
        kind: 'video',
        mimeType: 'video/H264',
        clockRate: 90000,
        preferredPayloadType: 105,
        parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
      },
    ],
  } as types.RtpCapabilities,
};

describe('cameraCodec', () => {
  it('publishes VP8 unless the meeting is set to H.264', () => {
    expect(cameraCodec(device, undefined)?.mimeType).toBe('video/VP8');
    expect(cameraCodec(device, 'vp8')?.mimeType).toBe('video/VP8');
  });

  it('publishes H.264 packetization-mode 1 in an H.264 meeting', () => {
    const codec = cameraCodec(device, 'h264');
    expect(codec?.mimeType).toBe('video/H264');
    expect(codec?.preferredPayloadType).toBe(105);
  });

  it('lets mediasoup-client choose when the hub offers no such codec', () => {
    expect(cameraCodec({ sendRtpCapabilities: { codecs: [] } }, 'h264')).toBeUndefined();
  });
});
