/** Sizes of a multiview tile: a 16:9 picture plus its caption and buttons. */
export interface TileMetrics {
  minWidth: number;
  maxWidth: number;
  captionHeight: number;
  gap: number;
}

/** The console's tiles: readable names at the smallest, thumbnails (not a second stage) at the largest. */
export const TILE_METRICS: TileMetrics = { minWidth: 210, maxWidth: 440, captionHeight: 74, gap: 8 };

/** A multiview page: how many columns and rows, and how wide a tile is. */
export interface GridLayout {
  columns: number;
  rows: number;
  tileWidth: number;
}

/**
 * Lays out `count` tiles in a `width`×`height` area (pure). Uses the largest tiles that fit all of
 * them on one page; when even the smallest do not, fills the area with the smallest and pages.
 */
export function gridLayout(
  width: number,
  height: number,
  count: number,
  m: TileMetrics = TILE_METRICS,
): GridLayout {
  const maxColumns = Math.max(1, Math.floor((width + m.gap) / (m.minWidth + m.gap)));
  const tileWidthAt = (columns: number) => Math.min(m.maxWidth, (width - m.gap * (columns - 1)) / columns);
  const tileHeight = (w: number) => (w * 9) / 16 + m.captionHeight;
  const n = Math.max(1, count);
  for (let columns = 1; columns <= maxColumns; columns++) {
    const w = tileWidthAt(columns);
    const rows = Math.ceil(n / columns);
    if (rows * tileHeight(w) + m.gap * (rows - 1) <= height)
      return { columns, rows, tileWidth: Math.floor(w) };
  }
  const w = tileWidthAt(maxColumns);
  const rows = Math.max(1, Math.floor((height + m.gap) / (tileHeight(w) + m.gap)));
  return { columns: maxColumns, rows, tileWidth: Math.floor(w) };
}
