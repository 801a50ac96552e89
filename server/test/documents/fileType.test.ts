import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DocumentError } from '../../src/documents/DocumentError.js';
import { detectDocumentKind } from '../../src/documents/FileType.js';
import { buildZip, deflateZeros, PPTX_SKELETON } from './zipWriter.js';

const fixtures = fileURLToPath(new URL('../../../tests/fixtures/documents/', import.meta.url));
const fixture = (name: string) => readFileSync(path.join(fixtures, name));
const LIMITS = { maxEntries: 10_000, maxUnpackedBytes: 512 * 1024 * 1024, maxRatio: 100 };

async function refusal(buf: Buffer, limits = LIMITS): Promise<DocumentError> {
  try {
    await detectDocumentKind(buf, limits);
  } catch (err) {
    if (err instanceof DocumentError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('detectDocumentKind() — the real type, from the bytes', () => {
  it('recognises the PDF, PPTX and DOCX fixtures whatever they are called', async () => {
    expect(await detectDocumentKind(fixture('tong-hop.pdf'), LIMITS)).toBe('pdf');
    expect(await detectDocumentKind(fixture('bao-cao.pptx'), LIMITS)).toBe('pptx');
    expect(await detectDocumentKind(fixture('bao-cao.docx'), LIMITS)).toBe('docx');
    expect(await detectDocumentKind(fixture('bao-cao.odp'), LIMITS)).toBe('odp');
  });

  it('recognises ODP and ODT by their stored mimetype entry', async () => {
    for (const [mime, kind] of [
      ['application/vnd.oasis.opendocument.presentation', 'odp'],
      ['application/vnd.oasis.opendocument.text', 'odt'],
    ] as const) {
      const zip = buildZip([
        { name: 'mimetype', data: Buffer.from(mime) },
        { name: 'content.xml', data: Buffer.from('<office:document-content/>') },
      ]);
      expect(await detectDocumentKind(zip, LIMITS)).toBe(kind);
    }
  });

  it('refuses with type for an image, a text file, an executable and an unrelated ZIP', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const elf = Buffer.from('7f454c46020101000000000000000000', 'hex');
    const spreadsheet = buildZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
    ]);
    for (const buf of [png, Buffer.from('Báo cáo tháng 5'), elf, spreadsheet]) {
      expect((await refusal(buf)).reason).toBe('type');
    }
  });

  it('refuses with type for a macro-enabled presentation and an encrypted entry', async () => {
    const macros = buildZip([...PPTX_SKELETON, { name: 'ppt/vbaProject.bin', data: Buffer.from('VBA') }]);
    expect((await refusal(macros)).reason).toBe('type');
    const encrypted = buildZip([
      ...PPTX_SKELETON,
      { name: 'ppt/slides/slide1.xml', data: Buffer.from('x'), encrypted: true },
    ]);
    expect((await refusal(encrypted)).reason).toBe('type');
  });

  it('refuses with bomb for a PPTX whose media expands 1000-fold (declared honestly)', async () => {
    const size = 200 * 1024 * 1024;
    const bomb = buildZip([
      ...PPTX_SKELETON,
      {
        name: 'ppt/media/image1.bin',
        data: Buffer.alloc(0),
        raw: { deflated: await deflateZeros(size), size },
      },
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const err = await refusal(bomb);
    expect(err.reason).toBe('bomb');
    expect(err.code).toBe('LIMIT');
    expect(err.message).toMatch(/expand/);
  });

  it('refuses with bomb for a PPTX whose directory lies about the unpacked size', async () => {
    const size = 64 * 1024 * 1024;
    const liar = buildZip([
      ...PPTX_SKELETON,
      {
        name: 'ppt/media/image1.bin',
        data: Buffer.alloc(0),
        raw: { deflated: await deflateZeros(size), size },
        declaredSize: 1000,
      },
    ]);
    expect((await refusal(liar)).reason).toBe('bomb');
  });

  it('refuses with bomb for an archive of too many entries', async () => {
    const many = buildZip([
      ...PPTX_SKELETON,
      ...Array.from({ length: 50 }, (_, i) => ({ name: `ppt/x${i}.xml`, data: Buffer.from('x') })),
    ]);
    expect((await refusal(many, { ...LIMITS, maxEntries: 20 })).reason).toBe('bomb');
  });

  it('refuses with corrupt for a truncated PPTX', async () => {
    const pptx = fixture('bao-cao.pptx');
    expect((await refusal(pptx.subarray(0, pptx.length - 5000))).reason).toBe('corrupt');
  });
});
