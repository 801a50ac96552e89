import type { SelfInfo, SlidesState } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { canPresent, fitBox, pageForKey, pagePoint, pagesToPreload, visiblePointer } from './presenting';

const slides = (presenter: SlidesState['presenter']): SlidesState => ({
  presenter,
  showing: { documentId: 'd' as never, page: 2, pageCount: 5 },
  documents: [],
});
const self = (role: SelfInfo['role'], siteId: string | null = null): SelfInfo => ({
  participantId: 'p' as never,
  role,
  siteId: siteId as never,
  displayName: role,
});

describe('canPresent()', () => {
  it('lets moderators present always and a site only while it is the presenter', () => {
    const moderators = slides({ kind: 'moderator' });
    const hue = slides({ kind: 'site', siteId: 'hue' as never });
    expect(canPresent(moderators, self('chair', 'host'))).toBe(true);
    expect(canPresent(hue, self('operator'))).toBe(true);
    expect(canPresent(moderators, self('site', 'hue'))).toBe(false);
    expect(canPresent(hue, self('site', 'hue'))).toBe(true);
    expect(canPresent(hue, self('site', 'can-tho'))).toBe(false);
    expect(canPresent(hue, self('observer'))).toBe(false);
    expect(canPresent(hue, self('secretary'))).toBe(false);
  });
});

describe('pagesToPreload()', () => {
  it('preloads the next two pages within the document', () => {
    expect(pagesToPreload(1, 5)).toEqual([2, 3]);
    expect(pagesToPreload(4, 5)).toEqual([5]);
    expect(pagesToPreload(5, 5)).toEqual([]);
  });
});

describe('pageForKey()', () => {
  it('turns with arrows and page keys, jumps with Home/End, never past the ends', () => {
    expect(pageForKey('ArrowRight', 2, 5)).toBe(3);
    expect(pageForKey('PageUp', 2, 5)).toBe(1);
    expect(pageForKey('End', 2, 5)).toBe(5);
    expect(pageForKey('ArrowLeft', 1, 5)).toBeNull();
    expect(pageForKey('ArrowRight', 5, 5)).toBeNull();
    expect(pageForKey('a', 2, 5)).toBeNull();
  });
});

describe('visiblePointer()', () => {
  it('shows the pointer only on the page it was made for', () => {
    const showing = { documentId: 'd' as never, page: 2, pageCount: 5 };
    const at = { documentId: 'd' as never, page: 2, point: { x: 0.1, y: 0.2 } };
    expect(visiblePointer(at, showing)).toEqual({ x: 0.1, y: 0.2 });
    expect(visiblePointer({ ...at, page: 3 }, showing)).toBeNull();
    expect(visiblePointer({ ...at, point: null }, showing)).toBeNull();
  });
});

describe('pagePoint()', () => {
  it('maps a client position to fractions of the page box, clamped to the page', () => {
    const box = { left: 100, top: 50, width: 800, height: 450 };
    expect(pagePoint(500, 275, box)).toEqual({ x: 0.5, y: 0.5 });
    expect(pagePoint(0, 1000, box)).toEqual({ x: 0, y: 1 });
    expect(pagePoint(1, 1, { ...box, width: 0 })).toBeNull();
  });
});

describe('fitBox()', () => {
  it('fits a 16:9 page by width in a tall box and by height in a wide one, centred', () => {
    expect(fitBox(400, 400, 16 / 9)).toEqual({ left: 0, top: 88, width: 400, height: 225 });
    expect(fitBox(1000, 225, 16 / 9)).toEqual({ left: 300, top: 0, width: 400, height: 225 });
    expect(fitBox(0, 100, 1)).toBeNull();
  });
});
