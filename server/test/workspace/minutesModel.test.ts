/**
 * The minutes (biên bản) model built from a meeting run through the domain: attendees, the
 * sequence per agenda item with the floor log and typed minutes, votes, conclusions, draft/final.
 */
import type { ConclusionView, FloorRequestId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { minutesModel, paragraphsOf } from '../../src/workspace/exports/minutesModel.js';
import type { WorkspaceContent } from '../../src/workspace/WorkspaceService.js';
import { A, addAgenda, liveMeeting, TestMeeting } from '../domain/harness.js';

type Req = { requestId: FloorRequestId };

function conclusion(id: string, itemId: string, text: string, confirmed: boolean): ConclusionView {
  return {
    id,
    agendaItemId: itemId,
    text,
    author: 'Thư ký',
    at: 0,
    confirmed,
    confirmedBy: confirmed ? 'Đồng chí Chủ trì' : null,
    confirmedAt: confirmed ? 1 : null,
  };
}

/** A live meeting: Hà Nội declares 30, a turn before any item, item 1 opened with Đà Nẵng's turn. */
function ranMeeting() {
  const { m, items } = liveMeeting();
  m.ok(A.hn, { type: 'site:declare', delegates: 30 });
  m.ok(A.dn, { type: 'site:declare', delegates: 12 });
  const early = m.ok<Req>(A.hn, { type: 'queue:request', topic: 'Đăng ký trước' }).requestId;
  m.tick(1000).ok(A.chair, { type: 'floor:grant', requestId: early });
  m.tick(30_000).ok(A.chair, { type: 'floor:revoke' });
  m.tick(1000).ok(A.chair, { type: 'agenda:advance' });
  const dn = m.ok<Req>(A.dn, { type: 'queue:request', topic: 'Chuyển đổi số' }).requestId;
  m.tick(1000).ok(A.chair, { type: 'floor:grant', requestId: dn });
  m.tick(95_000);
  const content: WorkspaceContent = {
    conclusions: [
      conclusion('k1', items[0] as string, 'Khai mạc đúng giờ.', true),
      conclusion('k2', items[0] as string, 'Chưa xác nhận.', false),
      conclusion('k3', items[1] as string, '  ', false),
    ],
    petitions: [
      {
        id: 'p1',
        agendaItemId: items[0] as string,
        site: 'Đà Nẵng',
        petition: 'Hỗ trợ kinh phí',
        answer: 'Đồng ý',
        answeredBy: 'Bộ Tài chính',
        author: 'Thư ký',
        at: 0,
      },
    ],
    notice: { issuer: 'Ban Tổ chức', number: '', place: '', recipients: '' },
    minutes: { [items[0] as string]: 'Dòng một.\n\n  Dòng hai.  \n' },
  };
  return { m, items, content };
}

describe('minutesModel()', () => {
  it('is a draft while the meeting runs: every conclusion, the unconfirmed marked, the turn still running', () => {
    const { m, content } = ranMeeting();
    const model = minutesModel(m.record, content, ['Thư ký A', 'Thư ký A', ' '], m.now);
    expect(model.draft).toBe(true);
    expect(model.title).toBe('BIÊN BẢN');
    expect(model.issuer).toBe('BAN TỔ CHỨC');
    expect(model.secretaries).toEqual(['Thư ký A']);
    expect(model.chair).toBe('Đồng chí Chủ trì');
    expect(model.time).toMatch(/hội nghị đang diễn ra\.$/);
    const first = model.items[0];
    expect(first?.title).toBe('Khai mạc');
    expect(first?.paragraphs).toEqual(['Dòng một.', 'Dòng hai.']);
    expect(first?.turns).toEqual([
      expect.objectContaining({
        site: 'Thành phố Đà Nẵng',
        topic: 'Chuyển đổi số',
        duration: '1:35',
        ended: null,
      }),
    ]);
    expect(first?.time).toMatch(/^\d\d:\d\d – \(đang diễn ra\)$/);
    expect(first?.petitions).toEqual([
      { site: 'Đà Nẵng', petition: 'Hỗ trợ kinh phí', answer: 'Đồng ý', answeredBy: 'Bộ Tài chính' },
    ]);
    // Items never opened are listed without a time; the turn before any item has its own group.
    expect(model.items[1]?.time).toBeNull();
    const outside = model.items.at(-1);
    expect(outside?.title).toBe('Ngoài chương trình');
    expect(outside?.turns).toEqual([
      expect.objectContaining({
        site: 'Thành phố Hà Nội',
        topic: 'Đăng ký trước',
        duration: '0:30',
        ended: 'Điều hành thu hồi',
      }),
    ]);
    expect(model.votes).toEqual([]);
    expect(model.conclusions).toEqual([
      {
        number: 1,
        title: 'Khai mạc',
        lines: [
          { number: '1.1', text: 'Khai mạc đúng giờ.', note: null },
          { number: '1.2', text: 'Chưa xác nhận.', note: '(chưa được chủ trì xác nhận)' },
        ],
      },
    ]);
  });

  it('lists the sites that joined with their delegates and names the absent ones', () => {
    const { m, content } = ranMeeting();
    m.tick(1000).leave(A.hp);
    const model = minutesModel(m.record, content, [], m.now);
    const names = model.sites.map((s) => s.name);
    expect(names).toContain('Thành phố Hà Nội');
    expect(model.sites.find((s) => s.name === 'Thành phố Hà Nội')).toMatchObject({
      delegates: 30,
      leftAt: 'đến cuối',
    });
    expect(model.sites.find((s) => s.name === 'Thành phố Hải Phòng')?.leftAt).toMatch(/^\d\d:\d\d$/);
    expect(model.attendanceSummary).toMatch(/^Có 4\/4 điểm cầu tham dự với tổng số 42 đại biểu/);
    expect(model.absentSites).toEqual([]);
    expect(model.secretaries).toEqual([]);
    expect(model.signatures.map((s) => s.title)).toEqual(['THƯ KÝ', 'CHỦ TRÌ']);
  });

  it('is final after the end: confirmed conclusions only, the end time, every turn ended', () => {
    const { m, content } = ranMeeting();
    m.tick(60_000).ok(A.chair, { type: 'meeting:end' });
    const model = minutesModel(m.record, content, ['Thư ký A'], m.now + 3_600_000);
    expect(model.draft).toBe(false);
    expect(model.time).toMatch(/; kết thúc lúc \d\d giờ \d\d phút, ngày \d\d\/\d\d\/\d{4}\.$/);
    expect(model.closing).toMatch(/^Hội nghị kết thúc lúc /);
    expect(model.conclusions.flatMap((c) => c.lines.map((l) => l.text))).toEqual(['Khai mạc đúng giờ.']);
    expect(model.items[0]?.turns[0]?.ended).toBe('Hội nghị kết thúc');
    expect(model.items.every((i) => !i.time?.includes('đang diễn ra'))).toBe(true);
  });

  it('names the sites that never joined as absent', () => {
    const m = new TestMeeting();
    addAgenda(m);
    m.join(A.chair).join(A.hn);
    const empty: WorkspaceContent = {
      conclusions: [],
      petitions: [],
      notice: { issuer: '', number: '', place: '', recipients: '' },
      minutes: {},
    };
    const model = minutesModel(m.record, empty, [], m.now);
    expect(model.absentSites).toEqual(['Thành phố Hải Phòng', 'Thành phố Đà Nẵng']);
    expect(model.sites.map((s) => s.name)).toEqual(['Điểm cầu Trung ương', 'Thành phố Hà Nội']);
    expect(model.time).toMatch(/hội nghị chưa khai mạc\.$/);
    expect(model.items.every((i) => i.turns.length === 0 && i.time === null)).toBe(true);
    expect(model.conclusions).toEqual([]);
  });
});

describe('paragraphsOf()', () => {
  it('splits typed minutes into trimmed paragraphs without empty ones', () => {
    expect(paragraphsOf(' a \r\n\r\nb\n  \nc')).toEqual(['a', 'b', 'c']);
    expect(paragraphsOf('')).toEqual([]);
  });
});
