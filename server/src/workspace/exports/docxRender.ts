/**
 * Lays the notice and the attendance report out as DOCX in the customary Vietnamese
 * administrative form (Nghị định 30/2020): Times New Roman 13–14 pt on A4, the two-column
 * title block (issuing body left, national motto right), the place-and-date line, a centred
 * title, numbered body, and the "Nơi nhận" / signature block at the foot.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Header,
  Packer,
  Paragraph,
  type ParagraphChild,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import {
  type AttendanceModel,
  END_REASON_VI,
  formatClock,
  formatCount,
  formatDateTime,
  formatDuration,
  formatMinutes,
  type NoticeModel,
} from './reportModel.js';

const FONT = 'Times New Roman';
/** Half-points. */
export const SIZE = 28;
export const SMALL = 24;
/** A4 in twips, margins 20/15/30/20 mm (top/right/left/bottom). */
const PAGE = {
  size: { width: 11906, height: 16838 },
  margin: { top: 1134, right: 850, bottom: 1134, left: 1701 },
};
const TEXT_WIDTH = PAGE.size.width - PAGE.margin.left - PAGE.margin.right;

const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = {
  top: NONE,
  bottom: NONE,
  left: NONE,
  right: NONE,
  insideHorizontal: NONE,
  insideVertical: NONE,
};
const LINE = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const GRID = {
  top: LINE,
  bottom: LINE,
  left: LINE,
  right: LINE,
  insideHorizontal: LINE,
  insideVertical: LINE,
};

/** How a run of text is set. */
export interface RunStyle {
  bold?: boolean;
  italics?: boolean;
  underline?: boolean;
  size?: number;
}

/** A run in the document's font. */
export const run = (text: string, style: RunStyle = {}): TextRun =>
  new TextRun({
    text,
    font: FONT,
    size: style.size ?? SIZE,
    bold: style.bold,
    italics: style.italics,
    underline: style.underline ? {} : undefined,
  });

/** A paragraph (justified unless told), optionally indented on its first line. */
export function para(
  children: ParagraphChild[] | string,
  options: {
    align?: (typeof AlignmentType)[keyof typeof AlignmentType];
    indent?: boolean;
    after?: number;
    style?: RunStyle;
  } = {},
): Paragraph {
  return new Paragraph({
    children: typeof children === 'string' ? [run(children, options.style)] : children,
    alignment: options.align ?? AlignmentType.JUSTIFIED,
    spacing: { after: options.after ?? 120, line: 276 },
    indent: options.indent ? { firstLine: 567 } : undefined,
  });
}

/** A centred one-run paragraph. */
export const centre = (text: string, style: RunStyle = {}, after = 0): Paragraph =>
  para([run(text, style)], { align: AlignmentType.CENTER, after });

function cell(children: Paragraph[], widthPct: number): TableCell {
  return new TableCell({
    children,
    width: { size: Math.round((TEXT_WIDTH * widthPct) / 100), type: WidthType.DXA },
    verticalAlign: VerticalAlign.TOP,
  });
}

/** Two columns without borders: the title block and the signature block. */
export function twoColumns(left: Paragraph[], right: Paragraph[], leftPct = 42): Table {
  return new Table({
    rows: [new TableRow({ children: [cell(left, leftPct), cell(right, 100 - leftPct)] })],
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [
      Math.round((TEXT_WIDTH * leftPct) / 100),
      Math.round((TEXT_WIDTH * (100 - leftPct)) / 100),
    ],
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
  });
}

/** A bordered data table with a bold header row. */
export function grid(header: string[], rows: string[][], widthsPct: number[], empty?: string): Table {
  const widths = widthsPct.map((p) => Math.round((TEXT_WIDTH * p) / 100));
  const line = (cells: string[], bold: boolean) =>
    new TableRow({
      tableHeader: bold,
      children: cells.map(
        (text, i) =>
          new TableCell({
            children: [
              new Paragraph({
                children: [run(text, { bold, size: SMALL })],
                alignment: i === 0 || !bold ? AlignmentType.LEFT : AlignmentType.CENTER,
              }),
            ],
            width: { size: widths[i] ?? 1000, type: WidthType.DXA },
          }),
      ),
    });
  const body = rows.map((r) => line(r, false));
  if (body.length === 0 && empty) {
    body.push(
      new TableRow({
        children: [
          new TableCell({
            children: [new Paragraph({ children: [run(empty, { italics: true, size: SMALL })] })],
            columnSpan: header.length,
          }),
        ],
      }),
    );
  }
  return new Table({
    rows: [line(header, true), ...body],
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: GRID,
  });
}

/** The "DỰ THẢO" mark of a draft, top right. */
export const draftMark = (): Paragraph =>
  para([run('DỰ THẢO', { bold: true, size: SIZE })], { align: AlignmentType.RIGHT, after: 120 });

/** An A4 document; `header` repeats at the top of every page (a draft's label). */
export function documentOf(children: (Paragraph | Table)[], title: string, header?: string): Document {
  return new Document({
    creator: 'Giao Ban',
    title,
    styles: { default: { document: { run: { font: FONT, size: SIZE } } } },
    sections: [
      {
        properties: { page: PAGE },
        headers: header
          ? {
              default: new Header({
                children: [
                  new Paragraph({
                    children: [run(header, { bold: true, italics: true, size: SMALL })],
                    alignment: AlignmentType.RIGHT,
                  }),
                ],
              }),
            }
          : undefined,
        children,
      },
    ],
  });
}

/** The conclusion notice as DOCX bytes. */
export async function renderNoticeDocx(m: NoticeModel): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [];
  if (m.draft) children.push(draftMark());
  children.push(
    twoColumns(
      [centre(m.issuer, { bold: true, size: 26 }), centre('*', { size: 26 }), centre(m.number, { size: 26 })],
      [
        centre('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, size: 24 }),
        centre('Độc lập - Tự do - Hạnh phúc', { bold: true, underline: true }, 120),
        centre(m.placeAndDate, { italics: true }),
      ],
      38,
    ),
  );
  children.push(para('', { after: 240 }));
  children.push(centre(m.title, { bold: true }));
  children.push(centre(m.subtitle, { bold: true }));
  children.push(centre('-----', {}, 240));
  children.push(para(m.opening, { indent: true }));
  children.push(para(m.participants, { indent: true }));
  children.push(para(m.lead, { indent: true }));
  if (m.sections.length === 0) {
    children.push(para('(Chưa có kết luận nào được ghi nhận.)', { indent: true, style: { italics: true } }));
  }
  for (const s of m.sections) {
    children.push(para([run(`${s.number}. ${s.title}`, { bold: true })], { indent: true }));
    for (const c of s.conclusions) {
      const runs = [run(`${c.number}. ${c.text}`)];
      if (c.note) runs.push(run(` ${c.note}`, { italics: true }));
      children.push(para(runs, { indent: true }));
    }
  }
  if (m.votes.length > 0) {
    children.push(para([run('Kết quả biểu quyết:', { bold: true })], { indent: true }));
    for (const v of m.votes) children.push(para(v, { indent: true }));
  }
  children.push(para(m.closing, { indent: true, after: 240 }));
  children.push(
    twoColumns(
      [
        para([run('Nơi nhận:', { bold: true, italics: true, size: SMALL })], {
          align: AlignmentType.LEFT,
          after: 0,
        }),
        ...m.recipients.map((r, i) =>
          para([run(`- ${r}${i === m.recipients.length - 1 ? '.' : ';'}`, { size: 22 })], {
            align: AlignmentType.LEFT,
            after: 0,
          }),
        ),
      ],
      [centre(m.signatureTitle, { bold: true }, 1200), centre(m.signatureName, { bold: true })],
      50,
    ),
  );
  return Packer.toBuffer(documentOf(children, `Thông báo kết luận — ${m.meetingTitle}`));
}

/** The attendance report as DOCX bytes. */
export async function renderAttendanceDocx(m: AttendanceModel): Promise<Buffer> {
  const t = m.totals;
  const children: (Paragraph | Table)[] = [];
  if (m.draft) children.push(draftMark());
  children.push(centre('BÁO CÁO ĐIỂM DANH VÀ THỜI GIAN HỘI NGHỊ', { bold: true }));
  children.push(centre(m.meetingTitle, { bold: true }, 240));
  children.push(para(`Thời gian: ${m.time}. Chủ trì: ${m.chairName}.`));
  children.push(
    para(
      `Điểm cầu tham dự: ${formatCount(t.joinedSites)}/${formatCount(t.invitedSites)} điểm cầu được mời; ` +
        `tổng số đại biểu: ${formatCount(t.delegates)}; lượt phát biểu: ${formatCount(t.turns)} ` +
        `(tổng ${formatDuration(t.turnsMs)}); thời gian theo chương trình: dự kiến ${formatMinutes(t.plannedMinutes)} phút, ` +
        `thực tế ${formatMinutes(t.actualMinutes)} phút.`,
    ),
  );
  children.push(para([run('1. Điểm cầu', { bold: true })], { after: 60 }));
  children.push(
    grid(
      ['STT', 'Điểm cầu', 'Tham dự', 'Đại biểu', 'Vào lúc', 'Rời lúc', 'Kết nối (phút)', 'Phát biểu'],
      m.sites.map((s, i) => [
        String(i + 1),
        `${s.name}${s.isHost ? ' (chủ trì)' : ''}`,
        s.joined ? 'Có' : 'Không',
        formatCount(s.declaredDelegates),
        s.firstJoinedAt ? formatClock(s.firstJoinedAt) : '—',
        s.lastLeftAt ? formatClock(s.lastLeftAt) : s.joined ? 'đến cuối' : '—',
        s.joined ? formatMinutes(s.connectedMs / 60_000) : '—',
        s.turns.length ? `${s.turns.length} lượt, ${formatDuration(s.turnsMs)}` : '—',
      ]),
      [7, 25, 9, 9, 10, 11, 12, 17],
    ),
  );
  children.push(para([run('2. Lượt phát biểu', { bold: true })], { after: 60 }));
  children.push(
    grid(
      ['STT', 'Điểm cầu', 'Nội dung', 'Bắt đầu', 'Thời lượng', 'Kết thúc'],
      m.turns.map((turn, i) => [
        String(i + 1),
        turn.site,
        turn.topic || '—',
        formatDateTime(turn.grantedAt),
        formatDuration(turn.durationMs),
        turn.endReason ? (END_REASON_VI[turn.endReason] ?? turn.endReason) : 'Đang phát biểu',
      ]),
      [7, 22, 27, 18, 12, 14],
      'Không có lượt phát biểu.',
    ),
  );
  children.push(para([run('3. Thời gian theo chương trình', { bold: true })], { after: 60 }));
  children.push(
    grid(
      ['STT', 'Nội dung', 'Dự kiến (phút)', 'Thực tế (phút)', 'Chênh lệch (phút)'],
      [
        ...m.agenda.map((a, i) => [
          String(i + 1),
          a.title,
          formatCount(a.plannedMinutes),
          formatMinutes(a.actualMinutes),
          a.overrunMinutes === null
            ? '—'
            : `${a.overrunMinutes > 0 ? '+' : ''}${formatMinutes(a.overrunMinutes)}`,
        ]),
        ['', 'Tổng cộng', formatCount(t.plannedMinutes), formatMinutes(t.actualMinutes), ''],
      ],
      [7, 45, 16, 16, 16],
    ),
  );
  return Packer.toBuffer(documentOf(children, `Báo cáo điểm danh — ${m.meetingTitle}`));
}
