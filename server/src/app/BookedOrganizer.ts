import type { SiteId } from '@giaoban/shared';
import type { OrganizerApi } from '../http/app.js';
import type { ScheduleService } from './ScheduleService.js';

/**
 * The organizer API with the calendar's rules on every path that places a meeting in time or
 * ties up a site: creating a meeting, moving it, inviting sites are refused with CONFLICT when
 * they would clash (unless BOOKING_CLASH_CHECK=bookings), and issued links carry absolute URLs on
 * PUBLIC_URL.
 */
export function withBooking(api: OrganizerApi, schedule: ScheduleService): OrganizerApi {
  const checked = schedule.checksEveryMeeting;
  return {
    login: (u, p) => api.login(u, p),
    logout: (t) => api.logout(t),
    authenticate: (t) => api.authenticate(t),
    listSites: () => api.listSites(),
    createSite: (o, b) => api.createSite(o, b),
    listMeetings: () => api.listMeetings(),
    getMeeting: (id) => api.getMeeting(id),
    createMeeting: (organizer, body) =>
      !checked
        ? api.createMeeting(organizer, body)
        : schedule.guard(
            {
              meetingId: null,
              title: body.title,
              scheduledAt: body.scheduledAt,
              siteIds: [body.hostSiteId, ...body.invitedSiteIds.filter((s) => s !== body.hostSiteId)],
            },
            () => api.createMeeting(organizer, body),
          ),
    updateMeeting: async (organizer, id, body) => {
      if (!checked || body.scheduledAt === undefined) return api.updateMeeting(organizer, id, body);
      const current = await api.getMeeting(id);
      return schedule.guard(
        {
          meetingId: id,
          title: body.title ?? current.meeting.title,
          scheduledAt: body.scheduledAt,
          siteIds: current.sites.map((s) => s.id),
        },
        () => api.updateMeeting(organizer, id, body),
      );
    },
    inviteSites: async (organizer, id, siteIds) => {
      if (!checked) return api.inviteSites(organizer, id, siteIds);
      const current = await api.getMeeting(id);
      const host = current.meeting.hostSiteId;
      return schedule.guard(
        {
          meetingId: id,
          title: current.meeting.title,
          scheduledAt: current.meeting.scheduledAt,
          siteIds: [host, ...(siteIds as SiteId[]).filter((s) => s !== host)],
        },
        () => api.inviteSites(organizer, id, siteIds),
      );
    },
    addAgendaItem: (o, id, b) => api.addAgendaItem(o, id, b),
    updateAgendaItem: (o, id, itemId, b) => api.updateAgendaItem(o, id, itemId, b),
    removeAgendaItem: (o, id, itemId) => api.removeAgendaItem(o, id, itemId),
    reorderAgenda: (o, id, itemIds) => api.reorderAgenda(o, id, itemIds),
    issueLink: async (o, id, b) => schedule.absoluteLink(await api.issueLink(o, id, b)),
    listLinks: (id) => api.listLinks(id),
    revokeLink: (o, id, linkId) => api.revokeLink(o, id, linkId),
  };
}
