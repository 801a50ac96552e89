import type { MeetingSnapshot, SelfInfo, SlideDocument, SlidePointer, SlidesState } from '@giaoban/shared';

/**
 * Whether this device may turn pages, point and share a screen: the chair and the operator
 * always, a site while it is the presenter. The server checks again; this only shapes the UI.
 */
export function canPresent(slides: SlidesState | undefined, self: SelfInfo | null): boolean {
  if (!slides || !self) return false;
  if (self.role === 'chair' || self.role === 'operator') return true;
  return (
    self.role === 'site' &&
    slides.presenter.kind === 'site' &&
    self.siteId !== null &&
    slides.presenter.siteId === self.siteId
  );
}

/** The shown document, if any. */
export function shownDocument(snapshot: MeetingSnapshot | null): SlideDocument | null {
  const showing = snapshot?.slides?.showing;
  if (!showing) return null;
  return snapshot.slides.documents.find((d) => d.id === showing.documentId) ?? null;
}

/** Pages worth fetching ahead of the current one: the next `ahead`, within the document. */
export function pagesToPreload(page: number, pageCount: number, ahead = 2): number[] {
  const out: number[] = [];
  for (let p = page + 1; p <= Math.min(pageCount, page + ahead); p++) out.push(p);
  return out;
}

/** The page a keyboard key turns to, or null when the key does not turn pages. */
export function pageForKey(key: string, page: number, pageCount: number): number | null {
  let next: number;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
    case 'PageDown':
      next = page + 1;
      break;
    case 'ArrowLeft':
    case 'ArrowUp':
    case 'PageUp':
      next = page - 1;
      break;
    case 'Home':
      next = 1;
      break;
    case 'End':
      next = pageCount;
      break;
    default:
      return null;
  }
  return next >= 1 && next <= pageCount && next !== page ? next : null;
}

/** The pointer to draw: only the one on the page shown now (an older one belongs to another page). */
export function visiblePointer(
  pointer: SlidePointer | null,
  showing: SlidesState['showing'],
): { x: number; y: number } | null {
  if (!pointer?.point || !showing) return null;
  return pointer.documentId === showing.documentId && pointer.page === showing.page ? pointer.point : null;
}

/** A position on the page as fractions 0..1 of the page box, clamped. */
export function pagePoint(
  clientX: number,
  clientY: number,
  box: { left: number; top: number; width: number; height: number },
): { x: number; y: number } | null {
  if (box.width <= 0 || box.height <= 0) return null;
  const clamp = (v: number) => Math.min(1, Math.max(0, Math.round(v * 1000) / 1000));
  return { x: clamp((clientX - box.left) / box.width), y: clamp((clientY - box.top) / box.height) };
}

/** A rectangle in pixels, relative to its container. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The largest box of ratio `aspect` (width ÷ height) that fits `width` × `height`, centred. */
export function fitBox(width: number, height: number, aspect: number): Box | null {
  if (width <= 0 || height <= 0 || !(aspect > 0)) return null;
  const w = Math.min(width, height * aspect);
  const h = w / aspect;
  return {
    left: Math.round((width - w) / 2),
    top: Math.round((height - h) / 2),
    width: Math.round(w),
    height: Math.round(h),
  };
}
