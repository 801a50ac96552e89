import type { MediaSource, Role, SiteId } from '@giaoban/shared';

/**
 * What the domain says about media right now. The app layer builds it from the meeting state
 * (the domain's MediaPolicy: program = pinned ?? floor holder ?? host) and hands it to
 * `MeetingMedia.applyPolicy()` after every change.
 */
export interface MediaPolicySnapshot {
  /** The site on the main stage for everyone, or null before anyone is on stage. */
  programSiteId: SiteId | null;
  /**
   * The site shown small in a corner of every main screen — the chair's host site while another
   * site has the program (the domain's `programView().cornerSiteId`). Absent or null: no corner.
   */
  cornerSiteId?: SiteId | null;
  /** Whether this site's microphone may be heard (chair, floor holder, or opened by a moderator). */
  micAllowed: (siteId: SiteId) => boolean;
  /** Whether the site has muted itself. */
  selfMuted: (siteId: SiteId) => boolean;
  /** Whether a role sees the multiview grid (chair, operator). */
  gridViewer: (role: Role) => boolean;
  /**
   * Whether a viewer may hear a site's (allowed) microphone — the domain's `micHeardBy`: before the
   * meeting is live the host's microphone is private to the moderators and the one site the
   * technical check is opened to. Absent: every viewer hears every open microphone.
   */
  micHeardBy?: (producerSiteId: SiteId, viewer: { role: Role; siteId: SiteId | null }) => boolean;
}

/** Simulcast layer for the main stage: the highest the publisher sends (clamped by mediasoup). */
export const PROGRAM_SPATIAL_LAYER = 2;
/** Simulcast layer for the chair's corner picture. */
export const CORNER_SPATIAL_LAYER = 1;
/** Simulcast layer for a grid thumbnail. */
export const TILE_SPATIAL_LAYER = 0;

/** What a consumer should be doing. spatialLayer is null when layers do not apply or do not matter. */
export interface ConsumerTarget {
  paused: boolean;
  spatialLayer: number | null;
}

/** The viewer side of a consumer. */
export interface ViewerView {
  siteId: SiteId | null;
  role: Role;
  visibleTiles: ReadonlySet<SiteId>;
}

/** The producer side of a consumer. */
export interface ProducerView {
  siteId: SiteId | null;
  source: MediaSource;
}

const PAUSED: ConsumerTarget = { paused: true, spatialLayer: null };

/**
 * A policy snapshot with its per-site answers cached for one pass: a pass touches every
 * (viewer, producer) pair — up to ~200 × ~200 — and must not call back into the domain for each.
 */
export class PolicyPass {
  readonly #mic = new Map<SiteId, boolean>();
  readonly #grid = new Map<Role, boolean>();
  constructor(readonly policy: MediaPolicySnapshot) {}

  /** The program site. */
  get programSiteId(): SiteId | null {
    return this.policy.programSiteId;
  }

  /** The corner site, if any. */
  get cornerSiteId(): SiteId | null {
    return this.policy.cornerSiteId ?? null;
  }

  /** Allowed and not self-muted: the server forwards this site's microphone. */
  micOpen(siteId: SiteId): boolean {
    let open = this.#mic.get(siteId);
    if (open === undefined) {
      open = this.policy.micAllowed(siteId) && !this.policy.selfMuted(siteId);
      this.#mic.set(siteId, open);
    }
    return open;
  }

  /** Whether the role consumes the grid. */
  gridViewer(role: Role): boolean {
    let grid = this.#grid.get(role);
    if (grid === undefined) {
      grid = this.policy.gridViewer(role);
      this.#grid.set(role, grid);
    }
    return grid;
  }
}

/**
 * The consumption rule, one consumer at a time (the same rule as the domain's `videoWanted`):
 * - microphone: flowing, except to a device in the same room (same site), which would feed back;
 *   whether anyone hears it at all is decided at the producer (paused at the server when closed);
 * - screen share: flowing to everyone;
 * - a camera is never sent back into its own room;
 * - camera of the program site: flowing at the top layer to every viewer;
 * - camera of the corner site (the chair while a site has the floor): flowing at the middle layer;
 * - camera shown as a visible grid tile (chair/operator only): flowing at the lowest layer;
 * - any other camera: paused at the server.
 * With no policy yet, only microphones flow (and producers decide whether they carry sound).
 */
export function consumerTarget(
  viewer: ViewerView,
  producer: ProducerView,
  pass: PolicyPass | null,
): ConsumerTarget {
  switch (producer.source) {
    case 'mic':
      if (viewer.siteId !== null && viewer.siteId === producer.siteId) return PAUSED;
      // A microphone this viewer may not hear (the chair's, before the meeting is live) is paused for it.
      if (pass?.policy.micHeardBy && producer.siteId !== null && !pass.policy.micHeardBy(producer.siteId, viewer))
        return PAUSED;
      return { paused: false, spatialLayer: null };
    case 'screen':
      return { paused: false, spatialLayer: null };
    case 'camera': {
      if (pass === null || producer.siteId === null || producer.siteId === viewer.siteId) return PAUSED;
      if (producer.siteId === pass.programSiteId)
        return { paused: false, spatialLayer: PROGRAM_SPATIAL_LAYER };
      if (producer.siteId === pass.cornerSiteId) return { paused: false, spatialLayer: CORNER_SPATIAL_LAYER };
      if (pass.gridViewer(viewer.role) && viewer.visibleTiles.has(producer.siteId)) {
        return { paused: false, spatialLayer: TILE_SPATIAL_LAYER };
      }
      return PAUSED;
    }
    default: {
      const never: never = producer.source;
      throw new Error(`unknown media source ${String(never)}`);
    }
  }
}

/**
 * Whether a role gets a consumer of EVERY remote producer, created paused ahead of need, so that
 * the policy only has to resume one (no signalling round trip): the bridge points (sites), whose
 * program switch must be instant in every room, and the moderators (chair, operator), who also
 * page through the grid. Everyone else — observers, secretaries, organizers, possibly a thousand
 * of them — consumes on demand (see `wantedOnDemand`).
 */
export const precreatesConsumers = (role: Role): boolean =>
  role === 'site' || role === 'chair' || role === 'operator';

/**
 * For a viewer that consumes on demand: whether a consumer of this producer should exist now.
 * A camera while the policy wants it flowing to this viewer (program, corner, a visible tile of a
 * grid viewer); a microphone while the policy has it open (allowed and not self-muted) and it is
 * not in the viewer's own room; a screen share always.
 */
export function wantedOnDemand(viewer: ViewerView, producer: ProducerView, pass: PolicyPass | null): boolean {
  if (consumerTarget(viewer, producer, pass).paused) return false;
  if (producer.source !== 'mic') return true;
  return pass !== null && producer.siteId !== null && pass.micOpen(producer.siteId);
}

/**
 * A viewer from no room, without a grid: what it wants on demand is what ANY on-demand viewer
 * without a grid may want, so the meeting filters its producers once per policy pass with it.
 */
export const ANY_ON_DEMAND_VIEWER: ViewerView = { siteId: null, role: 'observer', visibleTiles: new Set() };

/**
 * Which roles may publish which source. Camera and microphone belong to a room (chair's host room,
 * a site's bridge point); a screen is shared by whoever presents: chair, operator (drives slides)
 * or a site made presenter. Whether this participant is the presenter right now is the domain's
 * decision, checked by the caller before `produce()`.
 */
export function mayPublish(role: Role, source: MediaSource): boolean {
  switch (source) {
    case 'camera':
    case 'mic':
      return role === 'chair' || role === 'site';
    case 'screen':
      return role === 'chair' || role === 'operator' || role === 'site';
    default: {
      const never: never = source;
      throw new Error(`unknown media source ${String(never)}`);
    }
  }
}

/** Which kind each source must carry. */
export const kindOfSource = (source: MediaSource): 'audio' | 'video' =>
  source === 'mic' ? 'audio' : 'video';
