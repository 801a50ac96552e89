import type {
  AgendaItem,
  AgendaItemBody,
  AttachParentBody,
  AuditEntry,
  CreateMeetingBody,
  CreateSiteBody,
  DirectorySite,
  IssuedLink,
  IssueLinkBody,
  JoinLink,
  LoginResponse,
  MeetingSummary,
  ParentLinkInfo,
  UpdateMeetingBody,
} from '@giaoban/shared';
import { createStore } from '../state/store';

const STORAGE_KEY = 'giaoban.organizerToken';

/** A refused HTTP call, with the server's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Session {
  token: string;
  expiresAt: number;
}

function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as Session) : null;
    return parsed && parsed.expiresAt > Date.now() ? parsed : null;
  } catch {
    return null;
  }
}

/** The organizer's sign-in, persisted across reloads until it expires. */
export const authStore = createStore<{ session: Session | null }>({ session: loadSession() });

function saveSession(session: Session | null): void {
  authStore.set({ session });
  try {
    if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // not persisted
  }
}

/** Calls the hub's HTTP API with the organizer session; a 401 signs the page out (and forgets the stored session). */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const session = authStore.get().session;
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'OFFLINE', String(error));
  }
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (response.status === 401) saveSession(null);
    throw new ApiError(response.status, error?.code ?? 'INTERNAL', error?.message ?? response.statusText);
  }
  return json as T;
}

const m = (id: string) => `/api/meetings/${encodeURIComponent(id)}`;

/** The organizer HTTP API (see shared/src/http.ts). */
export const api = {
  async login(username: string, password: string): Promise<void> {
    const res = await call<LoginResponse>('POST', '/api/auth/login', { username, password });
    saveSession({ token: res.token, expiresAt: res.expiresAt });
  },
  logout: () => saveSession(null),
  sites: () => call<DirectorySite[]>('GET', '/api/directory/sites'),
  createSite: (body: CreateSiteBody) => call<DirectorySite>('POST', '/api/directory/sites', body),
  meetings: () => call<MeetingSummary[]>('GET', '/api/meetings'),
  meeting: (id: string) => call<MeetingSummary>('GET', m(id)),
  createMeeting: (body: CreateMeetingBody) => call<MeetingSummary>('POST', '/api/meetings', body),
  updateMeeting: (id: string, body: UpdateMeetingBody) => call<MeetingSummary>('PATCH', m(id), body),
  inviteSites: (id: string, siteIds: string[]) => call<unknown>('PUT', `${m(id)}/sites`, { siteIds }),
  addAgendaItem: (id: string, body: AgendaItemBody) => call<AgendaItem>('POST', `${m(id)}/agenda`, body),
  updateAgendaItem: (id: string, itemId: string, body: Partial<AgendaItemBody>) =>
    call<AgendaItem>('PATCH', `${m(id)}/agenda/${encodeURIComponent(itemId)}`, body),
  deleteAgendaItem: (id: string, itemId: string) =>
    call<unknown>('DELETE', `${m(id)}/agenda/${encodeURIComponent(itemId)}`),
  reorderAgenda: (id: string, itemIds: string[]) =>
    call<unknown>('PUT', `${m(id)}/agenda/order`, { itemIds }),
  issueLink: (id: string, body: IssueLinkBody) => call<IssuedLink>('POST', `${m(id)}/links`, body),
  links: (id: string) => call<JoinLink[]>('GET', `${m(id)}/links`),
  revokeLink: (id: string, linkId: string) =>
    call<unknown>('POST', `${m(id)}/links/${encodeURIComponent(linkId)}/revoke`),
  /** The parent meeting this one relays (linked meetings), and the link's state. */
  parent: (id: string) => call<{ parent: ParentLinkInfo | null }>('GET', `${m(id)}/parent`),
  /** Links the meeting to a parent meeting with a relay link issued there; the hub joins it at once. */
  linkParent: (id: string, body: AttachParentBody) => call<ParentLinkInfo>('PUT', `${m(id)}/parent`, body),
  unlinkParent: (id: string) => call<{ parent: null }>('DELETE', `${m(id)}/parent`),
  /** The meeting's audit log: who did which moderator or organizer action, when. */
  audit: (id: string) => call<{ entries: AuditEntry[] }>('GET', `${m(id)}/audit`),
  /** An export (minutes, notice, attendance) with the organizer's session; the file name is the hub's. */
  download: (id: string, file: string) => downloadFile(`${m(id)}/exports/${encodeURIComponent(file)}`, file),
};

/**
 * A file from the API with the organizer's session, named as the hub names it (Content-Disposition,
 * UTF-8 first), else `fallback`. A refused session signs the page out, as `call` does.
 */
export async function downloadFile(
  path: string,
  fallback: string,
): Promise<{ blob: Blob; filename: string }> {
  const session = authStore.get().session;
  let response: Response;
  try {
    response = await fetch(path, { headers: session ? { Authorization: `Bearer ${session.token}` } : {} });
  } catch (error) {
    throw new ApiError(0, 'OFFLINE', String(error));
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    if (response.status === 401) saveSession(null);
    throw new ApiError(
      response.status,
      body?.error?.code ?? 'INTERNAL',
      body?.error?.message ?? response.statusText,
    );
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const utf8 = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const ascii = /filename="([^"]+)"/.exec(disposition)?.[1];
  return { blob: await response.blob(), filename: utf8 ? decodeURIComponent(utf8) : (ascii ?? fallback) };
}
