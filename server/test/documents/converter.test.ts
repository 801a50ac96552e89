import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocumentKind } from '@giaoban/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { type Conversion, Converter } from '../../src/documents/Converter.js';
import { type DocumentConfig, loadDocumentConfig } from '../../src/documents/DocumentConfig.js';
import { DocumentError } from '../../src/documents/DocumentError.js';
import { buildZip, PPTX_SKELETON } from './zipWriter.js';

const fixtures = fileURLToPath(new URL('../../../tests/fixtures/documents/', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'giaoban-converter-test-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A config whose conversions happen in their own folder, so "nothing left behind" is checkable. */
function config(patch: Partial<DocumentConfig> = {}): DocumentConfig {
  const workRoot = mkdtempSync(path.join(scratch, 'work-'));
  chmodSync(workRoot, 0o755);
  return { ...loadDocumentConfig({}, scratch), workRoot, ...patch };
}

/** Width of a PNG from its IHDR chunk. */
const pngWidth = (file: string) => readFileSync(file).readUInt32BE(16);

async function refusal(p: Promise<unknown>): Promise<DocumentError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DocumentError) return err;
    throw err;
  }
  throw new Error('expected the conversion to fail');
}

const CASES: [string, DocumentKind, number, string[]][] = [
  [
    'bao-cao.pptx',
    'pptx',
    3,
    [
      'Báo cáo kết quả công tác 5 tháng đầu năm 2025',
      'Ủy ban nhân dân tỉnh Thừa Thiên Huế',
      'Đồng chí Chủ trì kết luận',
    ],
  ],
  ['bao-cao.odp', 'odp', 3, ['Khó khăn, vướng mắc và kiến nghị', 'Ưu tiên chuyển đổi số ở cấp xã, phường']],
  [
    'bao-cao.docx',
    'docx',
    2,
    ['Thông báo kết luận của Đồng chí Chủ trì', 'Hà Nội, Hải Phòng, Đà Nẵng, Cần Thơ'],
  ],
  ['tong-hop.pdf', 'pdf', 4, ['Phụ lục: tiến độ giải ngân', 'hỗ trợ thiết bị hội nghị trực tuyến']],
];

describe('Converter — real conversions of Vietnamese reports', () => {
  it.each(CASES)(
    'converts %s (%s) to %i pages of 1600 px with 240 px thumbnails, Vietnamese text intact',
    async (name, kind, pages, phrases) => {
      const cfg = config();
      const progress: number[] = [];
      const started = Date.now();
      const conversion: Conversion = await new Converter(cfg).convert(path.join(fixtures, name), kind, (p) =>
        progress.push(p.pagesDone),
      );
      const ms = Date.now() - started;
      console.log(`Converter | converted ${name} [pages:${pages} ms:${ms}]`);
      try {
        expect(conversion.pageCount).toBe(pages);
        expect(readdirSync(path.join(conversion.dir, 'pages')).sort()).toEqual(
          Array.from({ length: pages }, (_, i) => `${i + 1}.png`).sort(),
        );
        for (let n = 1; n <= pages; n++) {
          expect(pngWidth(path.join(conversion.dir, 'pages', `${n}.png`))).toBe(1600);
          expect(pngWidth(path.join(conversion.dir, 'thumbs', `${n}.png`))).toBe(240);
        }
        const text = execFileSync('pdftotext', [path.join(conversion.dir, 'document.pdf'), '-'], {
          encoding: 'utf8',
        });
        for (const phrase of phrases) expect(text.replace(/\s+/g, ' ')).toContain(phrase);
        expect(progress.at(-1) ?? 0).toBeLessThanOrEqual(pages);
        expect(conversion.aspect).toBeGreaterThan(0);
      } finally {
        await conversion.dispose();
      }
      expect(readdirSync(cfg.workRoot)).toEqual([]);
    },
    120_000,
  );
});

describe('Converter — photographs', () => {
  it('keeps a photographic page as JPEG (a fraction of its PNG) and text pages as PNG', async () => {
    const cfg = config();
    const conversion = await new Converter(cfg).convert(
      path.join(fixtures, 'anh-chup.pdf'),
      'pdf',
      () => undefined,
    );
    try {
      expect(readdirSync(path.join(conversion.dir, 'pages'))).toEqual(['1.jpg']);
      const jpeg = readFileSync(path.join(conversion.dir, 'pages', '1.jpg'));
      expect(jpeg.subarray(0, 3).toString('hex')).toBe('ffd8ff');
      expect(jpeg.length).toBeLessThan(400 * 1024);
      expect(readdirSync(path.join(conversion.dir, 'thumbs'))).toEqual(['1.png']);
      const text = execFileSync('pdftotext', [path.join(conversion.dir, 'document.pdf'), '-'], {
        encoding: 'utf8',
      });
      expect(text).toContain('Ảnh hiện trường: công trình trọng điểm');
    } finally {
      await conversion.dispose();
    }
  }, 60_000);
});

describe('Converter — bad files fail clearly and leave nothing behind', () => {
  it('refuses with corrupt for a PDF that is only a header and garbage', async () => {
    const cfg = config();
    const bad = path.join(scratch, 'hong.pdf');
    writeFileSync(bad, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 0x41)]));
    const err = await refusal(new Converter(cfg).convert(bad, 'pdf', () => undefined));
    expect(err.reason).toBe('corrupt');
    expect(readdirSync(cfg.workRoot)).toEqual([]);
  });

  it('refuses with corrupt a PPTX whose parts are garbage (it passes the type check)', async () => {
    const cfg = config();
    const bad = path.join(scratch, 'rac.pptx');
    writeFileSync(
      bad,
      buildZip([PPTX_SKELETON[0] as never, { name: 'ppt/presentation.xml', data: Buffer.from('rác <<<') }]),
    );
    const err = await refusal(new Converter(cfg).convert(bad, 'pptx', () => undefined));
    expect(err.reason).toBe('corrupt');
    expect(readdirSync(cfg.workRoot)).toEqual([]);
  }, 60_000);

  it('fails with converter (not "damaged") when the office suite runs out of memory', async () => {
    const cfg = config({ memoryBytes: 200 * 1024 * 1024 });
    const err = await refusal(
      new Converter(cfg).convert(path.join(fixtures, 'bao-cao.pptx'), 'pptx', () => undefined),
    );
    expect(err.reason).toBe('converter');
    expect(err.message).toMatch(/out of memory/);
    expect(readdirSync(cfg.workRoot)).toEqual([]);
  }, 60_000);

  it('refuses with pages for a document over the page limit', async () => {
    const cfg = config({ maxPages: 2 });
    const err = await refusal(
      new Converter(cfg).convert(path.join(fixtures, 'tong-hop.pdf'), 'pdf', () => undefined),
    );
    expect(err.reason).toBe('pages');
    expect(err.message).toContain('4 pages');
    expect(readdirSync(cfg.workRoot)).toEqual([]);
  });

  it('stops a converter that hangs past the timeout, kills its processes and removes its folder', async () => {
    const bin = mkdtempSync(path.join(scratch, 'bin-'));
    chmodSync(bin, 0o777);
    const pidFile = path.join(bin, 'sleeper.pid');
    const fake = path.join(bin, 'soffice');
    writeFileSync(fake, `#!/bin/sh\nsleep 60 &\necho $! > ${pidFile}\nwait\n`, { mode: 0o755 });
    const cfg = config({
      timeoutMs: 1500,
      commands: { soffice: fake, pdfinfo: 'pdfinfo', pdftoppm: 'pdftoppm' },
    });
    const err = await refusal(
      new Converter(cfg).convert(path.join(fixtures, 'bao-cao.pptx'), 'pptx', () => undefined),
    );
    // Killed by the timeout: the reason says so and the 60 s sleeper below is gone.
    expect(err.reason).toBe('timeout');
    expect(readdirSync(cfg.workRoot)).toEqual([]);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    const stat = existsSync(`/proc/${sleeper}/stat`) ? readFileSync(`/proc/${sleeper}/stat`, 'utf8') : '';
    expect(stat === '' || / Z /.test(stat)).toBe(true);
  });
});

/** An ODT whose content links a local file into a section and an image from a URL. */
function odtWithExternalLinks(url: string): Buffer {
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3">
 <office:body><office:text>
  <text:p>Báo cáo có liên kết ngoài</text:p>
  <text:section text:name="S1"><text:section-source xlink:href="file:///etc/passwd" text:filter-name="Text"/><text:p>đoạn giữ chỗ</text:p></text:section>
  <text:p>Ảnh <draw:frame draw:name="i1" text:anchor-type="as-char" svg:width="3cm" svg:height="3cm"><draw:image xlink:href="${url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>
 </office:text></office:body>
</office:document-content>`;
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>`;
  return buildZip([
    { name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text') },
    { name: 'content.xml', data: Buffer.from(content) },
    { name: 'META-INF/manifest.xml', data: Buffer.from(manifest) },
  ]);
}

describe('Converter — external links (the CVE-2020-25820 class)', () => {
  it('reads no local file into the pages and fetches no URL while converting', async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const file = path.join(scratch, 'lien-ket.odt');
    writeFileSync(file, odtWithExternalLinks(`http://127.0.0.1:${port}/secret.png`));
    const cfg = config();
    try {
      const conversion = await new Converter(cfg).convert(file, 'odt', () => undefined);
      try {
        const text = execFileSync('pdftotext', [path.join(conversion.dir, 'document.pdf'), '-'], {
          encoding: 'utf8',
        });
        expect(text).toContain('Báo cáo có liên kết ngoài');
        expect(text).not.toMatch(/root:x?:0:0/);
      } finally {
        await conversion.dispose();
      }
    } finally {
      server.close();
    }
    expect(requests).toEqual([]);
    expect(readdirSync(cfg.workRoot)).toEqual([]);
  }, 60_000);
});
