import type {
  AgendaItem,
  AgendaItemId,
  DocumentFailure,
  DocumentId,
  DocumentStatus,
  SiteId,
  SlideDocument,
  SlidesPresenter,
  SlidesState,
} from '@giaoban/shared';
import type { Actor } from './Actor.js';
import { type Outcome, refuse, succeed } from './DomainError.js';
import { authorize } from './Permissions.js';

/** Nothing uploaded, nothing shown, the moderators present. */
export const emptySlides = (): SlidesState => ({
  presenter: { kind: 'moderator' },
  showing: null,
  documents: [],
});

/** The document with this id, or NOT_FOUND. */
export function getDocument(slides: SlidesState, documentId: DocumentId): Outcome<SlideDocument> {
  const doc = slides.documents.find((d) => d.id === documentId);
  return doc ? succeed(doc) : refuse('NOT_FOUND', `document ${documentId} does not exist`);
}

/** The site presenting, or null while the moderators present. */
export const presenterSiteId = (slides: SlidesState): SiteId | null =>
  slides.presenter.kind === 'site' ? slides.presenter.siteId : null;

/**
 * Whether `actor` may turn pages, point and share a screen now: the chair and the operator
 * always (they can take over from a stuck site), a site only while it is the presenter.
 */
export function mayPresent(slides: SlidesState, actor: Actor): Outcome<void> {
  return authorize(actor, 'presentSlides', { siteId: presenterSiteId(slides) });
}

/** Whether `actor` may upload a document: organizers and moderators always, a site while presenter. */
export function mayUpload(slides: SlidesState, actor: Actor): Outcome<void> {
  return authorize(actor, 'uploadDocument', { siteId: presenterSiteId(slides) });
}

/** Adds an uploaded document (queued, or ready when its pages were converted before). */
export function addDocument(slides: SlidesState, doc: SlideDocument): Outcome<SlidesState> {
  if (slides.documents.some((d) => d.id === doc.id)) return refuse('CONFLICT', `document ${doc.id} exists`);
  return succeed({ ...slides, documents: [...slides.documents, doc] });
}

/** A conversion's progress as the converter reports it. */
export interface DocumentProgress {
  status: DocumentStatus;
  pagesDone: number;
  pageCount: number;
  aspect: number | null;
  failure: DocumentFailure | null;
  error: string | null;
}

/** Records conversion progress; a finished document (ready or failed) no longer changes. */
export function reportProgress(
  slides: SlidesState,
  documentId: DocumentId,
  progress: DocumentProgress,
): Outcome<SlidesState> {
  const doc = getDocument(slides, documentId);
  if (!doc.ok) return doc;
  if (doc.value.status === 'ready' || doc.value.status === 'failed') return succeed(slides);
  const next: SlideDocument = { ...doc.value, ...progress };
  return succeed({ ...slides, documents: slides.documents.map((d) => (d.id === documentId ? next : d)) });
}

/** Removes a document; if it is on screen, nothing is shown any more. */
export function removeDocument(slides: SlidesState, documentId: DocumentId): Outcome<SlidesState> {
  const doc = getDocument(slides, documentId);
  if (!doc.ok) return doc;
  return succeed({
    ...slides,
    showing: slides.showing?.documentId === documentId ? null : slides.showing,
    documents: slides.documents.filter((d) => d.id !== documentId),
  });
}

/** Detaches documents from an agenda item that was removed (they stay in the meeting). */
export function detachFromItem(slides: SlidesState, itemId: AgendaItemId): SlidesState {
  if (!slides.documents.some((d) => d.agendaItemId === itemId)) return slides;
  return {
    ...slides,
    documents: slides.documents.map((d) => (d.agendaItemId === itemId ? { ...d, agendaItemId: null } : d)),
  };
}

/** Puts a converted document on every screen at page 1; showing the one already shown changes nothing. */
export function show(slides: SlidesState, documentId: DocumentId): Outcome<SlidesState> {
  const doc = getDocument(slides, documentId);
  if (!doc.ok) return doc;
  if (doc.value.status !== 'ready' || doc.value.pageCount < 1) {
    return refuse('INVALID_STATE', `document ${documentId} is ${doc.value.status}, not ready to show`);
  }
  if (slides.showing?.documentId === documentId) return succeed(slides);
  return succeed({ ...slides, showing: { documentId, page: 1, pageCount: doc.value.pageCount } });
}

/** Turns to `page` (1-based) of the shown document. */
export function turnPage(slides: SlidesState, page: number): Outcome<SlidesState> {
  const showing = slides.showing;
  if (!showing) return refuse('INVALID_STATE', 'no document is being shown');
  if (!Number.isInteger(page) || page < 1 || page > showing.pageCount) {
    return refuse('VALIDATION', `page must be between 1 and ${showing.pageCount}`);
  }
  return succeed(page === showing.page ? slides : { ...slides, showing: { ...showing, page } });
}

/** Takes the document off every screen. */
export const stop = (slides: SlidesState): SlidesState =>
  slides.showing === null ? slides : { ...slides, showing: null };

/** Hands the pages to a site, or back to the moderators (`null`). */
export function setPresenter(slides: SlidesState, siteId: SiteId | null): SlidesState {
  const presenter: SlidesPresenter = siteId === null ? { kind: 'moderator' } : { kind: 'site', siteId };
  return presenterSiteId(slides) === siteId ? slides : { ...slides, presenter };
}

/**
 * Moving to an agenda item brings up what it needs: its deck (its first converted document, from
 * page 1) presented by its presenter site (the moderators when it has none). A deck that belongs
 * to another item leaves the screens; one attached to no item stays.
 */
export function bringUpItem(slides: SlidesState, item: AgendaItem): SlidesState {
  const deck = slides.documents.find(
    (d) => d.agendaItemId === item.id && d.status === 'ready' && d.pageCount > 0,
  );
  let next = slides;
  if (deck) {
    const shown = show(next, deck.id);
    if (shown.ok) next = shown.value;
  } else if (next.showing) {
    const showingId = next.showing.documentId;
    const owner = next.documents.find((d) => d.id === showingId)?.agendaItemId ?? null;
    if (owner !== null && owner !== item.id) next = stop(next);
  }
  return setPresenter(next, item.presenterSiteId);
}

/** A site that leaves the meeting's invitation list stops presenting. */
export function dropSites(slides: SlidesState, siteIds: readonly SiteId[]): SlidesState {
  const site = presenterSiteId(slides);
  return site !== null && siteIds.includes(site) ? setPresenter(slides, null) : slides;
}
