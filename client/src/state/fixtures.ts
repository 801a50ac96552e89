import type { ConsumerInfo, FloorTurn, MeetingSnapshot, SiteState } from '@giaoban/shared';
import { initialMeetingState, type MeetingState } from './meetingState';

/** Test fixtures for the pure state functions (not imported by the app). */
export function site(id: string, patch: Partial<SiteState> = {}): SiteState {
  return {
    id: id as SiteState['id'],
    name: `Site ${id}`,
    region: '',
    isHost: false,
    declaredDelegates: 0,
    connection: 'absent',
    selfMuted: false,
    micOpenedByModerator: false,
    mutedByModerator: false,
    firstJoinedAt: null,
    lastLeftAt: null,
    ...patch,
  };
}

/** A live meeting with a host and two sites at version 5. */
export function snapshot(patch: Partial<MeetingSnapshot> = {}): MeetingSnapshot {
  // Later protocol additions (e.g. slides) are not needed by the functions under test.
  const base: Omit<MeetingSnapshot, 'slides' | 'votes' | 'moderation' | 'parent'> = {
    version: 5,
    meeting: {
      id: 'm1' as MeetingSnapshot['meeting']['id'],
      title: 'Giao ban',
      scheduledAt: 1_000,
      hostSiteId: 'host' as SiteState['id'],
      chairName: '',
      status: 'live',
      techCheckAt: null,
      liveAt: null,
      endedAt: null,
      techCheckTalkTo: null,
      floorSeconds: 180,
      maxConnections: 100,
    },
    sites: [site('host', { isHost: true }), site('s1'), site('s2')],
    participants: [],
    agenda: { items: [], currentItemId: null },
    queue: { requests: [], floor: null, history: [] },
    stage: { pinnedSiteId: null, programSiteId: 'host' as SiteState['id'] },
    totals: { invitedSites: 3, connectedSites: 0, mediaSites: 0, delegates: 0 },
  };
  return { ...base, ...patch } as MeetingSnapshot;
}

/** A running floor turn. */
export function floor(siteId: string, grantedAt: number, seconds: number | null): FloorTurn {
  return {
    siteId: siteId as FloorTurn['siteId'],
    topic: 'topic',
    agendaItemId: null,
    grantedAt,
    expiresAt: seconds === null ? null : grantedAt + seconds * 1000,
    endedAt: null,
    endReason: null,
    grantedBy: null,
  };
}

/** A joined client state holding `snap`. */
export function joined(snap: MeetingSnapshot = snapshot()): MeetingState {
  return { ...initialMeetingState, phase: 'joined', snapshot: snap };
}

/** A consumer announcement. */
export function consumerInfo(
  id: string,
  siteId: string | null,
  source: ConsumerInfo['source'],
): ConsumerInfo {
  return {
    id,
    producerId: `p-${id}`,
    kind: source === 'mic' ? 'audio' : 'video',
    rtpParameters: {},
    siteId: siteId as ConsumerInfo['siteId'],
    participantId: `pp-${siteId}` as ConsumerInfo['participantId'],
    source,
  };
}
