import type { ConsumerSource, MediaSource, Role, SiteId } from '@giaoban/shared';

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
  /**
   * Sites whose camera every viewer keeps a consumer of even while it is not shown (paused at the
   * server), so that showing it is a resume, not a signalling round trip: the host, which is the
   * corner picture during every floor turn. Keep it short — each entry costs one consumer per viewer.
   */
  warmSiteIds?: readonly SiteId[];
  /**
   * Talk-back (issue 14): the site the operator talks with privately. The operator's microphone
   * (a microphone from no room) reaches that site's devices only; absent or null, nobody's.
   */
  talkBackSiteId?: SiteId | null;
}

/** Simulcast layer of the program stream for the main stage: the highest (clamped by mediasoup). */
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
  source: ConsumerSource;
}

const PAUSED: ConsumerTarget = { paused: true, spatialLayer: null };

/**
 * A policy snapshot with its per-site answers cached for one pass: a pass touches every
 * (viewer, producer) pair — up to ~200 × ~200 — and must not call back into the domain for each.
 */
export class PolicyPass {
  readonly #mic = new Map<SiteId, boolean>();
  readonly #grid = new Map<Role, boolean>();
  /**
   * Whether the program stream carries the program site (set by the media layer): not while that
   * site publishes no camera (the program consumers pause: nothing to show), nor when its camera is
   * not VP8 (e.g. a hardware room system in H264) — then viewers consume that camera itself.
   */
  programViaStream = true;
  /**
   * Whether the program carries an input from outside the meeting (a linked parent meeting's
   * program, set by the media layer): then no room here is on stage, and every viewer — the program
   * site's own room too, the province chair's included — receives it.
   */
  programFromInput = false;
  constructor(readonly policy: MediaPolicySnapshot) {}

  /** The program site. */
  get programSiteId(): SiteId | null {
    return this.policy.programSiteId;
  }

  /** The corner site, if any. */
  get cornerSiteId(): SiteId | null {
    return this.policy.cornerSiteId ?? null;
  }

  /** Whether every viewer keeps this site's camera consumer, paused when not shown. */
  warm(siteId: SiteId): boolean {
    return this.policy.warmSiteIds?.includes(siteId) ?? false;
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
 * - program (the meeting's main stage as one stream, see ProgramSwitcher): flowing at the top
 *   layer to every viewer, except into the program site's own room (it would see itself) — while
 *   it carries a linked parent meeting's program, into that room too;
 * - microphone: flowing, except to a device in the same room (same site), which would feed back;
 *   whether anyone hears it at all is decided at the producer (paused at the server when closed);
 * - screen share: flowing to everyone;
 * - a camera is never sent back into its own room;
 * - camera of the corner site (the chair while a site has the floor): flowing at the middle layer;
 * - camera shown as a visible grid tile (chair/operator only): flowing at the lowest layer;
 * - any other camera — the program site's too, which everyone sees through the program: paused.
 * With no policy yet, only microphones flow (and producers decide whether they carry sound).
 */
export function consumerTarget(
  viewer: ViewerView,
  producer: ProducerView,
  pass: PolicyPass | null,
): ConsumerTarget {
  switch (producer.source) {
    case 'program':
      if (pass === null || pass.programSiteId === null) return PAUSED;
      if (pass.programSiteId === viewer.siteId && !pass.programFromInput) return PAUSED;
      return pass.programViaStream ? { paused: false, spatialLayer: PROGRAM_SPATIAL_LAYER } : PAUSED;
    case 'mic':
      // Talk-back: a microphone from no room is the operator's, heard in the one room it talks with.
      if (producer.siteId === null)
        return viewer.siteId !== null && viewer.siteId === (pass?.policy.talkBackSiteId ?? null)
          ? { paused: false, spatialLayer: null }
          : PAUSED;
      if (viewer.siteId !== null && viewer.siteId === producer.siteId) return PAUSED;
      // A microphone this viewer may not hear (the chair's, before the meeting is live) is paused for
      // it. The on-demand candidate filter is an upper bound over viewers, so it skips this check.
      if (
        viewer !== ANY_ON_DEMAND_VIEWER &&
        pass?.policy.micHeardBy &&
        producer.siteId !== null &&
        !pass.policy.micHeardBy(producer.siteId, viewer)
      )
        return PAUSED;
      return { paused: false, spatialLayer: null };
    case 'screen':
      return { paused: false, spatialLayer: null };
    case 'programAudio':
      // The parent meeting (linked meetings): everyone here hears it once the meeting has a policy.
      return pass === null ? PAUSED : { paused: false, spatialLayer: null };
    case 'camera': {
      if (pass === null || producer.siteId === null || producer.siteId === viewer.siteId) return PAUSED;
      if (producer.siteId === pass.programSiteId && !pass.programViaStream) {
        return { paused: false, spatialLayer: PROGRAM_SPATIAL_LAYER };
      }
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
 * Whether a consumer of this producer should exist for this viewer now. Every viewer — site,
 * moderator, observer — holds only what it shows or is about to show, so consumers grow with
 * viewers, not viewers × sites:
 * - the program, always (paused while the viewer's own site is on stage), so a floor change
 *   touches no viewer's consumers;
 * - a camera while the policy wants it flowing to this viewer (corner, a visible grid tile), and
 *   the cameras of warm sites (the host: the corner of every floor turn), paused when not shown;
 * - a microphone while the policy has it open (allowed and not self-muted), not in its own room;
 * - a screen share always.
 * What is not wanted any more is paused at once and closed after a grace period (PeerConsumers).
 */
export function wantedOnDemand(viewer: ViewerView, producer: ProducerView, pass: PolicyPass | null): boolean {
  if (producer.source === 'program') return true;
  if (
    producer.source === 'camera' &&
    producer.siteId !== null &&
    producer.siteId !== viewer.siteId &&
    pass?.warm(producer.siteId)
  ) {
    return true;
  }
  if (consumerTarget(viewer, producer, pass).paused) return false;
  if (producer.source !== 'mic') return true;
  // Talk-back: the operator's microphone (no room) is wanted wherever consumerTarget lets it flow.
  return pass !== null && (producer.siteId === null || pass.micOpen(producer.siteId));
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
      return role === 'chair' || role === 'site';
    case 'mic':
      // The operator's microphone exists for talk-back only (consumerTarget sends it to one room).
      return role === 'chair' || role === 'site' || role === 'operator';
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
