import type { DocumentId, ParentView } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n/i18n';
import { site } from '../../state/fixtures';
import {
  delegatesOf,
  linkedSiteText,
  linkedTotalsText,
  parentFloorText,
  parentItemText,
  parentNotice,
  parentPageUrl,
} from './parentView';

const vi = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) =>
  translate('vi', key, params);
const en = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) =>
  translate('en', key, params);

const parent = (patch: Partial<ParentView> = {}): ParentView => ({
  meetingTitle: 'Giao ban toàn quốc',
  agendaItem: { title: 'Báo cáo kết quả 5 tháng', position: 2, count: 5 },
  floor: { siteName: 'Tỉnh Nghệ An', topic: 'Xã Hưng Nguyên: sạt lở bờ sông Lam', since: 1 },
  slide: { documentId: 'doc 1' as DocumentId, documentName: 'Báo cáo.pdf', page: 3, pageCount: 12 },
  link: 'connected',
  province: { requestTopic: null, onStage: false },
  localSegment: false,
  ...patch,
});

describe('parentNotice()', () => {
  it('says nothing while relaying or when the meeting is not linked', () => {
    expect(parentNotice(parent())).toBeNull();
    expect(parentNotice(null)).toBeNull();
  });

  it('says the national link is lost and reconnecting while it is down, in both languages', () => {
    const key = parentNotice(parent({ link: 'reconnecting' }));
    expect(key).toBe('parent.notice.reconnecting');
    if (!key) throw new Error('no notice');
    expect(vi(key)).toBe('Mất kết nối cầu trung ương, đang kết nối lại');
    expect(en(key)).toBe('National link lost, reconnecting');
  });

  it('says connecting (not lost) before the parent was ever reached, and cut when revoked', () => {
    expect(parentNotice(parent({ link: 'reconnecting', meetingTitle: '' }))).toBe('parent.notice.connecting');
    expect(parentNotice(parent({ link: 'lost' }))).toBe('parent.notice.lost');
  });
});

describe('the parent in words', () => {
  it('names the current item and the floor holder with its topic', () => {
    expect(parentItemText(parent(), vi)).toBe('Nội dung 2/5: Báo cáo kết quả 5 tháng');
    expect(parentFloorText(parent(), vi)).toBe(
      'Đang phát biểu: Tỉnh Nghệ An — Xã Hưng Nguyên: sạt lở bờ sông Lam',
    );
    expect(parentFloorText(parent({ floor: { siteName: 'Hà Nội', topic: '', since: 1 } }), en)).toBe(
      'Speaking: Hà Nội',
    );
    expect(parentItemText(parent({ agendaItem: null }), vi)).toBeNull();
    expect(parentFloorText(parent({ floor: null }), vi)).toBeNull();
  });

  it("loads the parent's page from this hub with this page's own token", () => {
    expect(parentPageUrl('m 1', parent(), 'tok/en')).toBe(
      '/api/meetings/m%201/parent/pages/doc%201/3.png?token=tok%2Fen',
    );
    expect(parentPageUrl('m1', parent({ slide: null }), 'token')).toBeNull();
  });
});

describe("a linked province in the parent's roll call", () => {
  const linked = { invitedSites: 130, connectedSites: 118, delegates: 950, localSession: false };

  it('shows its communes connected and counts the delegates of every level', () => {
    const province = site('nghe-an', { declaredDelegates: 3, linked });
    expect(linkedSiteText(province, vi)).toBe('118/130 điểm cầu cấp dưới');
    expect(delegatesOf(province)).toBe(950);
    expect(delegatesOf(site('ha-noi', { declaredDelegates: 40 }))).toBe(40);
    expect(linkedSiteText(site('ha-noi'), vi)).toBeNull();
  });

  it('shows a province in a local session as "phiên riêng"', () => {
    const province = site('nghe-an', { linked: { ...linked, localSession: true } });
    expect(linkedSiteText(province, vi)).toBe('118/130 điểm cầu cấp dưới · phiên riêng');
    expect(linkedSiteText(province, en)).toBe('118/130 sites below · local session');
  });

  it('adds the sites below to the national totals only when a site is linked', () => {
    const totals = { invitedSites: 35, connectedSites: 34, mediaSites: 34, delegates: 2100 };
    expect(linkedTotalsText(totals, vi)).toBeNull();
    expect(linkedTotalsText({ ...totals, linked: { invitedSites: 3321, connectedSites: 3300 } }, vi)).toBe(
      '3300/3321 điểm cầu cấp dưới',
    );
  });
});
