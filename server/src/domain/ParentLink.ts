import type {
  LinkedTotals,
  MeetingSnapshot,
  ParentLinkState,
  ParentView,
  SiteId,
  SiteState,
} from '@giaoban/shared';
import { isPresent } from './BridgePoint.js';
import { type Outcome, refuse, succeed } from './DomainError.js';
import type { MeetingRecord } from './MeetingRecord.js';

/**
 * Linked meetings, the rules of both ends (plain data; `server/src/relay/` is the adapter):
 * - the child meeting keeps a view of its parent (`record.parent`): title, current item, floor
 *   holder, the page shown, the link's state, and whether its chair holds a local segment;
 * - the parent keeps, on the relay site, the totals the child reported (`site.linked`), so its
 *   roll call and national totals count every level.
 */

/** The child's view of its parent, built from the parent's snapshot as the relay site sees it. */
export function parentViewOf(
  parent: MeetingSnapshot,
  asSite: SiteId | null,
  link: ParentLinkState,
  localSegment: boolean,
): ParentView {
  const items = parent.agenda.items;
  const index = items.findIndex((i) => i.id === parent.agenda.currentItemId);
  const item = index >= 0 ? items[index] : undefined;
  const floor = parent.queue.floor;
  const showing = parent.slides.showing;
  const doc = showing ? parent.slides.documents.find((d) => d.id === showing.documentId) : undefined;
  const request = parent.queue.requests.find((r) => r.siteId === asSite);
  return {
    meetingTitle: parent.meeting.title,
    agendaItem: item ? { title: item.title, position: index + 1, count: items.length } : null,
    floor: floor
      ? {
          siteName: parent.sites.find((s) => s.id === floor.siteId)?.name ?? floor.siteId,
          topic: floor.topic,
          since: floor.grantedAt,
        }
      : null,
    slide:
      showing && doc
        ? {
            documentId: showing.documentId,
            documentName: doc.name,
            page: showing.page,
            pageCount: showing.pageCount,
          }
        : null,
    link,
    province: {
      requestTopic: request ? request.topic : null,
      onStage: asSite !== null && parent.stage.programSiteId === asSite,
    },
    localSegment,
  };
}

/**
 * The child's view after the link's state changed; the rest of the view is the last one seen (a
 * lost link shows what the parent last showed, marked as such). Null when never linked.
 */
export function withLinkState(view: ParentView | null, link: ParentLinkState): ParentView | null {
  return view ? { ...view, link } : null;
}

/** The child's chair leaves relay mode for a local segment, or returns to relaying. */
export function setLocalSegment(rec: MeetingRecord, local: boolean): Outcome<MeetingRecord> {
  if (!rec.parent) return refuse('INVALID_STATE', 'this meeting is not linked to a parent meeting');
  if (rec.parent.localSegment === local) return succeed(rec);
  return succeed({ ...rec, parent: { ...rec.parent, localSegment: local } });
}

/**
 * A new view from the parent (or a link state change). The local segment is the child's own
 * decision and survives it; null (unlinked) ends it.
 */
export function setParentView(rec: MeetingRecord, view: ParentView | null): MeetingRecord {
  const next = view ? { ...view, localSegment: rec.parent?.localSegment ?? false } : null;
  return { ...rec, parent: next };
}

/**
 * What this meeting reports up when it is a linked child: the sites below its host (the province's
 * communes, and theirs through their own links), the connected ones, and the delegates of every
 * level (the host room's included: the province at the parent is the child's host).
 */
export function rolledUpTotals(sites: readonly SiteState[], localSession: boolean): LinkedTotals {
  let invitedSites = 0;
  let connectedSites = 0;
  let delegates = 0;
  for (const s of sites) {
    if (!s.isHost) {
      invitedSites += 1;
      if (isPresent(s.connection)) connectedSites += 1;
    }
    if (s.linked) {
      invitedSites += s.linked.invitedSites;
      if (isPresent(s.connection)) connectedSites += s.linked.connectedSites;
    }
    if (isPresent(s.connection)) delegates += s.linked ? s.linked.delegates : s.declaredDelegates;
  }
  return { invitedSites, connectedSites, delegates, localSession };
}

/** The parent records what a linked site's hub reported (its own relay link, checked by the caller). */
export function reportLinked(
  sites: readonly SiteState[],
  siteId: SiteId,
  linked: LinkedTotals,
): Outcome<SiteState[]> {
  const site = sites.find((s) => s.id === siteId);
  if (!site) return refuse('NOT_FOUND', `site ${siteId} is not invited to this meeting`);
  return succeed(sites.map((s) => (s.id === siteId ? { ...s, linked } : s)));
}
