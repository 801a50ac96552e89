import { randomBytes } from 'node:crypto';
import type {
  AgendaItem,
  AgendaItemId,
  DirectorySite,
  HttpSchemas,
  IssuedLink,
  JoinLink,
  JoinLinkId,
  LoginResponse,
  MeetingId,
  MeetingSummary,
  ParticipantId,
  SiteId,
} from '@giaoban/shared';
import type { z } from 'zod';
import { verifyPassword } from '../auth/passwords.js';
import type { TokenService } from '../auth/tokens.js';
import type { OrganizerAccount } from '../config/Config.js';
import { slugify } from '../directory/seed.js';
import {
  type Actor,
  auditEntry,
  createMeetingRecord,
  DomainError,
  type MeetingRecord,
} from '../domain/index.js';
import type { OrganizerApi } from '../http/app.js';
import { log } from '../log/log.js';
import type { Store } from '../store/Store.js';
import type { WorkspaceContent, WorkspaceService } from '../workspace/WorkspaceService.js';
import { AuditTrail } from './AuditTrail.js';
import type { MeetingService } from './MeetingService.js';

/** Short, URL-safe random id (72 bits). */
export const newShortId = (): string => randomBytes(9).toString('base64url');

/** A relay link (hub to hub) lives at most this long: one meeting day. */
export const RELAY_LINK_MAX_HOURS = 12;

/** Default display names of link holders who are people, not rooms. */
const ROLE_NAMES = {
  chair: 'Chủ trì',
  operator: 'Điều hành',
  secretary: 'Thư ký',
  observer: 'Theo dõi',
} as const;

/** Whether the secretaries wrote anything for an agenda item: minutes, a conclusion or a petition. */
function hasWorkspaceContent(content: WorkspaceContent, itemId: string): boolean {
  return (
    (content.minutes[itemId] ?? '').trim() !== '' ||
    content.conclusions.some((c) => c.agendaItemId === itemId) ||
    content.petitions.some((p) => p.agendaItemId === itemId)
  );
}

const summary = (r: MeetingRecord): MeetingSummary => ({
  meeting: r.meeting,
  sites: r.sites,
  agenda: r.agenda.items,
});

/**
 * The organizer's side of the hub (prepare meetings, sites, agenda, join links) — the HTTP API's
 * implementation. Meeting edits go through the same domain commands and per-meeting queue as
 * live actions, so an agenda edit during the meeting reaches every client as a change.
 */
export class OrganizerService implements OrganizerApi {
  constructor(
    private readonly store: Store,
    private readonly meetings: MeetingService,
    private readonly tokens: TokenService,
    private readonly accounts: readonly OrganizerAccount[],
    private readonly sessionHours: number,
    /** Called when a link is revoked, so its live connections are cut. */
    private readonly onLinkRevoked: (link: JoinLink) => void,
    /** What the secretaries' workspace holds, to refuse removing an item they wrote for. */
    private readonly workspace: Pick<WorkspaceService, 'content'>,
    /** The SIP credential issued with a site link (server/src/sip/); absent when SIP is off. */
    private readonly sipCredentialOf?: (link: JoinLink) => IssuedLink['sip'],
  ) {}

  async login(username: string, password: string): Promise<LoginResponse> {
    const account = this.accounts.find((a) => a.username === username);
    // Verify against a hash even for unknown users, so timing does not reveal which names exist.
    const ok = await verifyPassword(password, account?.passwordHash ?? this.accounts[0]?.passwordHash ?? '');
    if (!account || !ok) {
      log.warn('OrganizerService.login()', 'sign-in refused', { username });
      throw new DomainError('UNAUTHENTICATED', 'Wrong user name or password');
    }
    return this.tokens.signOrganizer(username, this.sessionHours);
  }

  logout(token: string): void {
    if (this.tokens.revokeOrganizer(token)) log.info('OrganizerService.logout()', 'organizer signed out');
  }

  authenticate(token: string): string {
    const claims = this.tokens.verifyOrganizer(token);
    if (!claims || !this.accounts.some((a) => a.username === claims.sub)) {
      throw new DomainError('UNAUTHENTICATED', 'Session expired or invalid: sign in again');
    }
    return claims.sub;
  }

  listSites(): Promise<DirectorySite[]> {
    return this.store.directory.list();
  }

  async createSite(
    _organizer: string,
    body: z.output<typeof HttpSchemas.createSite>,
  ): Promise<DirectorySite> {
    if (body.parentId !== null && !(await this.store.directory.get(body.parentId))) {
      throw new DomainError('NOT_FOUND', `no parent site ${body.parentId}`);
    }
    let id = slugify(body.parentId ? `${body.parentId} ${body.name}` : body.name) || newShortId();
    if (await this.store.directory.get(id as SiteId)) id = `${id}-${newShortId().slice(0, 4).toLowerCase()}`;
    const site: DirectorySite = {
      id: id as SiteId,
      name: body.name,
      region: body.region,
      kind: body.kind,
      mergedFrom: [],
      parentId: body.parentId,
    };
    await this.store.directory.put(site);
    return site;
  }

  async listMeetings(): Promise<MeetingSummary[]> {
    return (await this.store.meetings.list()).map(summary);
  }

  async getMeeting(id: string): Promise<MeetingSummary> {
    return summary(await this.meetings.get(id));
  }

  async createMeeting(
    _organizer: string,
    body: z.output<typeof HttpSchemas.createMeeting>,
  ): Promise<MeetingSummary> {
    const host = await this.#directorySite(body.hostSiteId);
    const invited = await Promise.all(body.invitedSiteIds.map((id) => this.#directorySite(id)));
    const record = createMeetingRecord({
      id: newShortId() as MeetingId,
      title: body.title,
      scheduledAt: body.scheduledAt,
      hostSite: host,
      chairName: body.chairName,
      floorSeconds: body.floorSeconds,
      maxConnections: body.maxConnections,
      invitedSites: invited,
      videoCodec: body.videoCodec,
    });
    await this.store.meetings.create(record);
    log.info('OrganizerService.createMeeting()', 'meeting created', {
      id: record.meeting.id,
      sites: record.sites.length,
    });
    return summary(record);
  }

  async updateMeeting(
    organizer: string,
    id: string,
    body: z.output<typeof HttpSchemas.updateMeeting>,
  ): Promise<MeetingSummary> {
    await this.meetings.run(id, actorOf(organizer), { type: 'meeting:update', ...body });
    return this.getMeeting(id);
  }

  /** Sets the invited set: new sites are added, sites no longer listed are removed (never the host). */
  async inviteSites(organizer: string, id: string, siteIds: string[]): Promise<MeetingSummary> {
    const record = await this.meetings.get(id);
    const wanted = new Set(siteIds);
    const current = new Set<string>(record.sites.map((s) => s.id));
    const add = await Promise.all(
      [...wanted].filter((s) => !current.has(s)).map((s) => this.#directorySite(s as SiteId)),
    );
    const remove = record.sites.filter((s) => !s.isHost && !wanted.has(s.id)).map((s) => s.id);
    const actor = actorOf(organizer);
    if (add.length) await this.meetings.run(id, actor, { type: 'sites:invite', sites: add });
    if (remove.length) await this.meetings.run(id, actor, { type: 'sites:uninvite', siteIds: remove });
    return this.getMeeting(id);
  }

  async addAgendaItem(
    organizer: string,
    id: string,
    body: z.output<typeof HttpSchemas.agendaItem>,
  ): Promise<AgendaItem> {
    const item = await this.meetings.run(id, actorOf(organizer), { type: 'agenda:addItem', item: body });
    if (!item) throw new DomainError('INTERNAL', 'agenda item was not created');
    return item;
  }

  async updateAgendaItem(
    organizer: string,
    id: string,
    itemId: string,
    body: z.output<typeof HttpSchemas.agendaItem>,
  ): Promise<AgendaItem> {
    await this.meetings.run(id, actorOf(organizer), {
      type: 'agenda:updateItem',
      itemId: itemId as AgendaItemId,
      patch: body,
    });
    const item = (await this.meetings.get(id)).agenda.items.find((i) => i.id === itemId);
    if (!item) throw new DomainError('NOT_FOUND', `no agenda item ${itemId}`);
    return item;
  }

  async removeAgendaItem(organizer: string, id: string, itemId: string): Promise<void> {
    await this.meetings.run(id, actorOf(organizer), {
      type: 'agenda:removeItem',
      itemId: itemId as AgendaItemId,
      workspaceContent: hasWorkspaceContent(await this.workspace.content(id as MeetingId), itemId),
    });
  }

  async reorderAgenda(organizer: string, id: string, itemIds: string[]): Promise<void> {
    await this.meetings.run(id, actorOf(organizer), { type: 'agenda:reorder', itemIds });
  }

  async issueLink(
    _organizer: string,
    id: string,
    body: z.output<typeof HttpSchemas.issueLink>,
  ): Promise<IssuedLink> {
    const record = await this.meetings.get(id);
    if (record.meeting.status === 'ended') throw new DomainError('INVALID_STATE', 'the meeting has ended');
    // A chair presides from the host site; a site link stands for one invited bridge point.
    // A relay link stands for an invited site too, on behalf of a linked child meeting's hub.
    const forSite = body.role === 'site' || body.role === 'relay';
    const siteId: SiteId | null = forSite
      ? (body.siteId ?? null)
      : body.role === 'chair'
        ? record.meeting.hostSiteId
        : null;
    if (forSite) {
      if (!siteId) throw new DomainError('VALIDATION', 'a site link needs siteId');
      if (!record.sites.some((s) => s.id === siteId)) {
        throw new DomainError('NOT_FOUND', `site ${siteId} is not invited to this meeting`);
      }
    } else if (body.siteId !== undefined && body.role !== 'chair') {
      throw new DomainError('VALIDATION', `a ${body.role} link is for a person, not a site: omit siteId`);
    }
    const site = record.sites.find((s) => s.id === siteId);
    const displayName =
      body.displayName ||
      (body.role === 'site' || body.role === 'relay'
        ? (site?.name ?? '')
        : body.role === 'chair'
          ? record.meeting.chairName || ROLE_NAMES.chair
          : ROLE_NAMES[body.role]);
    const now = Date.now();
    const link: JoinLink = {
      id: newShortId() as JoinLinkId,
      meetingId: record.meeting.id,
      role: body.role,
      siteId,
      displayName,
      issuedAt: now,
      // Relay links are short-lived: at most RELAY_LINK_MAX_HOURS, whatever was asked.
      expiresAt:
        now +
        (body.role === 'relay' ? Math.min(body.validHours, RELAY_LINK_MAX_HOURS) : body.validHours) *
          3600_000,
      revokedAt: null,
    };
    await this.store.links.put(link);
    const token = this.tokens.signJoin(
      { sub: link.id, mid: link.meetingId, role: link.role, sid: link.siteId, name: link.displayName },
      link.expiresAt,
    );
    const sip = this.sipCredentialOf?.(link);
    return { link, token, url: `/join#${token}`, ...(sip ? { sip } : {}) };
  }

  async listLinks(id: string): Promise<JoinLink[]> {
    await this.meetings.get(id);
    return this.store.links.listByMeeting(id as MeetingId);
  }

  async revokeLink(organizer: string, id: string, linkId: string): Promise<JoinLink> {
    const link = await this.store.links.get(linkId as JoinLinkId);
    if (!link || link.meetingId !== id)
      throw new DomainError('NOT_FOUND', `no link ${linkId} in meeting ${id}`);
    if (link.revokedAt !== null) return link;
    const revoked: JoinLink = { ...link, revokedAt: Date.now() };
    await this.store.links.put(revoked);
    await new AuditTrail(this.store).append(
      id,
      auditEntry(
        { role: 'organizer', displayName: organizer },
        revoked.revokedAt ?? Date.now(),
        'link:revoke',
        linkId,
        `${link.role} ${link.displayName}`,
      ),
    );
    this.onLinkRevoked(revoked);
    log.info('OrganizerService.revokeLink()', 'link revoked', { meetingId: id, linkId });
    return revoked;
  }

  async #directorySite(id: SiteId): Promise<DirectorySite> {
    const site = await this.store.directory.get(id);
    if (!site) throw new DomainError('NOT_FOUND', `no site ${id} in the directory`);
    return site;
  }
}

/** The domain actor of an organizer signed in over HTTP. */
function actorOf(username: string): Actor {
  return {
    participantId: `organizer:${username}` as ParticipantId,
    role: 'organizer',
    siteId: null,
    displayName: username,
  };
}
