import { z } from 'zod';
import { DocumentId, FloorRequestId, Instant } from './ids.js';

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

/**
 * What a linked child meeting reports up to its parent, every level below it rolled up: the sites
 * below the province (its communes, and theirs), how many are connected, the delegates declared in
 * all of them (the province's own room included), and whether the child chair holds a local
 * segment ("phiên riêng") instead of relaying.
 */
export const LinkedTotals = z
  .object({
    invitedSites: z.number().int().min(0).max(1_000_000),
    connectedSites: z.number().int().min(0).max(1_000_000),
    delegates: z.number().int().min(0).max(100_000_000),
    localSession: z.boolean(),
  })
  .strict();
export type LinkedTotals = z.infer<typeof LinkedTotals>;

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
  /** The child hub reports its meeting's totals up (`relay:totals`, relay links only). */
  totals: LinkedTotals,
  /**
   * The child chair asks the parent's floor for the province (`relay:requestFloor`), with a topic
   * of its own or the topic of one of its sites' requests (`requestId` in the child's queue).
   */
  requestFloor: z
    .object({
      topic: z.string().trim().max(300).optional(),
      requestId: FloorRequestId.optional(),
    })
    .strict(),
} as const;

/** Reply to `relay:pipe`. */
export interface RelayPipeAnswer {
  endpoint: RelayEndpoint;
  down: RelayStream[];
}

/**
 * The link to the parent as the child meeting's sites see it: relaying (`connected`), down and
 * coming back by itself (`reconnecting`), or cut for good (`lost`: revoked, expired, parent ended).
 */
export const ParentLinkState = z.enum(['connected', 'reconnecting', 'lost']);
export type ParentLinkState = z.infer<typeof ParentLinkState>;

/**
 * The parent meeting as a linked child meeting shows it ("Cầu trung ương: …"): its title, current
 * agenda item, floor holder and the page it shows. The page image is served by the child's own hub
 * (`parentPagePath`), which fetches it once from the parent over the relay link, so the child's
 * sites never reach the parent hub.
 */
export const ParentView = z.object({
  meetingTitle: z.string().max(300),
  agendaItem: z
    .object({ title: z.string().max(300), position: z.number().int().min(1), count: z.number().int().min(1) })
    .nullable(),
  floor: z.object({ siteName: z.string().max(300), topic: z.string().max(300), since: Instant }).nullable(),
  slide: z
    .object({
      documentId: DocumentId,
      documentName: z.string().max(200),
      page: z.number().int().min(1),
      pageCount: z.number().int().min(1),
    })
    .nullable(),
  link: ParentLinkState,
  /** The province's own place at the parent: its pending floor request, and whether it is on stage. */
  province: z.object({
    requestTopic: z.string().max(300).nullable(),
    onStage: z.boolean(),
  }),
  /** The child chair left relay mode for a local segment: the sites see the local program. */
  localSegment: z.boolean(),
});
export type ParentView = z.infer<typeof ParentView>;

/** Body of `PUT /api/meetings/:id/parent`: the parent hub's URL and the relay link's token. */
export const AttachParentBody = z
  .object({
    url: z.string().trim().min(1).max(2000),
    token: z.string().min(10).max(4096),
  })
  .strict();
export type AttachParentBody = z.infer<typeof AttachParentBody>;

/** A child meeting's link as its organizer sees it (`/api/meetings/:id/parent`; the token is never shown back). */
export const ParentLinkInfo = z.object({
  url: z.string(),
  state: z.enum(['connecting', 'relaying', 'lost', 'revoked', 'closed']),
  /** The bridge point this meeting stands for at the parent, once the parent has said so. */
  site: z.string().nullable().default(null),
});
export type ParentLinkInfo = z.infer<typeof ParentLinkInfo>;

/** HTTP path (on the child's hub) of a page the parent shows; add `?token=` (a join token of the child). */
export const parentPagePath = (meetingId: string, documentId: string, page: number): string =>
  `/api/meetings/${encodeURIComponent(meetingId)}/parent/pages/${encodeURIComponent(documentId)}/${page}.png`;
