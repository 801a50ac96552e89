import type { DocumentId, ParentView, SlideDocument } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/Actor.js';
import { auditEntryOf } from '../../src/domain/AuditLog.js';
import { parentViewOf, rolledUpTotals } from '../../src/domain/ParentLink.js';
import { A, DN, HN, HOST, HP, liveMeeting } from './harness.js';

const view = (patch: Partial<ParentView> = {}): ParentView => ({
  meetingTitle: 'Giao ban toàn quốc',
  agendaItem: null,
  floor: null,
  slide: null,
  link: 'connected',
  province: { requestTopic: null, onStage: false },
  localSegment: false,
  ...patch,
});

const doc = (id: string): SlideDocument => ({
  id: id as DocumentId,
  name: 'Báo cáo 6 tháng.pdf',
  kind: 'pdf',
  sizeBytes: 1000,
  agendaItemId: null,
  uploadedBy: 'org',
  uploadedAt: 0,
  status: 'ready',
  pageCount: 12,
  pagesDone: 12,
  aspect: 16 / 9,
  failure: null,
  error: null,
});

describe('ParentLink — the parent as the child shows it', () => {
  it('parentViewOf() names the current item, the floor holder with its topic and the page shown', () => {
    const { m } = liveMeeting();
    m.ok(A.chair, { type: 'agenda:advance' });
    m.ok(A.chair, { type: 'agenda:advance' });
    m.ok(A.organizer, { type: 'documents:add', document: doc('d1') });
    m.ok(A.chair, { type: 'slides:show', documentId: 'd1' as DocumentId });
    m.ok(A.chair, { type: 'slides:page', page: 4 });
    m.ok(A.hp, { type: 'queue:request', topic: 'Vốn đầu tư công' });
    m.ok(A.operator, { type: 'floor:grant', siteId: DN, seconds: 120 });
    const v = parentViewOf(m.snapshot, HP, 'connected', false);
    expect(v.meetingTitle).toBe(m.record.meeting.title);
    expect(v.agendaItem).toEqual({ title: 'Báo cáo kết quả 6 tháng', position: 2, count: 3 });
    expect(v.floor?.siteName).toBe(m.site(DN).name);
    expect(v.slide).toEqual({
      documentId: 'd1',
      documentName: 'Báo cáo 6 tháng.pdf',
      page: 4,
      pageCount: 12,
    });
    // The province (the relay site, here Hải Phòng) sees its own pending request and that it is not on stage.
    expect(v.province).toEqual({ requestTopic: 'Vốn đầu tư công', onStage: false });
    expect(parentViewOf(m.snapshot, DN, 'connected', false).province.onStage).toBe(true);
  });

  it('parent:view is hub-only, reaches the snapshot, and keeps the chair’s local segment', () => {
    const { m } = liveMeeting();
    expect(m.refused(A.chair, { type: 'parent:view', view: view() }).code).toBe('FORBIDDEN');
    m.ok(SYSTEM, { type: 'parent:view', view: view() });
    expect(m.snapshot.parent?.meetingTitle).toBe('Giao ban toàn quốc');
    m.ok(A.chair, { type: 'relay:localSegment', local: true });
    m.ok(SYSTEM, { type: 'parent:view', view: view({ link: 'reconnecting' }) });
    expect(m.snapshot.parent).toMatchObject({ link: 'reconnecting', localSegment: true });
    m.ok(SYSTEM, { type: 'parent:view', view: null });
    expect(m.snapshot.parent).toBeNull();
  });

  it('relay:localSegment is refused with INVALID_STATE when the meeting is not linked, and FORBIDDEN to the operator', () => {
    const { m } = liveMeeting();
    expect(m.refused(A.chair, { type: 'relay:localSegment', local: true }).code).toBe('INVALID_STATE');
    m.ok(SYSTEM, { type: 'parent:view', view: view() });
    expect(m.refused(A.operator, { type: 'relay:localSegment', local: true }).code).toBe('FORBIDDEN');
    expect(m.refused(A.hn, { type: 'relay:localSegment', local: true }).code).toBe('FORBIDDEN');
  });

  it('relay:localSegment is audited with what it switched to', () => {
    const { m } = liveMeeting();
    m.ok(SYSTEM, { type: 'parent:view', view: view() });
    const before = m.record;
    m.ok(A.chair, { type: 'relay:localSegment', local: true });
    const entry = auditEntryOf(before, m.record, A.chair, { type: 'relay:localSegment', local: true }, m.now);
    expect(entry).toMatchObject({ action: 'relay:localSegment', actorRole: 'chair', detail: 'phiên riêng' });
  });
});

describe('ParentLink — totals rolled up across levels', () => {
  it('rolledUpTotals() counts the sites below the host, the connected ones and every delegate', () => {
    const { m } = liveMeeting();
    m.ok(A.hn, { type: 'site:declare', delegates: 20 });
    m.ok(A.hp, { type: 'site:declare', delegates: 15 });
    m.ok(A.chair, { type: 'site:declare', siteId: HOST, delegates: 40 });
    m.leave(A.dn);
    expect(rolledUpTotals(m.record.sites, false)).toEqual({
      invitedSites: 3,
      connectedSites: 2,
      delegates: 75,
      localSession: false,
    });
  });

  it('site:linked puts a province’s totals on its line and the national totals count every level', () => {
    const { m } = liveMeeting();
    m.ok(A.hn, { type: 'site:declare', delegates: 20 });
    expect(
      m.refused(A.hn, {
        type: 'site:linked',
        siteId: HN,
        linked: { invitedSites: 1, connectedSites: 1, delegates: 1, localSession: false },
      }).code,
    ).toBe('FORBIDDEN');
    m.ok(SYSTEM, {
      type: 'site:linked',
      siteId: HP,
      linked: { invitedSites: 130, connectedSites: 118, delegates: 950, localSession: true },
    });
    expect(m.site(HP).linked?.localSession).toBe(true);
    // Hà Nội's 20 and Hải Phòng's whole province (its own room and its communes) — every level.
    expect(m.snapshot.totals.delegates).toBe(970);
    expect(m.snapshot.totals.linked).toEqual({ invitedSites: 130, connectedSites: 118 });
    // A three-level chain: the parent rolls its linked sites up again when it is itself a child.
    expect(rolledUpTotals(m.record.sites, false)).toEqual({
      invitedSites: 3 + 130,
      connectedSites: 3 + 118,
      delegates: 970,
      localSession: false,
    });
    // A province that dropped out counts nothing below it.
    m.leave(A.hp);
    expect(m.snapshot.totals.linked).toEqual({ invitedSites: 130, connectedSites: 0 });
    expect(m.snapshot.totals.delegates).toBe(20);
  });
});
