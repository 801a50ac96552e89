/**
 * Lays the minutes (biên bản) out as DOCX in the customary administrative form: the title block
 * (issuing body, national motto, place and date), the centred BIÊN BẢN title, the numbered
 * sections I–V, and the secretary's and chair's signature blocks. A draft carries "DỰ THẢO"
 * at the top and in the header of every page.
 */
import { AlignmentType, Packer, type Paragraph, type Table } from 'docx';
import { centre, documentOf, draftMark, grid, para, run, SMALL, twoColumns } from './docxRender.js';
import type { MinutesModel } from './minutesModel.js';
import { voteSummary } from './reportModel.js';

/** The header of every page of a draft. */
export const DRAFT_HEADER = 'DỰ THẢO — chưa phải biên bản chính thức';

const heading = (text: string): Paragraph => para([run(text, { bold: true })], { after: 60 });
const line = (text: string, indent = true): Paragraph => para(text, { indent });
const labelled = (label: string, text: string): Paragraph =>
  para([run(`${label}: `, { bold: true }), run(text)], { indent: true });

/** The minutes as DOCX bytes. */
export async function renderMinutesDocx(m: MinutesModel): Promise<Buffer> {
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
  children.push(centre(m.meetingTitle, { bold: true }));
  children.push(centre('-----', {}, 240));

  children.push(heading('I. THỜI GIAN, ĐỊA ĐIỂM'));
  children.push(labelled('Thời gian', m.time));
  children.push(labelled('Địa điểm', m.place));

  children.push(heading('II. THÀNH PHẦN THAM DỰ'));
  children.push(labelled('Chủ trì', m.chair));
  children.push(
    labelled('Thư ký', m.secretaries.length ? m.secretaries.join(', ') : '(chưa ghi tên thư ký)'),
  );
  children.push(labelled('Đại biểu', m.attendanceSummary));
  children.push(
    grid(
      ['STT', 'Điểm cầu', 'Số đại biểu', 'Vào lúc', 'Rời lúc'],
      m.sites.map((s, i) => [
        String(i + 1),
        `${s.name}${s.isHost ? ' (điểm cầu chính)' : ''}`,
        String(s.delegates),
        s.joinedAt,
        s.leftAt,
      ]),
      [8, 44, 16, 16, 16],
      'Chưa có điểm cầu nào tham dự.',
    ),
  );
  children.push(para('', { after: 0 }));
  if (m.absentSites.length) {
    children.push(labelled('Điểm cầu vắng mặt', `${m.absentSites.join('; ')}.`));
  }

  children.push(heading('III. NỘI DUNG, DIỄN BIẾN HỘI NGHỊ'));
  if (m.items.length === 0) children.push(line('(Chương trình hội nghị chưa có nội dung.)'));
  for (const item of m.items) {
    children.push(para([run(`${item.number}. ${item.title}`, { bold: true })], { indent: true, after: 60 }));
    const facts = [
      item.presenter ? `Trình bày: ${item.presenter}` : null,
      item.time ? `Thời gian: ${item.time}` : null,
    ].filter(Boolean);
    if (facts.length) children.push(para([run(`${facts.join('; ')}.`, { italics: true })], { indent: true }));
    if (item.paragraphs.length === 0 && item.turns.length === 0 && item.petitions.length === 0) {
      children.push(para([run('(Thư ký chưa ghi nội dung.)', { italics: true })], { indent: true }));
    }
    for (const p of item.paragraphs) children.push(line(p));
    if (item.turns.length) {
      children.push(para([run('Ý kiến phát biểu:', { italics: true, underline: true })], { indent: true }));
      for (const t of item.turns) {
        const topic = t.topic ? `: ${t.topic}` : '';
        const ended = t.ended ? `, ${t.ended.toLowerCase()}` : ', đang phát biểu';
        children.push(line(`- ${t.at}, điểm cầu ${t.site}${topic} (${t.duration}${ended}).`));
      }
    }
    if (item.petitions.length) {
      children.push(
        para([run('Kiến nghị và giải đáp:', { italics: true, underline: true })], { indent: true }),
      );
      for (const p of item.petitions) {
        children.push(line(`- ${p.site ? `${p.site}: ` : ''}${p.petition || '(không ghi nội dung)'}`));
        if (p.answer)
          children.push(line(`  Giải đáp${p.answeredBy ? ` (${p.answeredBy})` : ''}: ${p.answer}`));
      }
    }
  }

  children.push(heading('IV. KẾT QUẢ BIỂU QUYẾT'));
  if (m.votes.length === 0) {
    children.push(line('Hội nghị không tiến hành biểu quyết.'));
  } else {
    children.push(
      grid(
        ['STT', 'Nội dung biểu quyết', 'Kết quả'],
        m.votes.map((v, i) => [
          String(i + 1),
          `${v.question}${v.secret ? ' (biểu quyết kín)' : ''}`,
          `${voteSummary(v)} (${v.voted}/${v.eligibleSites} điểm cầu biểu quyết)`,
        ]),
        [8, 46, 46],
      ),
    );
  }

  children.push(heading('V. KẾT LUẬN CỦA CHỦ TRÌ'));
  if (m.conclusions.length === 0) {
    children.push(para([run('(Chưa có kết luận nào được ghi nhận.)', { italics: true })], { indent: true }));
  }
  for (const s of m.conclusions) {
    children.push(para([run(`${s.number}. ${s.title}`, { bold: true })], { indent: true }));
    for (const c of s.lines) {
      const runs = [run(`${c.number}. ${c.text}`)];
      if (c.note) runs.push(run(` ${c.note}`, { italics: true }));
      children.push(para(runs, { indent: true }));
    }
  }
  children.push(para(m.closing, { indent: true, after: 240 }));

  const [left, right] = m.signatures;
  const block = (s: { title: string; name: string } | undefined): Paragraph[] => [
    centre(s?.title ?? '', { bold: true }),
    centre('(Ký, ghi rõ họ tên)', { italics: true, size: SMALL }, 1200),
    centre(s?.name ?? '', { bold: true }),
  ];
  children.push(twoColumns(block(left), block(right), 50));
  children.push(para('', { align: AlignmentType.LEFT, after: 0 }));
  return Packer.toBuffer(
    documentOf(children, `Biên bản — ${m.meetingTitle}`, m.draft ? DRAFT_HEADER : undefined),
  );
}
