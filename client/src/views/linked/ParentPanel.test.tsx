import type { DocumentId, ParentView } from '@giaoban/shared';
import type { ReactElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n/i18n';
import { joined, snapshot } from '../../state/fixtures';
import { initialMeetingState, meetingStore } from '../../state/meetingState';
import { ParentLinkBanner, ParentPanel } from './ParentPanel';

const parent = (patch: Partial<ParentView> = {}): ParentView => ({
  meetingTitle: 'Giao ban trực tuyến toàn quốc',
  agendaItem: { title: 'Báo cáo kết quả 5 tháng', position: 1, count: 3 },
  floor: { siteName: 'Tỉnh Nghệ An', topic: 'Xã Hưng Nguyên: sạt lở', since: 1 },
  slide: { documentId: 'd1' as DocumentId, documentName: 'Báo cáo.pdf', page: 2, pageCount: 4 },
  link: 'connected',
  province: { requestTopic: null, onStage: false },
  localSegment: false,
  ...patch,
});

/** The markup of a component with the meeting store holding a snapshot linked to `view`. */
function render(node: ReactElement, view: ParentView | null): string {
  meetingStore.set(joined(snapshot({ parent: view })));
  return renderToString(node);
}

afterEach(() => meetingStore.set(initialMeetingState));

describe('ParentPanel (a child meeting shows its parent)', () => {
  it("shows the parent's item, floor holder with topic and page, labelled as the national meeting", () => {
    setLocale('vi');
    const html = render(<ParentPanel />, parent());
    expect(html).toContain('Cầu trung ương: Giao ban trực tuyến toàn quốc');
    expect(html).toContain('aria-label="Cầu trung ương"');
    expect(html).toContain('Nội dung 1/3: Báo cáo kết quả 5 tháng');
    expect(html).toContain('Đang phát biểu: Tỉnh Nghệ An — Xã Hưng Nguyên: sạt lở');
    // The page image comes from this hub, with an accessible name.
    expect(html).toContain('src="/api/meetings/m1/parent/pages/d1/2.png"');
    expect(html).toContain('alt="Trang 2 của tài liệu Báo cáo.pdf (cầu trung ương)"');
  });

  it('shows nothing when the meeting is not linked', () => {
    expect(render(<ParentPanel />, null)).toBe('');
    expect(render(<ParentLinkBanner />, null)).toBe('');
  });

  it('the console version leaves the page out and marks a local session', () => {
    setLocale('en');
    const html = render(<ParentPanel showPage={false} />, parent({ localSegment: true }));
    expect(html).not.toContain('<img');
    expect(html).toContain('Local session: sites see the local program');
    setLocale('vi');
  });
});

describe('ParentLinkBanner (the national link notice)', () => {
  it('alerts while the link is down and is gone once it is back', () => {
    setLocale('vi');
    const down = render(<ParentLinkBanner />, parent({ link: 'reconnecting' }));
    expect(down).toContain('role="alert"');
    expect(down).toContain('Mất kết nối cầu trung ương, đang kết nối lại');
    expect(render(<ParentLinkBanner />, parent({ link: 'connected' }))).toBe('');
  });
});
