import type { DirectorySite, SiteConnection, SiteId, SiteState } from '@giaoban/shared';
import { type Outcome, refuse, succeed } from './DomainError.js';

/** A bridge point (điểm cầu) as invited to a meeting, built from its directory entry. */
export function siteFromDirectory(entry: DirectorySite, isHost: boolean): SiteState {
  return {
    id: entry.id,
    name: entry.name,
    region: entry.region,
    isHost,
    declaredDelegates: 0,
    connection: 'absent',
    selfMuted: false,
    micOpenedByModerator: false,
    mutedByModerator: false,
    firstJoinedAt: null,
    lastLeftAt: null,
  };
}

/** The invited site with this id, or NOT_FOUND. */
export function getSite(sites: readonly SiteState[], siteId: SiteId): Outcome<SiteState> {
  const site = sites.find((s) => s.id === siteId);
  return site ? succeed(site) : refuse('NOT_FOUND', `site ${siteId} is not invited to this meeting`);
}

/** Replaces one site in the list, keeping the order (the roll-call board's order). */
export function replaceSite(sites: readonly SiteState[], site: SiteState): SiteState[] {
  return sites.map((s) => (s.id === site.id ? site : s));
}

/** True while some device of the site is connected (whatever its media does). */
export const isPresent = (connection: SiteConnection): boolean => connection !== 'absent';

/** True while the site's media reaches the hub (a poor link still flows). */
export const hasMedia = (connection: SiteConnection): boolean =>
  connection === 'media' || connection === 'poor';

/** The site's first device connected: it shows as connected and its first join is remembered. */
export function siteConnected(site: SiteState, now: number): SiteState {
  if (isPresent(site.connection)) return site;
  return { ...site, connection: 'connected', firstJoinedAt: site.firstJoinedAt ?? now };
}

/**
 * The site's last device left. Microphone flags are reset: a reconnecting device starts fresh
 * (unmuted, as its UI will show) and a moderator-opened microphone does not come back live by
 * surprise. Declared delegates stay for the report (but only count while connected).
 */
export function siteDisconnected(site: SiteState, now: number): SiteState {
  return { ...site, connection: 'absent', lastLeftAt: now, micOpenedByModerator: false, selfMuted: false };
}

/**
 * Media started or stopped reaching the hub. Poor quality is a sub-state of media flowing:
 * it is kept while media keeps flowing and dropped with it.
 */
export function siteMediaFlowing(site: SiteState, flowing: boolean): SiteState {
  if (site.connection === 'absent') return site;
  if (flowing) return site.connection === 'connected' ? { ...site, connection: 'media' } : site;
  return hasMedia(site.connection) ? { ...site, connection: 'connected' } : site;
}

/** The link's quality crossed the poor threshold (either way); only meaningful while media flows. */
export function siteQuality(site: SiteState, poor: boolean): SiteState {
  if (!hasMedia(site.connection)) return site;
  const connection: SiteConnection = poor ? 'poor' : 'media';
  return site.connection === connection ? site : { ...site, connection };
}

/** Records the delegates present in the room. */
export function declareDelegates(site: SiteState, delegates: number): SiteState {
  return site.declaredDelegates === delegates ? site : { ...site, declaredDelegates: delegates };
}

/**
 * A moderator opens or closes a site's microphone. Opening also lifts the site's self-mute
 * (PRODUCT.md: only moderators unmute others); closing mutes it, and the site may unmute
 * itself again only where the policy lets it speak (host, floor holder).
 */
export function setModeratorMic(site: SiteState, open: boolean): SiteState {
  return { ...site, micOpenedByModerator: open, selfMuted: !open, mutedByModerator: !open };
}

/**
 * A moderator mutes the site ("mute all"): its opened microphone closes and it stays unheard,
 * even if it unmutes itself, until a moderator opens it or gives it the floor.
 */
export function muteByModerator(site: SiteState): SiteState {
  if (site.isHost || (site.mutedByModerator && !site.micOpenedByModerator)) return site;
  return { ...site, micOpenedByModerator: false, mutedByModerator: true, selfMuted: true };
}

/** The site mutes or unmutes itself; the media policy still decides whether it is heard. */
export function setSelfMuted(site: SiteState, muted: boolean): SiteState {
  return site.selfMuted === muted ? site : { ...site, selfMuted: muted };
}

/**
 * Adds directory entries to the invited list (idempotent). Sites already invited keep their
 * live state and take the directory's current name and region.
 */
export function inviteSites(sites: readonly SiteState[], entries: readonly DirectorySite[]): SiteState[] {
  const next = [...sites];
  for (const entry of entries) {
    const i = next.findIndex((s) => s.id === entry.id);
    const existing = i >= 0 ? next[i] : undefined;
    if (existing) next[i] = { ...existing, name: entry.name, region: entry.region };
    else next.push(siteFromDirectory(entry, false));
  }
  return next;
}

/**
 * Removes sites from the invited list. The host cannot be removed (VALIDATION) and a connected
 * site cannot be dropped under its delegates' feet (INVALID_STATE); unknown ids are ignored.
 */
export function uninviteSites(sites: readonly SiteState[], siteIds: readonly SiteId[]): Outcome<SiteState[]> {
  const drop = new Set(siteIds);
  for (const s of sites) {
    if (!drop.has(s.id)) continue;
    if (s.isHost) return refuse('VALIDATION', 'the host site cannot be uninvited');
    if (isPresent(s.connection))
      return refuse('INVALID_STATE', `site ${s.id} is connected; it cannot be uninvited now`);
  }
  return succeed(sites.filter((s) => !drop.has(s.id)));
}
