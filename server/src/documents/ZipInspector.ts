import zlib from 'node:zlib';
import { DocumentError } from './DocumentError.js';

/** One file of a ZIP archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  /** Declared size once unpacked; verified by unpacking, never trusted. */
  size: number;
  localHeaderOffset: number;
}

/** Caps an archive must stay under before LibreOffice may open it. */
export interface ZipLimits {
  maxEntries: number;
  maxUnpackedBytes: number;
  /** Unpacked total ÷ archive size. */
  maxRatio: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;

const corrupt = (why: string) => new DocumentError('corrupt', `The file is damaged (${why}).`);

/** Reads a 64-bit little-endian size; refuses values JavaScript cannot hold exactly. */
function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('impossible size');
  return Number(v);
}

/** Finds the central directory through the end record (ZIP64 too). */
function centralDirectory(buf: Buffer): { offset: number; entries: number } {
  // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
  const from = Math.max(0, buf.length - 22 - 0xffff);
  let at = -1;
  for (let i = buf.length - 22; i >= from; i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw corrupt('no ZIP end record');
  let entries = buf.readUInt16LE(at + 10);
  let offset = buf.readUInt32LE(at + 16);
  if (
    (entries === 0xffff || offset === U32_MAX) &&
    at >= 20 &&
    buf.readUInt32LE(at - 20) === EOCD64_LOCATOR
  ) {
    const at64 = u64(buf, at - 20 + 8);
    if (at64 + 56 > buf.length || buf.readUInt32LE(at64) !== EOCD64) throw corrupt('bad ZIP64 end record');
    entries = u64(buf, at64 + 32);
    offset = u64(buf, at64 + 48);
  }
  if (offset >= buf.length) throw corrupt('central directory out of range');
  return { offset, entries };
}

/** Lists the entries of a ZIP archive held in memory, from its central directory. */
export function listZipEntries(buf: Buffer, maxEntries: number): ZipEntry[] {
  const { offset, entries: count } = centralDirectory(buf);
  if (count > maxEntries) {
    throw new DocumentError('bomb', `The archive holds ${count} files; at most ${maxEntries} are accepted.`);
  }
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL) throw corrupt('bad central directory');
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    let compressedSize = buf.readUInt32LE(at + 20);
    let size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    let localHeaderOffset = buf.readUInt32LE(at + 42);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd + extraLength > buf.length) throw corrupt('bad central directory');
    const name = buf.toString('utf8', at + 46, nameEnd);
    // ZIP64: the sizes that do not fit in 32 bits follow, in this order, in extra field 0x0001.
    let extra = nameEnd;
    while (extra + 4 <= nameEnd + extraLength) {
      const id = buf.readUInt16LE(extra);
      const length = buf.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let f = extra + 4;
        if (size === U32_MAX) {
          size = u64(buf, f);
          f += 8;
        }
        if (compressedSize === U32_MAX) {
          compressedSize = u64(buf, f);
          f += 8;
        }
        if (localHeaderOffset === U32_MAX) localHeaderOffset = u64(buf, f);
      }
      extra += 4 + length;
    }
    entries.push({ name, method, encrypted: (flags & 1) === 1, compressedSize, size, localHeaderOffset });
    at = nameEnd + extraLength + commentLength;
  }
  return entries;
}

/** The stored bytes of an entry (still compressed), located through its local header. */
export function entryData(buf: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeaderOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL)
    throw corrupt(`bad local header of ${entry.name}`);
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw corrupt(`${entry.name} is cut short`);
  return buf.subarray(start, end);
}

class TooBig extends Error {}

/** Inflates `data` only to count its bytes, stopping as soon as it passes `limit`. */
function inflatedSize(data: Buffer, limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflate = zlib.createInflateRaw();
    let total = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    inflate.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        settle(() => reject(new TooBig()));
        inflate.destroy();
      }
    });
    inflate.on('end', () => settle(() => resolve(total)));
    inflate.on('error', (err) => settle(() => reject(err)));
    inflate.end(data);
  });
}

const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;

/**
 * Refuses an archive bomb before any office suite opens it: too many entries, a declared
 * unpacked total over the cap or out of proportion with the file, or an entry that unpacks to
 * more than it declares (a lying directory). Every entry is actually inflated (counting bytes,
 * keeping nothing), so the check does not rest on sizes the file merely claims.
 */
export async function checkZipBomb(
  buf: Buffer,
  entries: readonly ZipEntry[],
  limits: ZipLimits,
): Promise<void> {
  const cap = Math.min(limits.maxUnpackedBytes, Math.max(buf.length, 1) * limits.maxRatio);
  const declared = entries.reduce((sum, e) => sum + e.size, 0);
  if (declared > cap) {
    throw new DocumentError(
      'bomb',
      `The archive would expand to ${mb(declared)} from ${mb(buf.length)}; at most ${mb(cap)} is accepted.`,
    );
  }
  let actual = 0;
  for (const entry of entries) {
    if (entry.name.endsWith('/') && entry.size === 0) continue;
    if (entry.encrypted) throw new DocumentError('type', 'Password-protected documents cannot be converted.');
    const data = entryData(buf, entry);
    let size: number;
    if (entry.method === 0) size = data.length;
    else if (entry.method === 8) {
      try {
        size = await inflatedSize(data, Math.min(entry.size, cap - actual));
      } catch (err) {
        if (err instanceof TooBig) {
          throw new DocumentError(
            'bomb',
            `${entry.name} expands beyond its declared size: refused as an archive bomb.`,
          );
        }
        throw corrupt(`${entry.name} cannot be unpacked`);
      }
    } else throw corrupt(`${entry.name} uses unsupported compression ${entry.method}`);
    if (size !== entry.size) throw corrupt(`${entry.name} is not the size it declares`);
    actual += size;
  }
}
