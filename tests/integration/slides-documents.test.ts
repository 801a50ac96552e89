/**
 * Report documents through the real hub: organizer and presenter uploads over HTTP, conversion
 * once per content with at most one at a time, status pushed to clients in the snapshot, page
 * images served to the meeting only and cached immutably, and hostile files refused with a clear
 * reason and nothing left behind.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, must } from '../support/meeting.js';
import {
  FIXTURES,
  filesUnder,
  type SlidesHub,
  settled,
  startSlidesHub,
  upload,
  type Watcher,
  watch,
} from '../support/slides.js';

/** Real conversions on a busy 2-core machine (CI runs other suites alongside): generous limits. */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const HUE = 'hue' as SiteId;
const CAN_THO = 'can-tho' as SiteId;
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

let h: SlidesHub;
let observer: Watcher;
let chair: Watcher;

beforeAll(async () => {
  h = await startSlidesHub(
    [HUE, CAN_THO],
    {
      chair: { role: 'chair' },
      observer: { role: 'observer' },
      secretary: { role: 'secretary' },
      hue: { role: 'site', siteId: HUE },
      canTho: { role: 'site', siteId: CAN_THO },
    },
    { DOCUMENT_MAX_MB: '2' },
  );
  chair = await watch(h.url, h.links.chair!.token);
  observer = await watch(h.url, h.links.observer!.token);
});

afterAll(async () => {
  chair?.socket.close();
  observer?.socket.close();
  await h?.stop();
});

/** blobs/ holds only converted documents, docs/ only their links, incoming/ and the work root nothing. */
function expectNothingLeftBehind(readyHashesAtLeast = 0): void {
  const files = filesUnder(h.documentsDir);
  expect(files.filter((f) => f.startsWith('incoming/'))).toEqual([]);
  expect(files.filter((f) => f.startsWith('blobs/.staging'))).toEqual([]);
  const blobs = new Set(files.filter((f) => f.startsWith('blobs/')).map((f) => f.split('/')[1]));
  expect(blobs.size).toBeGreaterThanOrEqual(readyHashesAtLeast);
  const ready = observer.snapshot.slides.documents.filter((d) => d.status === 'ready').map((d) => d.id);
  expect(files.filter((f) => f.startsWith('docs/')).sort()).toEqual(
    ready.map((id) => `docs/${id}.json`).sort(),
  );
  expect(filesUnder(h.workRoot)).toEqual([]);
}

describe('uploading and converting report documents', () => {
  let pptxId: string;

  it('an organizer uploads a PPTX for an agenda item; every client sees it go queued → converting → ready with 3 pages', async () => {
    const started = Date.now();
    const res = await upload(
      h.url,
      h.orgToken,
      h.meetingId,
      fixture('bao-cao.pptx'),
      'Báo cáo 5 tháng.pptx',
      h.agendaItemIds[0],
    );
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      name: 'Báo cáo 5 tháng.pptx',
      kind: 'pptx',
      status: 'queued',
      agendaItemId: h.agendaItemIds[0],
    });
    pptxId = res.json.id;
    const doc = await settled(observer, pptxId);
    console.log(`slides-documents | pptx converted through the hub [ms:${Date.now() - started}]`);
    expect(doc).toMatchObject({ status: 'ready', pageCount: 3, pagesDone: 3, failure: null });
    expect(doc.aspect).toBeCloseTo(28 / 15.75, 1);
    const statuses = observer.seen.filter((s) => s.id === pptxId).map((s) => s.status);
    expect(statuses[0]).toBe('queued');
    expect(statuses).toContain('converting');
    expect(statuses.at(-1)).toBe('ready');
    expectNothingLeftBehind(1);
  });

  it('serves page images to the meeting only, as immutable private PNGs', async () => {
    const page = (n: number, query: string, kind = 'pages') =>
      fetch(`${h.url}/api/documents/${pptxId}/${kind}/${n}.png${query}`);
    const ok = await page(1, `?token=${encodeURIComponent(h.links.observer!.token)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(ok.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const png = Buffer.from(await ok.arrayBuffer());
    expect(png.readUInt32BE(16)).toBe(1600);
    writeFileSync(path.join(tmpdir(), 'giaoban-slides-page1.png'), png);
    const thumb = Buffer.from(
      await (await page(2, `?token=${encodeURIComponent(h.orgToken)}`, 'thumbs')).arrayBuffer(),
    );
    expect(thumb.readUInt32BE(16)).toBe(240);
    const byHeader = await fetch(`${h.url}/api/documents/${pptxId}/pages/3.png`, {
      headers: { authorization: `Bearer ${h.links.hue!.token}` },
    });
    expect(byHeader.status).toBe(200);
    expect((await page(1, '')).status).toBe(401);
    expect((await page(1, '?token=forged.token.value')).status).toBe(401);
    expect((await page(4, `?token=${encodeURIComponent(h.links.observer!.token)}`)).status).toBe(404);
    expect(
      (await fetch(`${h.url}/api/documents/..%2f..%2fsecrets/pages/1.png?token=${h.orgToken}`)).status,
    ).toBe(404);
  });

  it('converts the same bytes only once: a second upload is ready at once', async () => {
    const res = await upload(h.url, h.orgToken, h.meetingId, fixture('bao-cao.pptx'), 'ban-sao.pptx');
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'ready', pageCount: 3 });
  });

  it('converts a DOCX (2 pages) and a PDF (4 pages) uploaded together, one conversion at a time', async () => {
    const [docx, pdf] = await Promise.all([
      upload(h.url, h.orgToken, h.meetingId, fixture('bao-cao.docx'), 'Thông báo kết luận.docx'),
      upload(h.url, h.orgToken, h.meetingId, fixture('tong-hop.pdf'), 'Tổng hợp.pdf'),
    ]);
    expect([docx.status, pdf.status]).toEqual([202, 202]);
    expect(await settled(observer, docx.json.id)).toMatchObject({
      status: 'ready',
      pageCount: 2,
      kind: 'docx',
    });
    expect(await settled(observer, pdf.json.id)).toMatchObject({
      status: 'ready',
      pageCount: 4,
      kind: 'pdf',
    });
    expect(observer.maxConverting).toBe(1);
    const listed = await api<{ id: string }[]>(
      h.url,
      'GET',
      `/api/meetings/${h.meetingId}/documents`,
      h.links.hue!.token,
    );
    expect(listed.map((d) => d.id)).toEqual(expect.arrayContaining([pptxId, docx.json.id, pdf.json.id]));
    expectNothingLeftBehind(3);
  });
});

describe('photographs', () => {
  it('serves a photographic page as JPEG at the same URL, a fraction of the PNG', async () => {
    const res = await upload(h.url, h.orgToken, h.meetingId, fixture('anh-chup.pdf'), 'Ảnh hiện trường.pdf');
    expect(await settled(observer, res.json.id)).toMatchObject({ status: 'ready', pageCount: 1 });
    const page = await fetch(
      `${h.url}/api/documents/${res.json.id}/pages/1.png?token=${encodeURIComponent(h.links.observer!.token)}`,
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('image/jpeg');
    expect(page.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect((await page.arrayBuffer()).byteLength).toBeLessThan(400 * 1024);
  });
});

describe('presenter uploads during the meeting', () => {
  it('a site may upload only while it is the presenter; observers never; revoked links are refused', async () => {
    const pdf = fixture('tong-hop.pdf');
    const refused = await upload(h.url, h.links.hue!.token, h.meetingId, pdf, 'hue.pdf');
    expect(refused.status).toBe(403);
    expect((await upload(h.url, h.links.observer!.token, h.meetingId, pdf, 'x.pdf')).status).toBe(403);
    expect((await upload(h.url, h.links.secretary!.token, h.meetingId, pdf, 'x.pdf')).status).toBe(403);
    await must(chair.socket, 'meeting:openTechCheck', {});
    await must(chair.socket, 'slides:presenter', { siteId: HUE });
    const accepted = await upload(h.url, h.links.hue!.token, h.meetingId, pdf, 'Báo cáo Huế.pdf');
    expect(accepted.status).toBe(202);
    expect(accepted.json.uploadedBy).toBe('Huế');
    expect((await upload(h.url, h.links.canTho!.token, h.meetingId, pdf, 'ct.pdf')).status).toBe(403);
    await api(h.url, 'POST', `/api/meetings/${h.meetingId}/links/${h.links.hue!.linkId}/revoke`, h.orgToken);
    expect((await upload(h.url, h.links.hue!.token, h.meetingId, pdf, 'again.pdf')).status).toBe(401);
  });
});

describe('hostile and broken files: a clear reason, nothing left behind', () => {
  it('refuses an image named .pptx with 400 type', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(2000)]);
    const res = await upload(h.url, h.orgToken, h.meetingId, png, 'bao-cao.pptx');
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION', reason: 'type' });
    expect(res.json.error.message).toMatch(/PDF/);
    expectNothingLeftBehind();
  });

  it('refuses a file over the size limit with 413 size', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3 * 1024 * 1024, 0x20)]);
    const res = await upload(h.url, h.orgToken, h.meetingId, big, 'qua-lon.pdf');
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 'LIMIT', reason: 'size' });
    expectNothingLeftBehind();
  });

  it('refuses a zip bomb disguised as PPTX with 413 bomb, before any converter runs', async () => {
    const payload = zlib.deflateRawSync(Buffer.alloc(150 * 1024 * 1024), { level: 9 });
    const bomb = zipOf([
      ['[Content_Types].xml', zlib.deflateRawSync('<Types/>'), 8],
      ['ppt/presentation.xml', zlib.deflateRawSync('<p:presentation/>'), 17],
      ['ppt/media/image1.png', payload, 150 * 1024 * 1024],
    ]);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const res = await upload(h.url, h.orgToken, h.meetingId, bomb, 'bao-cao.pptx');
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 'LIMIT', reason: 'bomb' });
    expectNothingLeftBehind();
  });

  it('accepts a corrupt PDF, then marks it failed (corrupt) for every client and keeps no file', async () => {
    const corrupt = Buffer.concat([
      Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog'),
      Buffer.alloc(5000, 0x41),
    ]);
    const res = await upload(h.url, h.orgToken, h.meetingId, corrupt, 'hong.pdf');
    expect(res.status).toBe(202);
    const doc = await settled(observer, res.json.id);
    expect(doc).toMatchObject({ status: 'failed', failure: 'corrupt', pageCount: 0 });
    expect(doc.error).toMatch(/damaged/);
    const page = await fetch(
      `${h.url}/api/documents/${res.json.id}/pages/1.png?token=${encodeURIComponent(h.orgToken)}`,
    );
    expect(page.status).toBe(404);
    expectNothingLeftBehind();
  });
});

describe('a conversion that hangs', () => {
  it('is stopped at the timeout: failed (timeout), its processes killed, nothing left behind', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'giaoban-fake-soffice-'));
    chmodSync(bin, 0o755);
    const fake = path.join(bin, 'soffice');
    writeFileSync(fake, '#!/bin/sh\nsleep 120 &\nwait\n', { mode: 0o755 });
    const slow = await startSlidesHub(
      [HUE],
      { observer: { role: 'observer' } },
      {
        GIAOBAN_SOFFICE: fake,
        DOCUMENT_TIMEOUT_SECONDS: '1.5',
      },
    );
    try {
      const w = await watch(slow.url, slow.links.observer!.token);
      const started = Date.now();
      const res = await upload(slow.url, slow.orgToken, slow.meetingId, fixture('bao-cao.pptx'), 'treo.pptx');
      expect(res.status).toBe(202);
      const doc = await settled(w, res.json.id, 20_000);
      expect(doc).toMatchObject({ status: 'failed', failure: 'timeout' });
      console.log(`slides-documents | hung converter refused [ms:${Date.now() - started}]`);
      const files = filesUnder(slow.documentsDir);
      expect(files).toEqual([]);
      expect(filesUnder(slow.workRoot)).toEqual([]);
      w.socket.close();
    } finally {
      await slow.stop();
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

/** A ZIP of already-deflated entries: [name, deflated bytes, unpacked size]. */
function zipOf(entries: [string, Buffer, number][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data, size] of entries) {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
