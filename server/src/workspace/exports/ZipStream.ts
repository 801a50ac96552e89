import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';

const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const MAX32 = 0xffffffff;
/** Bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8 (Vietnamese file names). */
const FLAGS_STREAMED = 0x0808;
const FLAGS_KNOWN = 0x0800;
/** Vietnam time (UTC+7) for the DOS timestamps a file manager shows. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

interface Entry {
  name: Buffer;
  flags: number;
  crc: number;
  size: number;
  offset: number;
  time: number;
  date: number;
}

function dosTime(at: Date): { time: number; date: number } {
  const d = new Date(at.getTime() + VIETNAM_OFFSET_MS);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((Math.max(1980, d.getUTCFullYear()) - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/**
 * A ZIP written as it goes to a stream (an HTTP answer), entries stored, not compressed: the
 * recordings are already compressed video and can be gigabytes, so nothing is held in memory or
 * read twice. A file's CRC is computed while it streams and written after it (a data descriptor);
 * offsets past 4 GiB use ZIP64 records. Each single entry must stay under 4 GiB (a segment is
 * minutes of video). Readable by unzip, 7-Zip, Windows and macOS.
 */
export class ZipStream {
  readonly #out: Writable;
  readonly #entries: Entry[] = [];
  readonly #zip64Always: boolean;
  #offset = 0;
  #finished = false;

  /** `zip64: 'always'` writes the ZIP64 records even for a small archive (tests read them back). */
  constructor(out: Writable, options: { zip64?: 'auto' | 'always' } = {}) {
    this.#out = out;
    this.#zip64Always = options.zip64 === 'always';
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#offset;
  }

  /** Adds an entry from memory (a DOCX, a CSV). */
  async addBuffer(name: string, bytes: Buffer, at: Date = new Date()): Promise<void> {
    const entry = this.#entry(name, FLAGS_KNOWN, at);
    entry.crc = crc32(bytes) >>> 0;
    entry.size = bytes.length;
    await this.#write(this.#localHeader(entry));
    await this.#write(bytes);
    this.#entries.push(entry);
  }

  /** Adds a file from disk, streamed (its CRC follows the data). */
  async addFile(name: string, path: string): Promise<void> {
    const info = await stat(path);
    if (info.size >= MAX32) throw new Error(`ZipStream | ${name} is 4 GiB or more`);
    const entry = this.#entry(name, FLAGS_STREAMED, info.mtime);
    await this.#write(this.#localHeader(entry));
    let crc = 0;
    let size = 0;
    for await (const chunk of createReadStream(path)) {
      const data = chunk as Buffer;
      crc = crc32(data, crc);
      size += data.length;
      await this.#write(data);
    }
    entry.crc = crc >>> 0;
    entry.size = size;
    const d = Buffer.alloc(16);
    d.writeUInt32LE(DESCRIPTOR, 0);
    d.writeUInt32LE(entry.crc, 4);
    d.writeUInt32LE(size, 8);
    d.writeUInt32LE(size, 12);
    await this.#write(d);
    this.#entries.push(entry);
  }

  /** Writes the central directory and the end records; the stream is left open. Idempotent. */
  async finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    const start = this.#offset;
    for (const e of this.#entries) await this.#write(this.#centralHeader(e));
    const size = this.#offset - start;
    const count = this.#entries.length;
    const zip64 = this.#zip64Always || start >= MAX32 || size >= MAX32 || count >= 0xffff;
    if (zip64) {
      const endAt = this.#offset;
      const r = Buffer.alloc(56);
      r.writeUInt32LE(END64, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE(45, 12);
      r.writeUInt16LE(45, 14);
      r.writeBigUInt64LE(BigInt(count), 24);
      r.writeBigUInt64LE(BigInt(count), 32);
      r.writeBigUInt64LE(BigInt(size), 40);
      r.writeBigUInt64LE(BigInt(start), 48);
      const l = Buffer.alloc(20);
      l.writeUInt32LE(LOCATOR64, 0);
      l.writeBigUInt64LE(BigInt(endAt), 8);
      l.writeUInt32LE(1, 16);
      await this.#write(Buffer.concat([r, l]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END, 0);
    end.writeUInt16LE(zip64 ? 0xffff : count, 8);
    end.writeUInt16LE(zip64 ? 0xffff : count, 10);
    end.writeUInt32LE(zip64 ? MAX32 : size, 12);
    end.writeUInt32LE(zip64 ? MAX32 : start, 16);
    await this.#write(end);
  }

  #entry(name: string, flags: number, at: Date): Entry {
    if (this.#finished) throw new Error('ZipStream | finished');
    const clean = name.replace(/\\/g, '/').replace(/^\/+/, '');
    if (clean.split('/').includes('..')) throw new Error(`ZipStream | bad entry name ${name}`);
    return { name: Buffer.from(clean, 'utf8'), flags, crc: 0, size: 0, offset: this.#offset, ...dosTime(at) };
  }

  #localHeader(e: Entry): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(LOCAL, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(e.flags, 6);
    h.writeUInt16LE(0, 8); // stored
    h.writeUInt16LE(e.time, 10);
    h.writeUInt16LE(e.date, 12);
    // Streamed: CRC and sizes are 0 here and follow the data.
    h.writeUInt32LE(e.flags === FLAGS_STREAMED ? 0 : e.crc, 14);
    h.writeUInt32LE(e.flags === FLAGS_STREAMED ? 0 : e.size, 18);
    h.writeUInt32LE(e.flags === FLAGS_STREAMED ? 0 : e.size, 22);
    h.writeUInt16LE(e.name.length, 26);
    return Buffer.concat([h, e.name]);
  }

  #centralHeader(e: Entry): Buffer {
    const far = this.#zip64Always || e.offset >= MAX32;
    const extra = Buffer.alloc(far ? 12 : 0);
    if (far) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(8, 2);
      extra.writeBigUInt64LE(BigInt(e.offset), 4);
    }
    const h = Buffer.alloc(46);
    h.writeUInt32LE(CENTRAL, 0);
    h.writeUInt16LE((3 << 8) | 45, 4); // made by Unix, spec 4.5
    h.writeUInt16LE(far ? 45 : 20, 6);
    h.writeUInt16LE(e.flags, 8);
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE(e.time, 12);
    h.writeUInt16LE(e.date, 14);
    h.writeUInt32LE(e.crc, 16);
    h.writeUInt32LE(e.size, 20);
    h.writeUInt32LE(e.size, 24);
    h.writeUInt16LE(e.name.length, 28);
    h.writeUInt16LE(extra.length, 30);
    h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    h.writeUInt32LE(far ? MAX32 : e.offset, 42);
    return Buffer.concat([h, e.name, extra]);
  }

  async #write(chunk: Buffer): Promise<void> {
    this.#offset += chunk.length;
    if (this.#out.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.#out.off('drain', ok);
        this.#out.off('close', closed);
        this.#out.off('error', done);
        if (err) reject(err);
        else resolve();
      };
      const ok = () => done();
      const closed = () => done(new Error('ZipStream | the stream closed'));
      this.#out.once('drain', ok);
      this.#out.once('close', closed);
      this.#out.once('error', done);
    });
  }
}
