import { chown, copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DocumentKind } from '@giaoban/shared';
import { log } from '../log/log.js';
import { type ConfinedResult, detectConfinement, NOBODY, runConfined } from './Confinement.js';
import type { DocumentConfig } from './DocumentConfig.js';
import { DocumentError } from './DocumentError.js';
import { EXTENSION } from './FileType.js';

/** Pages rendered so far, as the converter goes. */
export type ConversionProgress = (p: { pagesDone: number; pageCount: number; aspect: number | null }) => void;

/** A finished conversion in its private directory; `dispose()` removes the directory. */
export interface Conversion {
  /** Holds `document.pdf`, `pages/<n>.png` (or `<n>.jpg` for photographs) and `thumbs/<n>.png` (1-based). */
  dir: string;
  pageCount: number;
  /** Width ÷ height of the first page. */
  aspect: number;
  dispose(): Promise<void>;
}

/**
 * A fresh LibreOffice profile: macros never run (highest security level, execution disabled),
 * linked content from untrusted documents is blocked and Writer/Calc never update external
 * links. BigBlueButton's CVE-2020-25820 was an Office document whose links made the converter
 * read local files and internal URLs; here the converter also has no network and runs as `nobody`.
 */
const PROFILE = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="ExecutePlugins" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseOpenCL" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
`;

const POLL_MS = 250;
/**
 * A page image larger than this is a photograph rather than text and diagrams: it is drawn again
 * as JPEG and kept in that form when that is much smaller (every site downloads every page).
 */
const PHOTO_PNG_BYTES = 256 * 1024;

/** Converts one checked file to a PDF, page images and thumbnails, in a private directory. */
export class Converter {
  constructor(private readonly config: DocumentConfig) {}

  /**
   * Runs the whole conversion under one deadline. On any failure the private directory is
   * removed before the DocumentError is thrown, so nothing is left behind.
   */
  async convert(
    file: string,
    kind: DocumentKind,
    onProgress: ConversionProgress,
    signal?: AbortSignal,
  ): Promise<Conversion> {
    const deadline = Date.now() + this.config.timeoutMs;
    const work = await mkdtemp(path.join(this.config.workRoot, 'giaoban-convert-'));
    const dispose = () => rm(work, { recursive: true, force: true });
    try {
      const owner = detectConfinement().dropToNobody ? NOBODY : null;
      const own = async (p: string) => {
        if (owner) await chown(p, owner.uid, owner.gid);
      };
      await own(work);
      const input = path.join(work, `in.${EXTENSION[kind]}`);
      await copyFile(file, input);
      await own(input);
      const out = path.join(work, 'out');
      await mkdir(out);
      await own(out);

      let pdf = input;
      if (kind !== 'pdf') pdf = await this.#officeToPdf(work, input, deadline, own, signal);
      const { pageCount, aspect } = await this.#pdfInfo(work, pdf, deadline, signal);
      onProgress({ pagesDone: 0, pageCount, aspect });
      await this.#render(work, pdf, path.join(out, 'p'), this.config.pageWidth, deadline, signal, (done) =>
        onProgress({ pagesDone: Math.min(done, pageCount), pageCount, aspect }),
      );
      await this.#render(work, pdf, path.join(out, 't'), this.config.thumbWidth, deadline, signal);

      const result = path.join(work, 'result');
      await mkdir(path.join(result, 'pages'), { recursive: true });
      await mkdir(path.join(result, 'thumbs'));
      await copyFile(pdf, path.join(result, 'document.pdf'));
      const pages = await collectPages(out, 'p', path.join(result, 'pages'));
      const thumbs = await collectPages(out, 't', path.join(result, 'thumbs'));
      if (pages !== pageCount || thumbs !== pageCount) {
        throw new DocumentError(
          'corrupt',
          `Only ${Math.min(pages, thumbs)} of ${pageCount} pages could be drawn.`,
        );
      }
      await this.#photosToJpeg(work, pdf, out, path.join(result, 'pages'), pageCount, deadline, signal);
      return { dir: result, pageCount, aspect, dispose };
    } catch (err) {
      await dispose();
      throw err;
    }
  }

  async #run(work: string, command: string, args: string[], deadline: number, signal?: AbortSignal) {
    const timeoutMs = deadline - Date.now();
    if (timeoutMs <= 0) throw timeoutError(this.config.timeoutMs);
    const result = await runConfined({
      command,
      args,
      home: work,
      timeoutMs,
      memoryBytes: this.config.memoryBytes,
      ...(signal ? { signal } : {}),
    });
    if (result.timedOut) throw timeoutError(this.config.timeoutMs);
    if (result.aborted) throw new DocumentError('converter', 'The conversion was stopped.');
    if (result.code === null) {
      // Killed by a signal: the memory or CPU limit, or a crash — not the user's file format.
      logFailure(path.basename(command), result);
      throw new DocumentError(
        'converter',
        'The converter stopped on this file (out of memory or crashed): it may be too large or too complex.',
      );
    }
    return result;
  }

  async #officeToPdf(
    work: string,
    input: string,
    deadline: number,
    own: (p: string) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<string> {
    const profile = path.join(work, 'profile');
    await mkdir(path.join(profile, 'user'), { recursive: true });
    await writeFile(path.join(profile, 'user', 'registrymodifications.xcu'), PROFILE);
    for (const p of [
      profile,
      path.join(profile, 'user'),
      path.join(profile, 'user', 'registrymodifications.xcu'),
    ])
      await own(p);
    const result = await this.#run(
      work,
      this.config.commands.soffice,
      [
        '--headless',
        '--invisible',
        '--nodefault',
        '--nofirststartwizard',
        '--nolockcheck',
        '--nologo',
        '--norestore',
        `-env:UserInstallation=${pathToFileURL(profile).href}`,
        '--convert-to',
        'pdf',
        '--outdir',
        work,
        input,
      ],
      deadline,
      signal,
    );
    const pdf = path.join(work, 'in.pdf');
    const made = (await readdir(work)).includes('in.pdf');
    if (result.code === 0 && made) return pdf;
    logFailure('officeToPdf', result);
    // LibreOffice says so when it cannot read the file (and exits 0); anything else is it failing.
    if (/source file could not be loaded/i.test(result.output) || result.code === 0) {
      throw new DocumentError('corrupt', 'The office suite could not open this file: it may be damaged.');
    }
    throw new DocumentError(
      'converter',
      'The office suite failed on this file (out of memory or crashed): it may be too large or too complex.',
    );
  }

  async #pdfInfo(
    work: string,
    pdf: string,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<{ pageCount: number; aspect: number }> {
    const result = await this.#run(work, this.config.commands.pdfinfo, [pdf], deadline, signal);
    const pages = /^Pages:\s+(\d+)/m.exec(result.output);
    const size = /^Page size:\s+([\d.]+) x ([\d.]+)/m.exec(result.output);
    const rotation = Number(/^Page rot:\s+(\d+)/m.exec(result.output)?.[1] ?? 0);
    if (result.code !== 0 || !pages || !size) {
      logFailure('pdfInfo', result);
      throw new DocumentError('corrupt', 'The PDF is damaged or password-protected.');
    }
    const pageCount = Number(pages[1]);
    if (pageCount < 1) throw new DocumentError('corrupt', 'The PDF has no pages.');
    if (pageCount > this.config.maxPages) {
      throw new DocumentError(
        'pages',
        `The document has ${pageCount} pages; at most ${this.config.maxPages} are accepted.`,
      );
    }
    let aspect = Number(size[1]) / Number(size[2]);
    if (rotation % 180 === 90) aspect = 1 / aspect;
    if (!Number.isFinite(aspect) || aspect <= 0) aspect = 16 / 9;
    return { pageCount, aspect: Math.round(aspect * 1000) / 1000 };
  }

  /** Replaces photographic pages' PNGs with JPEGs when those are under 60 % of the size. */
  async #photosToJpeg(
    work: string,
    pdf: string,
    out: string,
    pages: string,
    pageCount: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<void> {
    for (let n = 1; n <= pageCount; n++) {
      const png = path.join(pages, `${n}.png`);
      const pngBytes = (await stat(png)).size;
      if (pngBytes <= PHOTO_PNG_BYTES) continue;
      const prefix = path.join(out, `j${n}`);
      const result = await this.#run(
        work,
        this.config.commands.pdftoppm,
        [
          '-jpeg',
          '-jpegopt',
          'quality=85',
          '-singlefile',
          '-f',
          String(n),
          '-l',
          String(n),
          '-scale-to-x',
          String(this.config.pageWidth),
          '-scale-to-y',
          '-1',
          pdf,
          prefix,
        ],
        deadline,
        signal,
      );
      const jpeg = `${prefix}.jpg`;
      const jpegBytes =
        result.code === 0
          ? await stat(jpeg).then(
              (s) => s.size,
              () => 0,
            )
          : 0;
      if (jpegBytes > 0 && jpegBytes < pngBytes * 0.6) {
        await rename(jpeg, path.join(pages, `${n}.jpg`));
        await rm(png);
      }
    }
  }

  async #render(
    work: string,
    pdf: string,
    prefix: string,
    width: number,
    deadline: number,
    signal?: AbortSignal,
    onPages?: (done: number) => void,
  ): Promise<void> {
    const dir = path.dirname(prefix);
    const base = path.basename(prefix);
    let last = -1;
    const poll = onPages
      ? setInterval(() => {
          void readdir(dir)
            .then((names) => names.filter((n) => n.startsWith(`${base}-`)).length)
            .then((done) => {
              // pdftoppm writes a page at a time: the newest file may still be open.
              const finished = Math.max(0, done - 1);
              if (finished > last) {
                last = finished;
                onPages(finished);
              }
            })
            .catch(() => undefined);
        }, POLL_MS)
      : null;
    try {
      const result = await this.#run(
        work,
        this.config.commands.pdftoppm,
        ['-png', '-scale-to-x', String(width), '-scale-to-y', '-1', pdf, prefix],
        deadline,
        signal,
      );
      if (result.code !== 0) {
        logFailure('render', result);
        throw new DocumentError('corrupt', 'The pages of this PDF cannot be drawn: it may be damaged.');
      }
    } finally {
      if (poll) clearInterval(poll);
    }
  }
}

/** Moves `<prefix>-<n>.png` (pdftoppm pads n) to `<to>/<n>.png`; returns how many. */
async function collectPages(from: string, prefix: string, to: string): Promise<number> {
  let count = 0;
  const pattern = new RegExp(`^${prefix}-(\\d+)\\.png$`);
  for (const name of await readdir(from)) {
    const m = pattern.exec(name);
    if (!m) continue;
    await rename(path.join(from, name), path.join(to, `${Number(m[1])}.png`));
    count += 1;
  }
  return count;
}

function timeoutError(ms: number): DocumentError {
  return new DocumentError(
    'timeout',
    `The conversion took longer than ${Math.round(ms / 100) / 10} s and was stopped.`,
  );
}

function logFailure(step: string, result: ConfinedResult): void {
  log.warn(`Converter.${step}()`, 'converter failed', {
    code: result.code,
    output: result.output.slice(-600),
  });
}
