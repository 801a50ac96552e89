import { describe, expect, it } from 'vitest';
import {
  HISTORY_MS,
  judgeSite,
  plotQuality,
  type QualityHistory,
  type QualitySample,
  recordSample,
} from './siteQuality';

const T0 = 1_800_000_000_000;
const sample = (
  secondsAfter: number,
  lossPct: number,
  kbps: number,
  level: QualitySample['level'] = 'good',
): QualitySample => ({
  at: T0 + secondsAfter * 1000,
  lossPct,
  kbps,
  rttMs: 40,
  level,
});

describe('judgeSite()', () => {
  it('reads an absent site as lost, and a site that reported a poor link as weak', () => {
    expect(judgeSite('absent', { lossPct: 0 })).toEqual({ level: 'lost', reason: 'absent' });
    expect(judgeSite('poor', { lossPct: 0 })).toEqual({ level: 'weak', reason: 'siteReported' });
  });

  it('grades the loss of the picture received here', () => {
    expect(judgeSite('media', { lossPct: 0.5 })).toEqual({ level: 'good', reason: 'steady' });
    expect(judgeSite('media', { lossPct: 3 })).toEqual({ level: 'weak', reason: 'someLoss' });
    expect(judgeSite('media', { lossPct: 12 })).toEqual({ level: 'weak', reason: 'heavyLoss' });
  });

  it('says so when nothing is measured yet, and when a connected site sends no picture', () => {
    expect(judgeSite('media', null)).toEqual({ level: 'none', reason: 'notMeasured' });
    expect(judgeSite('connected', null)).toEqual({ level: 'lost', reason: 'noPicture' });
  });
});

describe('recordSample()', () => {
  it('keeps samples per site, oldest first, and never mutates the history it is given', () => {
    const empty: QualityHistory = {};
    const one = recordSample(empty, 'ha-noi', sample(0, 1, 900));
    const two = recordSample(one, 'ha-noi', sample(2, 2, 800));
    const other = recordSample(two, 'hue', sample(2, 0, 1200));
    expect(empty).toEqual({});
    expect(one['ha-noi']).toHaveLength(1);
    expect(other['ha-noi']?.map((s) => s.kbps)).toEqual([900, 800]);
    expect(other.hue?.map((s) => s.kbps)).toEqual([1200]);
  });

  it('forgets what is older than the window', () => {
    let h: QualityHistory = {};
    for (let s = 0; s <= 400; s += 10) h = recordSample(h, 'ha-noi', sample(s, 0, s));
    const kept = h['ha-noi'] ?? [];
    expect(kept.every((x) => x.at > T0 + 400_000 - HISTORY_MS)).toBe(true);
    expect(kept.at(-1)?.kbps).toBe(400);
    expect(kept.length).toBe(HISTORY_MS / 10_000);
  });

  it('drops a sample a clock step back would put out of order', () => {
    const h = recordSample(recordSample({}, 'ha-noi', sample(10, 0, 1)), 'ha-noi', sample(5, 0, 2));
    expect(h['ha-noi']?.map((s) => s.kbps)).toEqual([2]);
  });
});

describe('plotQuality()', () => {
  const now = T0 + HISTORY_MS;

  it('lays samples left to right over the window, loss and bitrate scaled to the plot', () => {
    const p = plotQuality([sample(0, 0, 1000), sample(150, 5, 500), sample(300, 10, 1000)], now, 300, 60);
    // The first sample is exactly one window old: out of the plot.
    expect(p.count).toBe(2);
    expect(p.lossPoints).toBe('150,30 300,0');
    expect(p.kbpsPoints).toBe('150,30 300,0');
    expect(p.lossMax).toBe(10);
    expect(p.kbpsMax).toBe(1000);
    expect(p.worstLossPct).toBe(10);
    expect(p.meanKbps).toBe(750);
  });

  it('keeps a clean link on the bottom line with a loss scale of at least 10 %', () => {
    const p = plotQuality([sample(200, 0, 800), sample(250, 0.5, 800)], now, 300, 60);
    expect(p.lossMax).toBe(10);
    expect(p.lossPoints).toBe('200,60 250,57');
  });

  it('shades the stretches where the site was lost and leaves them out of the lines', () => {
    const p = plotQuality(
      [sample(100, 1, 800), sample(150, 0, 0, 'lost'), sample(200, 0, 0, 'lost'), sample(250, 1, 800)],
      now,
      300,
      60,
    );
    expect(p.lostSpans).toEqual([{ x: 150, width: 100 }]);
    expect(p.lossPoints.split(' ')).toHaveLength(2);
  });

  it('draws nothing for a site without samples', () => {
    const p = plotQuality([], now, 300, 60);
    expect(p).toMatchObject({ count: 0, lossPoints: '', kbpsPoints: '', lostSpans: [], meanKbps: 0 });
  });
});
