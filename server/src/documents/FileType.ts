import type { DocumentKind } from '@giaoban/shared';
import { DocumentError } from './DocumentError.js';
import { checkZipBomb, entryData, listZipEntries, type ZipLimits } from './ZipInspector.js';

const ODF_KINDS: Readonly<Record<string, DocumentKind>> = {
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.text': 'odt',
};

const unsupported = () =>
  new DocumentError(
    'type',
    'Only PDF, PowerPoint (.pptx), Word (.docx) and OpenDocument (.odp, .odt) files are accepted.',
  );

/**
 * What a file really is, from its bytes (the name's extension is not trusted): a PDF by its
 * `%PDF-` header; PPTX/DOCX and ODP/ODT by the parts inside their ZIP container, which is also
 * checked for archive bombs. Anything else, macro-enabled Office files and password-protected
 * archives are refused.
 */
export async function detectDocumentKind(buf: Buffer, limits: ZipLimits): Promise<DocumentKind> {
  if (buf.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (buf.length < 4 || buf.readUInt32LE(0) !== 0x04034b50) throw unsupported();
  const entries = listZipEntries(buf, limits.maxEntries);
  const names = new Set(entries.map((e) => e.name));
  let kind: DocumentKind;
  const mimetype = entries.find((e) => e.name === 'mimetype');
  if (mimetype && mimetype.method === 0 && mimetype.size < 200) {
    const found = ODF_KINDS[entryData(buf, mimetype).toString('latin1').trim()];
    if (!found) throw unsupported();
    kind = found;
  } else if (names.has('[Content_Types].xml') && names.has('ppt/presentation.xml')) kind = 'pptx';
  else if (names.has('[Content_Types].xml') && names.has('word/document.xml')) kind = 'docx';
  else throw unsupported();
  if ([...names].some((n) => /(^|\/)vbaProject\.bin$/i.test(n) || /^Basic\//.test(n))) {
    throw new DocumentError('type', 'Documents with macros are not accepted: save the file without macros.');
  }
  await checkZipBomb(buf, entries, limits);
  return kind;
}

/** File extension LibreOffice expects for each kind. */
export const EXTENSION: Readonly<Record<DocumentKind, string>> = {
  pdf: 'pdf',
  pptx: 'pptx',
  odp: 'odp',
  docx: 'docx',
  odt: 'odt',
};
