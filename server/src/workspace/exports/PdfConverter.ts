import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DomainError } from '../../domain/DomainError.js';
import { log } from '../../log/log.js';

/**
 * Turns a DOCX into PDF with LibreOffice headless (installed by infra/setup-system.sh), so the PDF
 * is the very document the DOCX is, laid out by a real word processor, with no network use.
 * One conversion at a time, with a private LibreOffice profile kept for the life of the process
 * (LibreOffice refuses to run twice on one profile, and creating one costs seconds).
 */
export class PdfConverter {
  #queue: Promise<unknown> = Promise.resolve();
  #profile: string | null = null;

  constructor(
    private readonly binary = process.env.SOFFICE_BIN ?? 'soffice',
    private readonly timeoutMs = 90_000,
  ) {}

  /** The PDF of a DOCX; UNAVAILABLE when LibreOffice is missing or fails. */
  fromDocx(docx: Uint8Array): Promise<Buffer> {
    const job = this.#queue.then(() => this.#convert(docx));
    this.#queue = job.catch(() => undefined);
    return job;
  }

  /** Removes the private profile; idempotent. */
  close(): void {
    if (this.#profile) rmSync(this.#profile, { recursive: true, force: true });
    this.#profile = null;
  }

  async #convert(docx: Uint8Array): Promise<Buffer> {
    this.#profile ??= mkdtempSync(path.join(tmpdir(), 'giaoban-lo-profile-'));
    const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-pdf-'));
    try {
      const input = path.join(dir, 'document.docx');
      mkdirSync(path.join(dir, 'out'));
      await writeFile(input, docx);
      const started = performance.now();
      await this.#run([
        '--headless',
        '--norestore',
        '--nologo',
        '--nolockcheck',
        `-env:UserInstallation=${pathToFileURL(this.#profile).href}`,
        '--convert-to',
        'pdf',
        '--outdir',
        path.join(dir, 'out'),
        input,
      ]);
      const pdf = await readFile(path.join(dir, 'out', 'document.pdf')).catch(() => {
        throw new DomainError('UNAVAILABLE', 'LibreOffice produced no PDF');
      });
      log.debug('PdfConverter', 'converted', {
        ms: Math.round(performance.now() - started),
        bytes: pdf.length,
      });
      return pdf;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  #run(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new DomainError(
            'UNAVAILABLE',
            err.code === 'ENOENT'
              ? 'PDF export needs LibreOffice (soffice), which is not installed on the hub; DOCX is available'
              : `LibreOffice could not start: ${err.message}`,
          ),
        );
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else {
          log.warn('PdfConverter', 'conversion failed', { code, signal, output: output.slice(-500) });
          reject(new DomainError('UNAVAILABLE', 'LibreOffice could not convert the document to PDF'));
        }
      });
    });
  }
}
