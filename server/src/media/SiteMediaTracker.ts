import type { SiteId } from '@giaoban/shared';

/** Roll-call view of a site's media: nothing arriving, arriving well, or arriving badly. */
export type SiteMediaState = 'none' | 'flowing' | 'poor';

/** A site's media state and the score behind it (mediasoup's 0–10, worst of its streams). */
export interface SiteMediaStatus {
  siteId: SiteId;
  state: SiteMediaState;
  score: number;
}

/**
 * Below this score a flowing site turns poor. mediasoup scores a received stream as
 * round(deliveredRatio⁴ × 10): 5 ≈ 15 % of packets lost before repair.
 */
export const POOR_SCORE = 5;
/** A poor site recovers at this score (hysteresis, so the badge does not flicker). */
export const GOOD_SCORE = 7;

/** Per-producer score as mediasoup reports it: one entry per encoding (simulcast layer). */
type ScoreList = ReadonlyArray<{ score: number }>;

/**
 * Folds mediasoup producer scores into one state per site and reports only changes.
 * A producer's health is its best encoding (a simulcast sender that drops its top layers under
 * congestion is still delivering); a site's health is its worst live producer. A producer with
 * score 0 (no RTP for 1.5 s) does not count as delivering.
 */
export class SiteMediaTracker {
  readonly #scores = new Map<SiteId, Map<string, number>>();
  readonly #states = new Map<SiteId, SiteMediaStatus>();

  constructor(private readonly onChange: (status: SiteMediaStatus) => void) {}

  /** A producer of the site reported new scores. */
  producerScore(siteId: SiteId, producerId: string, scores: ScoreList): void {
    let site = this.#scores.get(siteId);
    if (!site) {
      site = new Map();
      this.#scores.set(siteId, site);
    }
    site.set(
      producerId,
      scores.reduce((best, s) => Math.max(best, s.score), 0),
    );
    this.#update(siteId);
  }

  /** A producer of the site closed. */
  producerClosed(siteId: SiteId, producerId: string): void {
    const site = this.#scores.get(siteId);
    if (!site?.delete(producerId)) return;
    if (site.size === 0) this.#scores.delete(siteId);
    this.#update(siteId);
  }

  /** The current status of a site. */
  status(siteId: SiteId): SiteMediaStatus {
    return this.#states.get(siteId) ?? { siteId, state: 'none', score: 0 };
  }

  #update(siteId: SiteId): void {
    const live = [...(this.#scores.get(siteId)?.values() ?? [])].filter((s) => s > 0);
    const previous = this.status(siteId);
    let next: SiteMediaStatus;
    if (live.length === 0) {
      next = { siteId, state: 'none', score: 0 };
    } else {
      const score = Math.min(...live);
      const poor = previous.state === 'poor' ? score < GOOD_SCORE : score < POOR_SCORE;
      next = { siteId, state: poor ? 'poor' : 'flowing', score };
    }
    if (next.state === 'none') this.#states.delete(siteId);
    else this.#states.set(siteId, next);
    if (next.state !== previous.state) this.onChange(next);
  }
}
