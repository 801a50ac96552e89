import type { types as ms } from 'mediasoup';

/**
 * Codecs every meeting router offers. Opus for audio (G.722, G.711 for SIP room systems); VP8 (what browsers simulcast best) and
 * H264 constrained baseline, packetization-mode 1, profile 42e01f — what provincial room systems
 * and hardware encoders speak, and what Safari prefers.
 */
export const MEETING_CODECS: ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  // Room systems over SIP (server/src/sip/): their G.722 / G.711 goes into the router as it is;
  // browsers decode all three.
  { kind: 'audio', mimeType: 'audio/G722', clockRate: 8000 },
  { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
  { kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 1000 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
      'x-google-start-bitrate': 1000,
    },
  },
];
