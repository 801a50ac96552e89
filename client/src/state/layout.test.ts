import { describe, expect, it } from 'vitest';
import { gridLayout } from './layout';

describe('gridLayout()', () => {
  it('gives a few sites large tiles on one page', () => {
    expect(gridLayout(1470, 480, 3)).toEqual({ columns: 3, rows: 1, tileWidth: 440 });
  });

  it('pages 64 sites with the smallest tiles that fill a 1080p console', () => {
    const g = gridLayout(1470, 480, 64);
    expect(g.columns).toBe(6);
    expect(g.rows).toBe(2);
    expect(g.tileWidth).toBeGreaterThanOrEqual(210);
  });

  it('fits a laptop console with at least one row', () => {
    const g = gridLayout(960, 300, 34);
    expect(g.columns).toBe(4);
    expect(g.rows).toBe(1);
  });

  it('never returns an empty grid', () => {
    expect(gridLayout(100, 50, 10)).toEqual({ columns: 1, rows: 1, tileWidth: 100 });
  });
});
