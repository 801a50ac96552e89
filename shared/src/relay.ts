import { z } from 'zod';

/**
 * Linked meetings (docs/LINKED-MEETINGS.md): a child hub joins a parent meeting with a relay link
 * and the two hubs exchange media over mediasoup PipeTransports with SRTP. These are the
 * hub-to-hub payloads carried on the parent's public socket.
 */

/** SRTP parameters of one PipeTransport end (mediasoup's `SrtpParameters`). */
export const RelaySrtp = z.object({
  cryptoSuite: z.enum([
    'AEAD_AES_256_GCM',
    'AEAD_AES_128_GCM',
    'AES_CM_128_HMAC_SHA1_80',
    'AES_CM_128_HMAC_SHA1_32',
  ]),
  keyBase64: z.string().min(16).max(200),
});
export type RelaySrtp = z.infer<typeof RelaySrtp>;

/** Where one hub's PipeTransport listens, and its SRTP key. */
export const RelayEndpoint = z.object({
  ip: z.string().min(1).max(100),
  port: z.number().int().min(1).max(65535),
  srtpParameters: RelaySrtp,
});
export type RelayEndpoint = z.infer<typeof RelayEndpoint>;

/** A stream one hub sends the other on the pipe: its kind and the RTP parameters to produce it with. */
export const RelayStream = z.object({
  kind: z.enum(['audio', 'video']),
  /** `program` (the parent's main stage, or the child's program sent up), `mic` (program audio). */
  source: z.enum(['program', 'mic']),
  producerId: z.string().min(1).max(100),
  rtpParameters: z.record(z.string(), z.unknown()),
});
export type RelayStream = z.infer<typeof RelayStream>;

export const RelaySchemas = {
  /**
   * The child hub offers its PipeTransport end and the child's program (to be produced at the
   * parent as the relay site's camera); the parent answers with its end and the streams it sends.
   */
  pipe: z
    .object({
      endpoint: RelayEndpoint,
      up: z.array(RelayStream).max(4),
    })
    .strict(),
} as const;

/** Reply to `relay:pipe`. */
export interface RelayPipeAnswer {
  endpoint: RelayEndpoint;
  down: RelayStream[];
}
