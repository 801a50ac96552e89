import os from 'node:os';
import path from 'node:path';

/** Limits and tools of document conversion, read from the environment with embedded defaults. */
export interface DocumentConfig {
  /** Where converted pages live (`<dataDir>/documents`). */
  dir: string;
  /** Where each conversion gets its private temporary directory (must be reachable by `nobody`). */
  workRoot: string;
  /** Largest upload, in bytes. */
  maxBytes: number;
  /** Most pages a document may have. */
  maxPages: number;
  /** Most bytes an OOXML/ODF archive may expand to, and most entries it may hold. */
  maxUnpackedBytes: number;
  maxZipEntries: number;
  /** Most an archive may expand relative to its own size (a zip bomb expands ~1000×). */
  maxUnpackRatio: number;
  /** Wall-clock limit of one whole conversion (Office → PDF → pages), in ms. */
  timeoutMs: number;
  /** Address-space limit of each converter process, in bytes. */
  memoryBytes: number;
  /** Conversions run at once (each LibreOffice takes a core and hundreds of MB). */
  concurrency: number;
  /** Width of page images and of thumbnails, in pixels. */
  pageWidth: number;
  thumbWidth: number;
  /** The converter programs (tests point `soffice` at a fake). */
  commands: { soffice: string; pdfinfo: string; pdftoppm: string };
}

/** A document setting that cannot be used; the message names the variable. */
export class DocumentConfigError extends Error {}

function readNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new DocumentConfigError(`${name} must be a number between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

const MB = 1024 * 1024;

/**
 * Reads DOCUMENT_* variables: DOCUMENT_MAX_MB (50), DOCUMENT_MAX_PAGES (300),
 * DOCUMENT_MAX_UNPACKED_MB (512), DOCUMENT_MAX_UNPACK_RATIO (100), DOCUMENT_TIMEOUT_SECONDS (300),
 * DOCUMENT_MEMORY_MB (2048), DOCUMENT_CONVERSIONS (1), DOCUMENT_PAGE_WIDTH (1600),
 * DOCUMENT_WORK_DIR (the OS temp dir), GIAOBAN_SOFFICE (soffice).
 */
export function loadDocumentConfig(env: NodeJS.ProcessEnv, dataDir: string): DocumentConfig {
  return {
    dir: path.join(dataDir, 'documents'),
    workRoot: env.DOCUMENT_WORK_DIR || os.tmpdir(),
    maxBytes: Math.round(readNumber(env, 'DOCUMENT_MAX_MB', 50, 0.001, 2048) * MB),
    maxPages: readNumber(env, 'DOCUMENT_MAX_PAGES', 300, 1, 5000),
    maxUnpackedBytes: Math.round(readNumber(env, 'DOCUMENT_MAX_UNPACKED_MB', 512, 1, 8192) * MB),
    maxZipEntries: 10_000,
    maxUnpackRatio: readNumber(env, 'DOCUMENT_MAX_UNPACK_RATIO', 100, 2, 10_000),
    timeoutMs: Math.round(readNumber(env, 'DOCUMENT_TIMEOUT_SECONDS', 300, 0.05, 3600) * 1000),
    memoryBytes: Math.round(readNumber(env, 'DOCUMENT_MEMORY_MB', 2048, 256, 65_536) * MB),
    concurrency: readNumber(env, 'DOCUMENT_CONVERSIONS', 1, 1, 16),
    pageWidth: readNumber(env, 'DOCUMENT_PAGE_WIDTH', 1600, 320, 4000),
    thumbWidth: 240,
    commands: { soffice: env.GIAOBAN_SOFFICE || 'soffice', pdfinfo: 'pdfinfo', pdftoppm: 'pdftoppm' },
  };
}
