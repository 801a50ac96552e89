import type { DocumentId, SlideDocument } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/Actor.js';
import { A, DN, HN, liveMeeting, NOT_INVITED, TestMeeting } from './harness.js';

/** A document as the hub records it on upload: queued, or ready with its pages. */
function doc(id: string, patch: Partial<SlideDocument> = {}): SlideDocument {
  return {
    id: id as DocumentId,
    name: `${id}.pptx`,
    kind: 'pptx',
    sizeBytes: 2048,
    agendaItemId: null,
    uploadedBy: 'org',
    uploadedAt: 0,
    status: 'ready',
    pageCount: 5,
    pagesDone: 5,
    aspect: 16 / 9,
    failure: null,
    error: null,
    ...patch,
  };
}

const id = (s: string) => s as DocumentId;

/** A live meeting with one converted five-page report on screen. */
function presenting() {
  const { m, items } = liveMeeting();
  m.ok(A.organizer, { type: 'documents:add', document: doc('bao-cao') });
  m.ok(A.chair, { type: 'slides:show', documentId: id('bao-cao') });
  return { m, items };
}

describe('Slides — documents', () => {
  it('documents:add records a queued document every client sees in the snapshot', () => {
    const m = new TestMeeting();
    m.ok(A.organizer, {
      type: 'documents:add',
      document: doc('d1', { status: 'queued', pageCount: 0, pagesDone: 0 }),
    });
    expect(m.snapshot.slides.documents.map((d) => [d.id, d.status])).toEqual([['d1', 'queued']]);
  });

  it('documents:add rejects with NOT_FOUND for an unknown agenda item and CONFLICT for a duplicate id', () => {
    const { m, items } = liveMeeting();
    expect(
      m.refused(A.organizer, {
        type: 'documents:add',
        document: doc('d1', { agendaItemId: 'nope' as never }),
      }).code,
    ).toBe('NOT_FOUND');
    m.ok(A.organizer, { type: 'documents:add', document: doc('d1', { agendaItemId: items[1] ?? null }) });
    expect(m.refused(A.organizer, { type: 'documents:add', document: doc('d1') }).code).toBe('CONFLICT');
  });

  it('documents:progress moves a document to converting, then ready; a finished document no longer changes', () => {
    const m = new TestMeeting();
    m.ok(A.organizer, {
      type: 'documents:add',
      document: doc('d1', { status: 'queued', pageCount: 0, pagesDone: 0 }),
    });
    const progress = {
      status: 'converting' as const,
      pagesDone: 2,
      pageCount: 5,
      aspect: 1.78,
      failure: null,
      error: null,
    };
    m.ok(SYSTEM, { type: 'documents:progress', documentId: id('d1'), progress });
    expect(m.snapshot.slides.documents[0]).toMatchObject({ status: 'converting', pagesDone: 2 });
    m.ok(SYSTEM, {
      type: 'documents:progress',
      documentId: id('d1'),
      progress: { ...progress, status: 'ready', pagesDone: 5 },
    });
    const version = m.record.version;
    m.ok(SYSTEM, {
      type: 'documents:progress',
      documentId: id('d1'),
      progress: { ...progress, status: 'failed' },
    });
    expect(m.record.version).toBe(version);
    expect(m.snapshot.slides.documents[0]?.status).toBe('ready');
  });

  it('documents:progress rejects with FORBIDDEN for any person', () => {
    const m = new TestMeeting();
    m.ok(A.organizer, { type: 'documents:add', document: doc('d1', { status: 'queued' }) });
    const progress = {
      status: 'ready' as const,
      pagesDone: 1,
      pageCount: 1,
      aspect: 1,
      failure: null,
      error: null,
    };
    for (const a of [A.organizer, A.chair, A.hn]) {
      expect(m.refused(a, { type: 'documents:progress', documentId: id('d1'), progress }).code).toBe(
        'FORBIDDEN',
      );
    }
  });

  it('documents:remove takes a shown document off every screen', () => {
    const { m } = presenting();
    m.ok(A.organizer, { type: 'documents:remove', documentId: id('bao-cao') });
    expect(m.snapshot.slides).toMatchObject({ showing: null, documents: [] });
  });

  it('removing an agenda item keeps its documents, detached', () => {
    const m = new TestMeeting();
    const item = m.ok<{ id: string }>(A.organizer, {
      type: 'agenda:addItem',
      item: { title: 'Báo cáo', kind: 'report', presenter: '', plannedMinutes: 10 },
    }).id;
    m.ok(A.organizer, { type: 'documents:add', document: doc('d1', { agendaItemId: item as never }) });
    m.ok(A.organizer, { type: 'agenda:removeItem', itemId: item as never, workspaceContent: false });
    expect(m.snapshot.slides.documents[0]?.agendaItemId).toBeNull();
  });
});

describe('Slides — presenting', () => {
  it('slides:show puts a ready document at page 1 for everyone', () => {
    const { m } = presenting();
    expect(m.snapshot.slides.showing).toEqual({ documentId: 'bao-cao', page: 1, pageCount: 5 });
  });

  it('slides:show rejects with INVALID_STATE for a document still converting or failed', () => {
    const { m } = liveMeeting();
    m.ok(A.organizer, { type: 'documents:add', document: doc('q', { status: 'converting' }) });
    m.ok(A.organizer, {
      type: 'documents:add',
      document: doc('f', { status: 'failed', failure: 'corrupt' }),
    });
    expect(m.refused(A.chair, { type: 'slides:show', documentId: id('q') }).code).toBe('INVALID_STATE');
    expect(m.refused(A.chair, { type: 'slides:show', documentId: id('f') }).code).toBe('INVALID_STATE');
    expect(m.refused(A.chair, { type: 'slides:show', documentId: id('none') }).code).toBe('NOT_FOUND');
  });

  it('slides:show rejects with INVALID_STATE before tech check', () => {
    const m = new TestMeeting();
    m.ok(A.organizer, { type: 'documents:add', document: doc('d1') });
    expect(m.refused(A.chair, { type: 'slides:show', documentId: id('d1') }).code).toBe('INVALID_STATE');
  });

  it('slides:page turns for everyone and rejects with VALIDATION outside 1..pageCount', () => {
    const { m } = presenting();
    m.ok(A.operator, { type: 'slides:page', page: 4 });
    expect(m.snapshot.slides.showing?.page).toBe(4);
    expect(m.refused(A.chair, { type: 'slides:page', page: 6 }).code).toBe('VALIDATION');
    expect(m.refused(A.chair, { type: 'slides:page', page: 0 }).code).toBe('VALIDATION');
  });

  it('slides:page to the current page changes nothing (no version bump)', () => {
    const { m } = presenting();
    const version = m.record.version;
    m.ok(A.chair, { type: 'slides:page', page: 1 });
    expect(m.record.version).toBe(version);
  });

  it('slides:page rejects with INVALID_STATE when nothing is shown', () => {
    const { m } = liveMeeting();
    expect(m.refused(A.chair, { type: 'slides:page', page: 1 }).code).toBe('INVALID_STATE');
  });

  it('slides:page rejects with FORBIDDEN for a site that is not the presenter', () => {
    const { m } = presenting();
    expect(m.refused(A.hn, { type: 'slides:page', page: 2 }).code).toBe('FORBIDDEN');
    m.ok(A.chair, { type: 'slides:presenter', siteId: HN });
    expect(m.refused(A.dn, { type: 'slides:page', page: 2 }).code).toBe('FORBIDDEN');
    expect(m.refused(A.observer, { type: 'slides:page', page: 2 }).code).toBe('FORBIDDEN');
  });

  it('the site made presenter turns pages, shows and stops; moderators keep control; rights come back', () => {
    const { m } = presenting();
    m.ok(A.operator, { type: 'slides:presenter', siteId: HN });
    expect(m.snapshot.slides.presenter).toEqual({ kind: 'site', siteId: HN });
    m.ok(A.hn, { type: 'slides:page', page: 3 });
    m.ok(A.chair, { type: 'slides:page', page: 2 });
    m.ok(A.hn, { type: 'slides:stop' });
    m.ok(A.hn, { type: 'slides:show', documentId: id('bao-cao') });
    m.ok(A.chair, { type: 'slides:presenter', siteId: null });
    expect(m.snapshot.slides.presenter).toEqual({ kind: 'moderator' });
    expect(m.refused(A.hn, { type: 'slides:page', page: 2 }).code).toBe('FORBIDDEN');
  });

  it('slides:presenter rejects with NOT_FOUND for a site not invited, FORBIDDEN for a site', () => {
    const { m } = presenting();
    expect(m.refused(A.chair, { type: 'slides:presenter', siteId: NOT_INVITED }).code).toBe('NOT_FOUND');
    expect(m.refused(A.hn, { type: 'slides:presenter', siteId: HN }).code).toBe('FORBIDDEN');
  });

  it('a presenting site that is uninvited hands the pages back to the moderators', () => {
    const { m } = presenting();
    m.ok(A.chair, { type: 'slides:presenter', siteId: DN });
    m.leave(A.dn);
    m.ok(A.organizer, { type: 'sites:uninvite', siteIds: [DN] });
    expect(m.snapshot.slides.presenter).toEqual({ kind: 'moderator' });
  });

  it('documents:add by a site is allowed only while it is the presenter', () => {
    const { m } = presenting();
    expect(m.refused(A.hn, { type: 'documents:add', document: doc('hn') }).code).toBe('FORBIDDEN');
    m.ok(A.chair, { type: 'slides:presenter', siteId: HN });
    m.ok(A.hn, { type: 'documents:add', document: doc('hn') });
    expect(m.refused(A.dn, { type: 'documents:add', document: doc('dn') }).code).toBe('FORBIDDEN');
  });
});
