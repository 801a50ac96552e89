import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { session } from '../../services/session';
import { useMeeting } from '../../state/hooks';
import { activeFloor, pageCount, pageOf, programSiteId, tileOrder } from '../../state/selectors';
import { SiteTile } from './SiteTile';

/** Smallest tile that still reads as a picture of a room, plus its caption and buttons. */
const MIN_TILE_WIDTH = 210;
const CAPTION_HEIGHT = 74;
const GAP = 8;

/** How many tiles fit the multiview area (columns × rows), re-measured when it resizes. */
function useGrid(ref: React.RefObject<HTMLElement | null>): { columns: number; rows: number } {
  const [grid, setGrid] = useState({ columns: 4, rows: 2 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const { width, height } = el.getBoundingClientRect();
      const columns = Math.max(1, Math.floor((width + GAP) / (MIN_TILE_WIDTH + GAP)));
      const tileWidth = (width - GAP * (columns - 1)) / columns;
      const tileHeight = (tileWidth * 9) / 16 + CAPTION_HEIGHT;
      const rows = Math.max(1, Math.floor((height + GAP) / (tileHeight + GAP)));
      setGrid((g) => (g.columns === columns && g.rows === rows ? g : { columns, rows }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return grid;
}

/**
 * Every invited site as a live thumbnail, paged to fit. The visible page is reported to the
 * server, which pauses the tiles nobody sees instead of sending them to be hidden.
 */
export function Multiview() {
  const { t } = useI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const recvReady = useMeeting((s) => s.media.recvReady);
  const areaRef = useRef<HTMLDivElement>(null);
  const { columns, rows } = useGrid(areaRef);
  const [page, setPage] = useState(0);
  const pageSize = columns * rows;
  const sites = useMemo(() => tileOrder(snapshot?.sites ?? []), [snapshot?.sites]);
  const { items, page: shown } = pageOf(sites, pageSize, page);
  const pages = pageCount(sites.length, pageSize);
  const visibleKey = items.map((s) => s.id).join(',');

  useEffect(() => {
    if (recvReady) void session.media.reportVisibleTiles(visibleKey ? visibleKey.split(',') : []);
  }, [visibleKey, recvReady]);

  const program = programSiteId(snapshot);
  const floorSite = activeFloor(snapshot)?.siteId ?? null;
  const pinned = snapshot?.stage.pinnedSiteId ?? null;
  const requested = new Set(snapshot?.queue.requests.map((r) => r.siteId));

  return (
    <section className="multiview" aria-label={t('multiview.label')}>
      <div className="multiview__bar">
        <h2 className="panel-title">{t('multiview.title', { count: sites.length })}</h2>
        <nav className="pager" aria-label={t('multiview.pager')}>
          <button
            type="button"
            className="btn btn--small"
            disabled={shown === 0}
            onClick={() => setPage(shown - 1)}
          >
            {t('multiview.prev')}
          </button>
          <span className="pager__pos" aria-live="polite">
            {t('multiview.page', { page: shown + 1, pages })}
          </span>
          <button
            type="button"
            className="btn btn--small"
            disabled={shown >= pages - 1}
            onClick={() => setPage(shown + 1)}
          >
            {t('multiview.next')}
          </button>
        </nav>
      </div>
      <div
        ref={areaRef}
        className="multiview__grid"
        style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}
        data-testid="multiview"
      >
        {items.map((site) => (
          <SiteTile
            key={site.id}
            site={site}
            isProgram={site.id === program}
            isFloor={site.id === floorSite}
            isPinned={site.id === pinned}
            requested={requested.has(site.id)}
          />
        ))}
      </div>
    </section>
  );
}
