import { randomBytes } from 'node:crypto';
import { access, cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Conversion } from './Converter.js';

/** What is kept of a converted file, once per content hash. */
export interface StoredPages {
  hash: string;
  pageCount: number;
  aspect: number;
}

/** Which meeting a document belongs to and which converted file it shows. */
export interface DocumentLink {
  documentId: string;
  meetingId: string;
  hash: string;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Converted documents on disk, content-addressed so a file uploaded twice (to two meetings, or
 * by the organizer and again by a presenter) is converted once:
 * `blobs/<sha256>/{document.pdf,pages/<n>.png,thumbs/<n>.png,manifest.json}`, and
 * `docs/<documentId>.json` linking each meeting's document to its blob. Uploads wait in
 * `incoming/` until checked. A blob appears whole (staged, then renamed) or not at all.
 */
export class DocumentStore {
  readonly #blobs: string;
  readonly #docs: string;
  readonly #incoming: string;

  constructor(readonly root: string) {
    this.#blobs = path.join(root, 'blobs');
    this.#docs = path.join(root, 'docs');
    this.#incoming = path.join(root, 'incoming');
  }

  /** Creates the folders and removes what an interrupted run left (uploads, half-copied blobs). */
  async init(): Promise<void> {
    for (const dir of [this.#blobs, this.#docs, this.#incoming])
      await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.#incoming))
      await rm(path.join(this.#incoming, name), { force: true });
    for (const name of await readdir(this.#blobs)) {
      if (name.startsWith('.staging-'))
        await rm(path.join(this.#blobs, name), { recursive: true, force: true });
    }
  }

  /** A fresh path for an upload being received. */
  incomingPath(): string {
    return path.join(this.#incoming, `${randomBytes(12).toString('hex')}.upload`);
  }

  /** The converted pages of a content hash, or null when it was never converted. */
  async converted(hash: string): Promise<StoredPages | null> {
    if (!SHA256.test(hash)) return null;
    try {
      return JSON.parse(await readFile(path.join(this.#blobs, hash, 'manifest.json'), 'utf8')) as StoredPages;
    } catch {
      return null;
    }
  }

  /** Keeps a finished conversion under its hash (copied whole, then renamed into place). */
  async commit(hash: string, conversion: Conversion): Promise<StoredPages> {
    if (!SHA256.test(hash)) throw new Error(`DocumentStore.commit() | bad hash ${hash}`);
    const existing = await this.converted(hash);
    if (existing) return existing;
    const manifest: StoredPages = { hash, pageCount: conversion.pageCount, aspect: conversion.aspect };
    const staging = path.join(this.#blobs, `.staging-${randomBytes(8).toString('hex')}`);
    try {
      await cp(conversion.dir, staging, { recursive: true });
      await writeFile(path.join(staging, 'manifest.json'), JSON.stringify(manifest));
      await rename(staging, path.join(this.#blobs, hash));
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return manifest;
  }

  /** Records that a meeting's document shows the blob `hash`. */
  async link(link: DocumentLink): Promise<void> {
    if (!SAFE_ID.test(link.documentId)) throw new Error(`DocumentStore.link() | bad id ${link.documentId}`);
    await writeFile(path.join(this.#docs, `${link.documentId}.json`), JSON.stringify(link));
  }

  /** The link of a document id, or null (unknown, removed, or a malformed id). */
  async lookup(documentId: string): Promise<DocumentLink | null> {
    if (!SAFE_ID.test(documentId)) return null;
    try {
      return JSON.parse(await readFile(path.join(this.#docs, `${documentId}.json`), 'utf8')) as DocumentLink;
    } catch {
      return null;
    }
  }

  /** Forgets a document; its blob goes too when no other document shows it. */
  async unlink(documentId: string): Promise<void> {
    const link = await this.lookup(documentId);
    if (!link) return;
    await rm(path.join(this.#docs, `${documentId}.json`), { force: true });
    const links = await Promise.all(
      (await readdir(this.#docs)).map((name) => this.lookup(name.replace(/\.json$/, ''))),
    );
    if (!links.some((l) => l?.hash === link.hash)) {
      await rm(path.join(this.#blobs, link.hash), { recursive: true, force: true });
    }
  }

  /** Path of page `n` (1-based) of a blob: the full image (PNG, or JPEG for a photograph) or its thumbnail. */
  async pageFile(hash: string, variant: 'pages' | 'thumbs', n: number): Promise<string> {
    if (!SHA256.test(hash) || !Number.isInteger(n) || n < 1)
      throw new Error('DocumentStore.pageFile() | bad page');
    const base = path.join(this.#blobs, hash, variant, String(n));
    if (variant === 'pages') {
      const jpeg = `${base}.jpg`;
      if (
        await access(jpeg).then(
          () => true,
          () => false,
        )
      )
        return jpeg;
    }
    return `${base}.png`;
  }

  /** Path of a blob's PDF. */
  pdfFile(hash: string): string {
    if (!SHA256.test(hash)) throw new Error('DocumentStore.pdfFile() | bad hash');
    return path.join(this.#blobs, hash, 'document.pdf');
  }
}
