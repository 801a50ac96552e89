/**
 * The exports through the real hub's HTTP API: a meeting is run (sites join and declare
 * delegates, a floor turn, two agenda items), secretaries write minutes and conclusions, the chair
 * confirms one; the minutes (biên bản), the notice and the attendance report are downloaded as
 * DOCX, PDF and CSV and read back (word/document.xml with unzip, pdftotext) to check the meeting
 * name, the sequence of the meeting, conclusions and totals.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addConclusion, addPetition, minutesText, noticeMap, type SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Hub } from '../../server/src/main.js';
import { setupMeeting } from '../support/inProcessHub.js';
import { connect, type HubSocket, must } from '../support/meeting.js';

const SITES = ['hue', 'da-nang', 'can-tho'] as SiteId[];
const TITLE = 'Hội nghị giao ban trực tuyến quý IV';

let hub: Hub;
let url: string;
let orgToken: string;
let meetingId: string;
let links: Record<string, { token: string }>;
let dir: string;
const sockets: HubSocket[] = [];

async function join(name: string): Promise<HubSocket> {
  const s = await connect(url, links[name]?.token as string);
  sockets.push(s);
  await must(s, 'meeting:join', {});
  return s;
}

async function download(file: string, token: string) {
  const res = await fetch(`${url}/api/meetings/${meetingId}/exports/${file}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The text of a DOCX: its document.xml with the tags taken out, one line per paragraph. */
function docxText(bytes: Buffer): string {
  const file = path.join(dir, `d${Math.random()}.docx`);
  writeFileSync(file, bytes);
  const xml = execFileSync('unzip', ['-p', file, 'word/document.xml']).toString('utf8');
  return xml
    .replace(/<\/w:p>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
}

/** The text of the page header of a DOCX (word/header*.xml), empty when it has none. */
function docxHeaderText(bytes: Buffer): string {
  const file = path.join(dir, `h${Math.random()}.docx`);
  writeFileSync(file, bytes);
  try {
    return execFileSync('unzip', ['-p', file, 'word/header*.xml'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString('utf8')
      .replace(/<[^>]+>/g, '');
  } catch {
    return '';
  }
}

/** The text of a PDF (pdftotext from poppler-utils), whitespace folded. */
function pdfText(bytes: Buffer): string {
  const file = path.join(dir, `p${Math.random()}.pdf`);
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'])
    .toString('utf8')
    .normalize('NFC')
    .replace(/\s+/g, ' ');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'giaoban-exports-'));
  const fx = await setupMeeting(SITES, {
    chair: { role: 'chair', siteId: 'trung-uong' as SiteId, displayName: 'Đồng chí Chủ trì' },
    sec: { role: 'secretary', displayName: 'Thư ký Hội nghị' },
    hue: { role: 'site', siteId: 'hue' as SiteId },
    daNang: { role: 'site', siteId: 'da-nang' as SiteId },
  });
  hub = fx.hub;
  url = fx.url;
  orgToken = fx.orgToken;
  meetingId = fx.meetingId;
  links = fx.links;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('exports of the conclusion notice and the attendance report', () => {
  let chair: HubSocket;
  let sec: HubSocket;
  let items: string[];

  it('runs a short meeting and records conclusions', async () => {
    chair = await join('chair');
    sec = await join('sec');
    const hue = await join('hue');
    const daNang = await join('daNang');
    await must(chair, 'meeting:openTechCheck', {});
    await must(hue, 'site:declare', { delegates: 25 });
    await must(daNang, 'site:declare', { delegates: 40 });
    await must(chair, 'site:declare', { delegates: 30 });
    await must(chair, 'meeting:goLive', {});
    await must(chair, 'agenda:advance', {});
    const { requestId } = await must(hue, 'queue:request', { topic: 'Kiến nghị về biên chế' });
    await must(chair, 'floor:grant', { requestId: requestId as never });
    await new Promise((r) => setTimeout(r, 1100));
    await must(chair, 'floor:revoke', {});
    await must(chair, 'agenda:advance', {});
    const snapshot = await must(chair, 'meeting:sync', {});
    items = snapshot.agenda.items.map((i) => i.id);

    const doc = new Y.Doc();
    const sync = await must(sec, 'doc:sync', { stateVector: Y.encodeStateVector(doc) });
    Y.applyUpdate(doc, new Uint8Array(sync.update as Uint8Array));
    const before = Y.encodeStateVector(doc);
    minutesText(doc, items[0] as string).insert(
      0,
      'Đồng chí Chủ trì khai mạc.\nĐồng chí Phó Trưởng ban trình bày báo cáo kết quả công tác 5 tháng.',
    );
    minutesText(doc, items[1] as string).insert(0, 'Các điểm cầu thảo luận về biên chế.');
    addPetition(doc, {
      id: 'p1',
      itemId: items[1] as string,
      site: 'Huế',
      petition: 'Bổ sung biên chế cho cấp xã.',
      author: 'Thư ký Hội nghị',
      at: Date.now(),
    });
    addConclusion(doc, items[0] as string, {
      id: 'k1',
      text: 'Hoàn thành đại hội chi bộ trước ngày 30/6.',
      author: 'Thư ký Hội nghị',
      at: Date.now(),
    });
    addConclusion(doc, items[1] as string, {
      id: 'k2',
      text: 'Giao Sở Nội vụ trả lời kiến nghị của Huế về biên chế.',
      author: 'Thư ký Hội nghị',
      at: Date.now(),
    });
    const notice = noticeMap(doc);
    notice.set('issuer', 'Ban Tổ chức Trung ương');
    notice.set('number', '125-TB/BTCTW');
    notice.set('recipients', 'Các tỉnh ủy, thành ủy\nLưu VT');
    await must(sec, 'doc:update', { update: Y.encodeStateAsUpdate(doc, before) });
    await must(chair, 'doc:confirm', { conclusionId: 'k2', confirmed: true });
  });

  it('a draft notice before the end is marked DỰ THẢO and lists every conclusion', async () => {
    const { res, bytes } = await download('notice.docx', links.sec?.token as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('wordprocessingml');
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(
      /^attachment; filename="thong-bao-ket-luan-.*-du-thao\.docx"; filename\*=UTF-8''/,
    );
    expect(decodeURIComponent(disposition.split("UTF-8''")[1] ?? '')).toContain(
      `Thông báo kết luận - ${TITLE}`,
    );
    const text = docxText(bytes);
    expect(text).toContain('DỰ THẢO');
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(text).toContain('BAN TỔ CHỨC TRUNG ƯƠNG');
    expect(text).toContain('Số: 125-TB/BTCTW');
    expect(text).toContain(TITLE);
    expect(text).toContain('1.1. Hoàn thành đại hội chi bộ trước ngày 30/6.');
    expect(text).toContain('(chưa được chủ trì xác nhận)');
    expect(text).toContain('2.1. Giao Sở Nội vụ trả lời kiến nghị của Huế về biên chế.');
    expect(text).toContain('Nơi nhận:');
    expect(text).toContain('- Các tỉnh ủy, thành ủy;');
  });

  it('the draft minutes (biên bản) give the administrative header, attendees, the sequence per item and the conclusions', async () => {
    const { res, bytes } = await download('minutes.docx', links.sec?.token as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-giaoban-draft')).toBe('1');
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/filename="bien-ban-hoi-nghi-.*-du-thao\.docx"/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1] ?? '')).toContain(
      `Biên bản hội nghị - ${TITLE}`,
    );
    const text = docxText(bytes);
    expect(docxHeaderText(bytes)).toContain('DỰ THẢO');
    expect(text).toContain('DỰ THẢO');
    expect(text).toContain('BAN TỔ CHỨC TRUNG ƯƠNG');
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(text).toMatch(/\nBIÊN BẢN\n/);
    expect(text).toContain(TITLE);
    expect(text).toMatch(
      /Thời gian: Bắt đầu lúc \d\d giờ \d\d phút, ngày \d\d\/\d\d\/\d{4}; hội nghị đang diễn ra\./,
    );
    expect(text).toContain('Chủ trì: Đồng chí Chủ trì');
    expect(text).toContain('Thư ký: Thư ký Hội nghị');
    expect(text).toContain('Có 3/4 điểm cầu tham dự với tổng số 95 đại biểu');
    expect(text).toContain('Điểm cầu vắng mặt: Cần Thơ.');
    // The sequence: item 1 with its minutes and Huế's turn, item 2 with its minutes and petition.
    const order = [
      'I. THỜI GIAN, ĐỊA ĐIỂM',
      'II. THÀNH PHẦN THAM DỰ',
      'III. NỘI DUNG, DIỄN BIẾN HỘI NGHỊ',
      '1. Báo cáo kết quả công tác 5 tháng',
      'Đồng chí Chủ trì khai mạc.',
      'Đồng chí Phó Trưởng ban trình bày báo cáo kết quả công tác 5 tháng.',
      'Ý kiến phát biểu:',
      'điểm cầu Huế: Kiến nghị về biên chế (',
      '2. Thảo luận của các điểm cầu',
      'Các điểm cầu thảo luận về biên chế.',
      'Huế: Bổ sung biên chế cho cấp xã.',
      'IV. KẾT QUẢ BIỂU QUYẾT',
      'Hội nghị không tiến hành biểu quyết.',
      'V. KẾT LUẬN CỦA CHỦ TRÌ',
      '1.1. Hoàn thành đại hội chi bộ trước ngày 30/6. (chưa được chủ trì xác nhận)',
      '2.1. Giao Sở Nội vụ trả lời kiến nghị của Huế về biên chế.',
      'Hội nghị chưa kết thúc; biên bản này là dự thảo',
      'THƯ KÝ',
      'CHỦ TRÌ',
    ];
    let at = -1;
    for (const piece of order) {
      const next = text.indexOf(piece, at + 1);
      expect(next, `"${piece}" after the previous piece`).toBeGreaterThan(at);
      at = next;
    }
    expect(text).toMatch(/điểm cầu Huế: Kiến nghị về biên chế \(\d+:\d\d, điều hành thu hồi\)/);
  });

  it('after the end the notice is final: confirmed conclusions only, as DOCX and PDF', async () => {
    await must(chair, 'meeting:end', {});
    const docx = await download('notice.docx', orgToken);
    expect(docx.res.status).toBe(200);
    const text = docxText(docx.bytes);
    expect(text).not.toContain('DỰ THẢO');
    expect(text).toContain('2.1. Giao Sở Nội vụ trả lời kiến nghị của Huế về biên chế.');
    expect(text).not.toContain('Hoàn thành đại hội chi bộ');
    expect(text).toMatch(/Dự hội nghị có 3\/4 điểm cầu với 95 đại biểu/);

    const pdf = await download('notice.pdf', links.chair?.token as string);
    expect(pdf.res.status).toBe(200);
    expect(pdf.res.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const pdfTxt = pdfText(pdf.bytes);
    expect(pdfTxt).toContain('THÔNG BÁO');
    expect(pdfTxt).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(pdfTxt).toContain('Giao Sở Nội vụ trả lời kiến nghị của Huế về biên chế.');
    expect(pdfTxt).toContain('Hội nghị giao ban trực tuyến quý IV');
  });

  it('after the end the minutes are final (no DỰ THẢO, confirmed conclusions, the end time), as DOCX and PDF', async () => {
    const docx = await download('minutes.docx', links.chair?.token as string);
    expect(docx.res.status).toBe(200);
    expect(docx.res.headers.get('x-giaoban-draft')).toBe('0');
    const text = docxText(docx.bytes);
    expect(text).not.toContain('DỰ THẢO');
    expect(docxHeaderText(docx.bytes)).not.toContain('DỰ THẢO');
    expect(text).toMatch(/; kết thúc lúc \d\d giờ \d\d phút, ngày \d\d\/\d\d\/\d{4}\./);
    expect(text).toMatch(/Hội nghị kết thúc lúc \d\d giờ \d\d phút/);
    expect(text).toContain('2.1. Giao Sở Nội vụ trả lời kiến nghị của Huế về biên chế.');
    expect(text).not.toContain('Hoàn thành đại hội chi bộ');
    expect(text).toContain('Đồng chí Chủ trì khai mạc.');

    const pdf = await download('minutes.pdf', orgToken);
    expect(pdf.res.status).toBe(200);
    expect(pdf.res.headers.get('content-type')).toBe('application/pdf');
    const pdfTxt = pdfText(pdf.bytes);
    expect(pdfTxt).toContain('BIÊN BẢN');
    expect(pdfTxt).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(pdfTxt).toContain(TITLE);
    expect(pdfTxt).toContain('Đồng chí Chủ trì khai mạc.');
    expect(pdfTxt).toContain('điểm cầu Huế: Kiến nghị về biên chế');
    expect(pdfTxt).toContain('Hội nghị không tiến hành biểu quyết.');
    expect(pdfTxt).toContain('Giao Sở Nội vụ trả lời kiến nghị của Huế về biên chế.');
    expect(pdfTxt).not.toContain('DỰ THẢO');
  }, 120_000);

  it('the attendance report gives sites, delegates, turns and planned vs actual time (CSV, DOCX, PDF)', async () => {
    const csv = await download('attendance.csv', links.sec?.token as string);
    expect(csv.res.status).toBe(200);
    expect(csv.res.headers.get('content-type')).toContain('text/csv');
    const body = csv.bytes.toString('utf8');
    expect(body.charCodeAt(0)).toBe(0xfeff);
    expect(body).toContain(TITLE);
    expect(body).toContain('Tổng cộng,Điểm cầu được mời,4');
    expect(body).toContain('Tổng cộng,Điểm cầu tham dự,3');
    expect(body).toContain('Tổng cộng,Đại biểu,95');
    expect(body).toContain('Tổng cộng,Lượt phát biểu,1');
    expect(body).toContain('Tổng cộng,Dự kiến (phút),30');
    expect(body).toMatch(/\n1,Huế,Kiến nghị về biên chế,[^,]+,(1|2),Điều hành thu hồi/);
    const hueRow = body.split('\r\n').find((l) => /^\d+,Huế,/.test(l)) ?? '';
    expect(hueRow).toMatch(/^\d+,Huế,,Có,25,/);
    const canTho = body.split('\r\n').find((l) => /^\d+,Cần Thơ,/.test(l)) ?? '';
    expect(canTho).toMatch(/,Không,0,/);

    const docx = await download('attendance.docx', orgToken);
    const text = docxText(docx.bytes);
    expect(text).toContain('BÁO CÁO ĐIỂM DANH');
    expect(text).toContain('3/4 điểm cầu được mời; tổng số đại biểu: 95; lượt phát biểu: 1');
    expect(text).toContain('Báo cáo kết quả công tác 5 tháng');

    const pdf = await download('attendance.pdf', orgToken);
    expect(pdf.res.status).toBe(200);
    const pdfTxt = pdfText(pdf.bytes);
    expect(pdfTxt).toContain('BÁO CÁO ĐIỂM DANH');
    expect(pdfTxt).toContain('tổng số đại biểu: 95');
  }, 120_000);

  it('only organizers, the chair and secretaries may export', async () => {
    expect((await download('notice.docx', links.hue?.token as string)).res.status).toBe(403);
    expect((await download('notice.docx', 'not-a-token-at-all')).res.status).toBe(401);
    const none = await fetch(`${url}/api/meetings/${meetingId}/exports/notice.docx`);
    expect(none.status).toBe(401);
    expect((await download('minutes.docx', links.hue?.token as string)).res.status).toBe(403);
    expect((await download('minutes.exe', orgToken)).res.status).toBe(404);
  });
});
