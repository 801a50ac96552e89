import { describe, expect, it } from 'vitest';
import { attendanceSeries, duration, layOutBars, speakingSeries, vnDay } from './statisticsView';

describe('statistics page helpers', () => {
  it('a Vietnam day turns over at 17:00 UTC', () => {
    expect(vnDay(Date.UTC(2025, 6, 1, 16, 59))).toBe('2025-07-01');
    expect(vnDay(Date.UTC(2025, 6, 1, 17, 0))).toBe('2025-07-02');
    expect(vnDay(Date.UTC(2025, 6, 1, 12, 0), -30)).toBe('2025-06-01');
  });

  it('bars fill the box, scaled to the largest value; zero keeps a baseline mark', () => {
    const bars = layOutBars([0, 5, 10], 30, 20);
    expect(bars.map((b) => b.height)).toEqual([1, 10, 20]);
    expect(bars.map((b) => b.y)).toEqual([19, 10, 0]);
    expect(bars[2]?.x).toBeCloseTo(21, 5);
    expect(bars.every((b) => b.x + b.width <= 30)).toBe(true);
    expect(layOutBars([], 30, 20)).toEqual([]);
    expect(layOutBars([5], 30, 20, 10)[0]?.height).toBe(10);
  });

  it('series in minutes from a timeline, and durations as read aloud', () => {
    const p = {
      meetingId: 'm' as never,
      title: 't',
      scheduledAt: 0,
      attended: true,
      lateMinutes: null,
      turns: 1,
      poorEpisodes: 0,
      poorSeconds: 0,
    };
    const t = [
      { ...p, connectedSeconds: 3600, speakingSeconds: 90 },
      { ...p, attended: false, connectedSeconds: 0, speakingSeconds: 0 },
    ];
    expect(attendanceSeries(t)).toEqual([60, 0]);
    expect(speakingSeries(t)).toEqual([1.5, 0]);
    expect(duration(3900, { h: 'giờ', min: 'phút' })).toBe('1 giờ 05 phút');
    expect(duration(90, { h: 'h', min: 'min' })).toBe('2 min');
  });
});
