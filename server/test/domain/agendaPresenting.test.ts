import type { AgendaItemId, DocumentId, SlideDocument } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { A, DN, HN, HP, liveMeeting, NOT_INVITED } from './harness.js';

/** A converted report attached to an agenda item. */
const deck = (id: string, agendaItemId: AgendaItemId | null, pages = 4): SlideDocument => ({
  id: id as DocumentId,
  name: `${id}.pdf`,
  kind: 'pdf',
  sizeBytes: 1000,
  agendaItemId,
  uploadedBy: 'Ban tổ chức',
  uploadedAt: 0,
  status: 'ready',
  pageCount: pages,
  pagesDone: pages,
  aspect: 16 / 9,
  failure: null,
  error: null,
});

describe('agenda-driven presenting', () => {
  it('opening an item brings up its deck from page 1 with its presenter site, which gets the floor for the planned time', () => {
    const { m, items } = liveMeeting();
    const report = items[1] as AgendaItemId;
    m.ok(A.organizer, { type: 'agenda:updateItem', itemId: report, patch: { presenterSiteId: HN } });
    m.ok(A.organizer, { type: 'documents:add', document: deck('bao-cao', report) });
    m.ok(A.chair, { type: 'agenda:open', itemId: report });
    expect(m.snapshot.slides.showing).toMatchObject({ documentId: 'bao-cao', page: 1 });
    expect(m.snapshot.slides.presenter).toEqual({ kind: 'site', siteId: HN });
    const floor = m.record.queue.floor;
    expect(floor).toMatchObject({ siteId: HN, agendaItemId: report, grantedBy: 'chair trung-uong (chair)' });
    expect(floor && floor.expiresAt !== null ? (floor.expiresAt - floor.grantedAt) / 60_000 : null).toBe(20);
    expect(m.snapshot.stage.programSiteId).toBe(HN);
  });

  it("the next item takes the previous item's deck off the screens and gives the pages back to the moderators", () => {
    const { m, items } = liveMeeting();
    const report = items[1] as AgendaItemId;
    m.ok(A.organizer, { type: 'agenda:updateItem', itemId: report, patch: { presenterSiteId: HP } });
    m.ok(A.organizer, { type: 'documents:add', document: deck('bao-cao', report) });
    m.ok(A.chair, { type: 'agenda:open', itemId: report });
    m.ok(A.chair, { type: 'agenda:advance' });
    expect(m.snapshot.slides.showing).toBeNull();
    expect(m.snapshot.slides.presenter).toEqual({ kind: 'moderator' });
  });

  it('an item without deck or presenter leaves a shown document that belongs to no item, and the floor, alone', () => {
    const { m, items } = liveMeeting();
    m.ok(A.organizer, { type: 'documents:add', document: deck('tai-lieu-chung', null) });
    m.ok(A.chair, { type: 'slides:show', documentId: 'tai-lieu-chung' as DocumentId });
    m.ok(A.chair, { type: 'floor:grant', siteId: DN });
    m.ok(A.chair, { type: 'agenda:open', itemId: items[0] as AgendaItemId });
    expect(m.snapshot.slides.showing?.documentId).toBe('tai-lieu-chung');
    expect(m.record.queue.floor?.siteId).toBe(DN);
  });

  it('an absent presenter site is made presenter but given no floor', () => {
    const { m, items } = liveMeeting();
    const report = items[1] as AgendaItemId;
    m.ok(A.organizer, { type: 'agenda:updateItem', itemId: report, patch: { presenterSiteId: DN } });
    m.leave(A.dn);
    m.ok(A.chair, { type: 'agenda:open', itemId: report });
    expect(m.snapshot.slides.presenter).toEqual({ kind: 'site', siteId: DN });
    expect(m.record.queue.floor).toBeNull();
  });

  it('an item presenter must be an invited site (NOT_FOUND otherwise)', () => {
    const { m, items } = liveMeeting();
    const refused = m.refused(A.organizer, {
      type: 'agenda:updateItem',
      itemId: items[1] as AgendaItemId,
      patch: { presenterSiteId: NOT_INVITED },
    });
    expect(refused.code).toBe('NOT_FOUND');
  });
});
