import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipStream } from '../../src/workspace/exports/ZipStream.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'giaoban-zip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * unzip, in a UTF-8 locale: under the C locale (a CI shell with no LANG) unzip 6.0 escapes the
 * central directory's UTF-8 names (#U1ea3) and then warns that the local header's raw name differs,
 * exiting 1 on a valid archive.
 */
const unzip = (args: string[], maxBuffer?: number): Buffer =>
  execFileSync('unzip', args, {
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
    ...(maxBuffer ? { maxBuffer } : {}),
  });

/** Writes a ZIP with a Vietnamese-named buffer and a 3 MB file streamed from disk. */
async function makeZip(name: string, zip64: 'auto' | 'always'): Promise<{ path: string; big: Buffer }> {
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
  const source = join(dir, `${name}-source.bin`);
  await writeFile(source, big);
  const path = join(dir, `${name}.zip`);
  const out = createWriteStream(path);
  const zip = new ZipStream(out, { zip64 });
  await zip.addBuffer('Biên bản hội nghị.csv', Buffer.from('Điểm cầu,Đại biểu\nHuế,12\n', 'utf8'));
  await zip.addFile('recordings/r1/seg-00000.mkv', source);
  await zip.finish();
  out.end();
  await finished(out);
  expect(zip.bytes).toBe((await readFile(path)).length);
  return { path, big };
}

describe('ZipStream', () => {
  for (const zip64 of ['auto', 'always'] as const) {
    it(`writes a ZIP that unzip tests and extracts byte for byte (zip64: ${zip64})`, async () => {
      const { path, big } = await makeZip(`z-${zip64}`, zip64);
      // unzip -t checks every entry's CRC against its data.
      expect(unzip(['-t', path]).toString()).toContain('No errors detected');
      const listing = unzip(['-Z1', path]).toString().trim().split('\n');
      expect(listing).toEqual(['Biên bản hội nghị.csv', 'recordings/r1/seg-00000.mkv']);
      expect(unzip(['-p', path, 'recordings/r1/seg-00000.mkv'], 16 << 20).equals(big)).toBe(true);
      expect(unzip(['-p', path, 'Biên bản hội nghị.csv']).toString('utf8')).toContain('Huế,12');
    });
  }

  it('refuses an entry name that climbs out of the archive', async () => {
    const zip = new ZipStream(createWriteStream(join(dir, 'bad.zip')));
    await expect(zip.addBuffer('../etc/passwd', Buffer.from('x'))).rejects.toThrow(/bad entry name/);
  });
});
