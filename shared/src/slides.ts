import { z } from 'zod';
import { AgendaItemId, DocumentId, Instant, SiteId } from './ids.js';

/** File formats the hub converts to pages (checked by content, not by extension). */
export const DocumentKind = z.enum(['pdf', 'pptx', 'odp', 'docx', 'odt']);
export type DocumentKind = z.infer<typeof DocumentKind>;

/** Where a document is on its way to pages: queued → converting → ready | failed. */
export const DocumentStatus = z.enum(['queued', 'converting', 'ready', 'failed']);
export type DocumentStatus = z.infer<typeof DocumentStatus>;

/**
 * Why a document was refused or could not be converted; the client words it in the user's
 * language. `type`: not a PDF/PPTX/ODP/DOCX/ODT; `size`: over the upload limit; `pages`: too
 * many pages; `bomb`: the archive expands far beyond its size; `corrupt`: unreadable;
 * `timeout`: conversion took too long; `converter`: the converter failed.
 */
export const DocumentFailure = z.enum(['type', 'size', 'pages', 'bomb', 'corrupt', 'timeout', 'converter']);
export type DocumentFailure = z.infer<typeof DocumentFailure>;

/** A report document of a meeting: uploaded once, converted to page images once. */
export const SlideDocument = z.object({
  id: DocumentId,
  /** The file name as uploaded (display only). */
  name: z.string().min(1).max(200),
  kind: DocumentKind,
  sizeBytes: z.number().int().nonnegative(),
  /** The agenda item it belongs to, if any. */
  agendaItemId: AgendaItemId.nullable(),
  uploadedBy: z.string().max(200),
  uploadedAt: Instant,
  status: DocumentStatus,
  /** Pages once known (0 before). */
  pageCount: z.number().int().nonnegative(),
  /** Pages rendered so far, for the progress bar. */
  pagesDone: z.number().int().nonnegative(),
  /** Page width / height (1.78 for a 16:9 slide), once known. */
  aspect: z.number().positive().nullable(),
  failure: DocumentFailure.nullable(),
  /** The failure in words (English, for logs and operators); the client words `failure` itself. */
  error: z.string().max(500).nullable(),
});
export type SlideDocument = z.infer<typeof SlideDocument>;

/** Who turns the pages: the moderators (chair, operator), or one site made presenter. */
export const SlidesPresenter = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('moderator') }),
  z.object({ kind: z.literal('site'), siteId: SiteId }),
]);
export type SlidesPresenter = z.infer<typeof SlidesPresenter>;

/** The document on every screen and its page (1-based). */
export const SlideShow = z.object({
  documentId: DocumentId,
  page: z.number().int().min(1),
  pageCount: z.number().int().min(1),
});
export type SlideShow = z.infer<typeof SlideShow>;

/**
 * Presentation state, part of the snapshot so late joiners and reconnecting clients land on the
 * current page. The pointer is not here: it is volatile (`slides:pointer` events).
 */
export const SlidesState = z.object({
  presenter: SlidesPresenter,
  showing: SlideShow.nullable(),
  documents: z.array(SlideDocument),
});
export type SlidesState = z.infer<typeof SlidesState>;

/** A pointer position as a fraction of the page (0..1 from the top-left corner). */
export const SlidePoint = z.object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) }).strict();
export type SlidePoint = z.infer<typeof SlidePoint>;

/** Server → client: where the presenter points on the shown page; null hides the pointer. */
export interface SlidePointer {
  documentId: DocumentId;
  page: number;
  point: SlidePoint | null;
}

/** HTTP paths of a document's page images (1-based); add `?token=` (join or organizer token). */
export const slidePaths = {
  page: (documentId: string, page: number) =>
    `/api/documents/${encodeURIComponent(documentId)}/pages/${page}.png`,
  thumb: (documentId: string, page: number) =>
    `/api/documents/${encodeURIComponent(documentId)}/thumbs/${page}.png`,
  upload: (meetingId: string) => `/api/meetings/${encodeURIComponent(meetingId)}/documents`,
};

/** Body of an HTTP document refusal: the usual error plus the reason the client words. */
export interface DocumentErrorBody {
  error: { code: string; message: string; reason?: DocumentFailure };
}
