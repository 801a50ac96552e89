/**
 * A minimal ZIP writer for hostile fixtures: entries stored or deflated, with the option to lie
 * about an entry's unpacked size in its headers (as a crafted archive bomb does).
 */
import zlib from 'node:zlib';

export interface ZipSource {
  name: string;
  data: Buffer;
  /** Deflate the data (default true, except for `mimetype`). */
  deflate?: boolean;
  /** Size written into the headers instead of the real one. */
  declaredSize?: number;
  /** Marks the entry encrypted (general purpose flag bit 0). */
  encrypted?: boolean;
}

/** Deflates `size` zero bytes in 16 MB steps without holding them all (a bomb's payload). */
export async function deflateZeros(size: number): Promise<Buffer> {
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (b: Buffer) => parts.push(b));
  const ended = new Promise<void>((resolve) => deflate.on('end', () => resolve()));
  for (let left = size; left > 0; left -= chunk.length) {
    const n = Math.min(left, chunk.length);
    if (!deflate.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
      await new Promise((resolve) => deflate.once('drain', resolve));
    }
  }
  deflate.end();
  await ended;
  return Buffer.concat(parts);
}

/** Builds a ZIP archive; `raw` entries carry data that is already deflated (with its real size). */
export function buildZip(
  sources: readonly (ZipSource & { raw?: { deflated: Buffer; size: number } })[],
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const s of sources) {
    const name = Buffer.from(s.name, 'utf8');
    const deflate = s.raw !== undefined || (s.deflate ?? s.name !== 'mimetype');
    const payload = s.raw ? s.raw.deflated : deflate ? zlib.deflateRawSync(s.data) : s.data;
    const realSize = s.raw ? s.raw.size : s.data.length;
    const size = s.declaredSize ?? realSize;
    const crc = s.raw ? 0 : zlib.crc32(s.data);
    const flags = s.encrypted ? 1 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(payload.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, payload);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + payload.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sources.length, 8);
  end.writeUInt16LE(sources.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The parts that make a ZIP look like a PowerPoint file to a type check. */
export const PPTX_SKELETON: ZipSource[] = [
  { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types/>') },
  { name: 'ppt/presentation.xml', data: Buffer.from('<?xml version="1.0"?><p:presentation/>') },
];
