import type { AttendanceTotals, ParentView, SiteState } from '@giaoban/shared';
import { parentPagePath } from '@giaoban/shared';
import type { MessageKey, Translate } from '../../i18n/i18n';

/**
 * Linked meetings on screen (pure, unit-tested): what a child meeting's pages say about its parent
 * ("Cầu trung ương: …"), the notice while the national link is down, and how a parent's roll call
 * words a linked province.
 */

/** The notice over a child meeting's pages while the national link is not relaying, or null. */
export function parentNotice(parent: ParentView | null | undefined): MessageKey | null {
  if (!parent) return null;
  switch (parent.link) {
    case 'connected':
      return null;
    case 'reconnecting':
      // Never reached yet (just linked): connecting, not "lost".
      return parent.meetingTitle === '' ? 'parent.notice.connecting' : 'parent.notice.reconnecting';
    case 'lost':
      return 'parent.notice.lost';
    default: {
      const never: never = parent.link;
      return never;
    }
  }
}

/** "Nội dung 2/5: Báo cáo…" — the parent's current item, or null before it opens one. */
export function parentItemText(parent: ParentView, t: Translate): string | null {
  const item = parent.agendaItem;
  return item ? t('parent.item', { position: item.position, count: item.count, title: item.title }) : null;
}

/** "Nghệ An — Sạt lở bờ sông Lam", the parent's floor holder with its topic, or null. */
export function parentFloorText(parent: ParentView, t: Translate): string | null {
  const floor = parent.floor;
  if (!floor) return null;
  return floor.topic
    ? t('parent.floor', { site: floor.siteName, topic: floor.topic })
    : t('parent.floorNoTopic', { site: floor.siteName });
}

/** Where this page loads the parent's shown page from: its own hub, never the parent's. */
export function parentPageUrl(meetingId: string, parent: ParentView, token: string | null): string | null {
  if (!parent.slide) return null;
  const path = parentPagePath(meetingId, parent.slide.documentId, parent.slide.page);
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}

/** A linked province's line in the parent's roll call: "12/14 xã, phường · phiên riêng", or null. */
export function linkedSiteText(site: Pick<SiteState, 'linked'>, t: Translate): string | null {
  const linked = site.linked;
  if (!linked) return null;
  const below = t('rollcall.linked', { connected: linked.connectedSites, invited: linked.invitedSites });
  return linked.localSession ? `${below} · ${t('rollcall.localSession')}` : below;
}

/** The delegates a roll-call line counts: a linked province's count covers every level below it. */
export const delegatesOf = (site: Pick<SiteState, 'linked' | 'declaredDelegates'>): number =>
  site.linked ? site.linked.delegates : site.declaredDelegates;

/** "· 118/130 xã, phường cấp dưới" after the national totals, or null when no site is linked. */
export function linkedTotalsText(totals: AttendanceTotals, t: Translate): string | null {
  return totals.linked
    ? t('rollcall.linkedTotals', {
        connected: totals.linked.connectedSites,
        invited: totals.linked.invitedSites,
      })
    : null;
}
