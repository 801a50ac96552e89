/**
 * Helpers for the slides suites: a hub whose document folders are known (so "nothing left
 * behind" can be checked), uploads over the public HTTP API, and waiting on a document's status
 * as a client sees it in its snapshot.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IssueLinkBody, MeetingSnapshot, SiteId, SlideDocument } from '@giaoban/shared';
import { applyChanges } from '@giaoban/shared';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from './inProcessHub.js';
import {
  api,
  connect,
  createMeeting,
  eventually,
  type HubSocket,
  issueLink,
  login,
  must,
} from './meeting.js';

/** The committed Vietnamese fixtures (made by tests/fixtures/documents/make-fixtures.mjs). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/documents/', import.meta.url));

/** A hub with a meeting for the slides suites, and where its documents live. */
export interface SlidesHub {
  hub: Hub;
  url: string;
  orgToken: string;
  meetingId: string;
  agendaItemIds: string[];
  links: Record<string, { token: string; linkId: string }>;
  /** `<dataDir>/documents`: blobs/, docs/, incoming/. */
  documentsDir: string;
  /** Where conversions make their private folders. */
  workRoot: string;
  /** Stops the hub and removes its folders. */
  stop(): Promise<void>;
}

/** Starts a hub with private document folders and prepares a meeting with the given links. */
export async function startSlidesHub(
  sites: readonly SiteId[],
  people: Record<string, IssueLinkBody>,
  env: Record<string, string> = {},
): Promise<SlidesHub> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'giaoban-slides-'));
  const workRoot = mkdtempSync(path.join(tmpdir(), 'giaoban-slides-work-'));
  // Converters run as `nobody` when the hub is root: it must reach its private folder.
  chmodSync(workRoot, 0o755);
  const hub = await startTestHub({ GIAOBAN_DATA_DIR: dataDir, DOCUMENT_WORK_DIR: workRoot, ...env });
  const url = hub.url.replace('localhost', '127.0.0.1');
  const orgToken = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, orgToken, {
    title: 'Giao ban trực tuyến 5 tháng đầu năm',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    chairName: 'Đồng chí Chủ trì',
    invitedSiteIds: [...sites],
  });
  const meetingId = summary.meeting.id;
  const agendaItemIds: string[] = [];
  for (const title of ['Báo cáo kết quả công tác 5 tháng', 'Thảo luận']) {
    const item = await api<{ id: string }>(url, 'POST', `/api/meetings/${meetingId}/agenda`, orgToken, {
      title,
      kind: 'report',
    });
    agendaItemIds.push(item.id);
  }
  const links: SlidesHub['links'] = {};
  for (const [name, body] of Object.entries(people)) {
    const l = await issueLink(url, orgToken, meetingId, body);
    links[name] = { token: l.token, linkId: l.link.id };
  }
  return {
    hub,
    url,
    orgToken,
    meetingId,
    agendaItemIds,
    links,
    documentsDir: path.join(dataDir, 'documents'),
    workRoot,
    stop: async () => {
      await hub.stop();
      for (const dir of [dataDir, workRoot]) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A document upload's HTTP answer. */
export interface UploadAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the body is a document or an error, checked by the test
  json: any;
}

/** POSTs a file as the raw body, the way the client's XHR does. */
export async function upload(
  url: string,
  token: string,
  meetingId: string,
  body: Buffer,
  filename: string,
  agendaItemId?: string,
): Promise<UploadAnswer> {
  const q = new URLSearchParams({ filename, ...(agendaItemId ? { agendaItemId } : {}) });
  const res = await fetch(`${url}/api/meetings/${meetingId}/documents?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** A socket client that keeps its snapshot current and remembers every document status it saw. */
export interface Watcher {
  socket: HubSocket;
  snapshot: MeetingSnapshot;
  /** Every (documentId, status) seen, in order. */
  seen: { id: string; status: SlideDocument['status']; pagesDone: number }[];
  /** How many documents were converting at once, at most, in any snapshot seen. */
  maxConverting: number;
}

/** Joins with a link and follows the meeting's changes. */
export async function watch(url: string, token: string): Promise<Watcher> {
  const socket = await connect(url, token);
  const w = { socket, seen: [], maxConverting: 0 } as unknown as Watcher;
  const note = (s: MeetingSnapshot) => {
    for (const d of s.slides.documents) {
      const last = [...w.seen].reverse().find((x) => x.id === d.id);
      if (!last || last.status !== d.status || last.pagesDone !== d.pagesDone) {
        w.seen.push({ id: d.id, status: d.status, pagesDone: d.pagesDone });
      }
    }
    const converting = s.slides.documents.filter((d) => d.status === 'converting').length;
    w.maxConverting = Math.max(w.maxConverting, converting);
  };
  socket.on('meeting:changed', (batch) => {
    if (!w.snapshot) return;
    const out = applyChanges(w.snapshot, batch);
    if (out.kind === 'applied') {
      w.snapshot = out.snapshot;
      note(w.snapshot);
    }
    if (out.kind === 'gap') void must(socket, 'meeting:sync', {}).then((s) => (w.snapshot = s));
  });
  w.snapshot = (await must(socket, 'meeting:join', {})).snapshot;
  note(w.snapshot);
  return w;
}

/** Waits until a document is ready or failed in the watcher's snapshot, and returns it. */
export async function settled(w: Watcher, documentId: string, timeoutMs = 90_000): Promise<SlideDocument> {
  const find = () => w.snapshot.slides.documents.find((d) => d.id === documentId);
  await eventually(
    () => ['ready', 'failed'].includes(find()?.status ?? ''),
    `document ${documentId} to settle`,
    timeoutMs,
  );
  return find() as SlideDocument;
}

/** Files under a folder, recursively, as relative paths (for "nothing left behind"). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}
