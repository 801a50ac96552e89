import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DirectorySite, DocumentId, MeetingId, SiteId, SlideDocument } from '@giaoban/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { MeetingService } from '../../src/app/MeetingService.js';
import { TokenService } from '../../src/auth/tokens.js';
import { loadDocumentConfig } from '../../src/documents/DocumentConfig.js';
import { cleanName, DocumentService } from '../../src/documents/DocumentService.js';
import { type Actor, createMeetingRecord } from '../../src/domain/index.js';
import { MemoryStore } from '../../src/store/MemoryStore.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'giaoban-docservice-test-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const host: DirectorySite = {
  id: 'trung-uong' as SiteId,
  name: 'Trung ương',
  region: '',
  kind: 'central',
  mergedFrom: [],
  parentId: null,
};
const organizer: Actor = {
  participantId: 'org' as never,
  role: 'organizer',
  siteId: null,
  displayName: 'org',
};
const SECRET = 'document-service-test-secret-document-service';

async function setup() {
  const store = new MemoryStore();
  const meetings = new MeetingService(store);
  const tokens = new TokenService(SECRET);
  await store.meetings.create(
    createMeetingRecord({
      id: 'm1' as MeetingId,
      title: 'Giao ban',
      scheduledAt: 0,
      hostSite: host,
      chairName: '',
      floorSeconds: 0,
      maxConnections: 10,
      invitedSites: [],
    }),
  );
  const config = { ...loadDocumentConfig({}, mkdtempSync(path.join(scratch, 'data-'))), workRoot: scratch };
  const documents = new DocumentService({
    config,
    meetings,
    store,
    tokens,
    authenticateOrganizer: (token) => tokens.verifyOrganizer(token)?.sub ?? '',
  });
  await documents.init();
  return { store, meetings, tokens, documents, config };
}

describe('DocumentService', () => {
  it('recoverInterrupted() marks documents a restart cut off as failed, so none stays "converting"', async () => {
    const { meetings, documents } = await setup();
    const doc: SlideDocument = {
      id: 'd1' as DocumentId,
      name: 'bao-cao.pptx',
      kind: 'pptx',
      sizeBytes: 1,
      agendaItemId: null,
      uploadedBy: 'org',
      uploadedAt: 0,
      status: 'converting',
      pageCount: 0,
      pagesDone: 0,
      aspect: null,
      failure: null,
      error: null,
    };
    await meetings.run('m1', organizer, { type: 'documents:add', document: doc });
    // Another instance's document (no link in this hub's folder) is left alone.
    await meetings.run('m1', organizer, {
      type: 'documents:add',
      document: { ...doc, id: 'd2' as DocumentId },
    });
    await documents.files.link({ documentId: 'd1', meetingId: 'm1', hash: 'a'.repeat(64) });
    await documents.recoverInterrupted();
    const [after, other] = (await meetings.get('m1')).slides.documents;
    expect(after).toMatchObject({ status: 'failed', failure: 'converter' });
    expect(after?.error).toMatch(/restarted/);
    expect(other?.status).toBe('converting');
    expect(await documents.files.lookup('d1')).toBeNull();
  });

  it('refuses an upload without a valid token with UNAUTHENTICATED and stores nothing', async () => {
    const { documents, config } = await setup();
    const upload = (token: string) =>
      documents.upload({
        meetingId: 'm1',
        token,
        filename: 'x.pdf',
        agendaItemId: null,
        body: Readable.from([Buffer.from('%PDF-1.4')]),
        contentLength: 8,
      });
    await expect(upload('')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(upload('not.a.token')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(readdirSync(path.join(config.dir, 'incoming'))).toEqual([]);
  });

  it('refuses an empty upload and one whose Content-Length is over the limit, keeping no file', async () => {
    const { documents, config, tokens } = await setup();
    const { token } = tokens.signOrganizer('org', 1);
    const upload = (bytes: Buffer, length: number | null) =>
      documents.upload({
        meetingId: 'm1',
        token,
        filename: 'x.pdf',
        agendaItemId: null,
        body: Readable.from([bytes]),
        contentLength: length,
      });
    await expect(upload(Buffer.alloc(0), 0)).rejects.toMatchObject({ reason: 'type' });
    await expect(upload(Buffer.from('%PDF-'), config.maxBytes + 1)).rejects.toMatchObject({ reason: 'size' });
    await expect(upload(Buffer.alloc(config.maxBytes + 10, 0x20), null)).rejects.toMatchObject({
      reason: 'size',
    });
    expect(readdirSync(path.join(config.dir, 'incoming'))).toEqual([]);
  });
});

describe('cleanName()', () => {
  it('keeps a Vietnamese file name, drops any path and control characters', () => {
    expect(cleanName('Báo cáo 5 tháng.pptx')).toBe('Báo cáo 5 tháng.pptx');
    expect(cleanName('C:\\Users\\x\\Tổng hợp.pdf')).toBe('Tổng hợp.pdf');
    expect(cleanName('../../etc/passwd')).toBe('passwd');
    expect(cleanName('a\u0000b\nc.pdf')).toBe('abc.pdf');
    expect(cleanName('')).toBe('document');
    expect(cleanName('x'.repeat(300))).toHaveLength(200);
  });
});
