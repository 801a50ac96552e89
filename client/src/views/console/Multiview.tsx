import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { session } from '../../services/session';
import { useMeeting } from '../../state/hooks';
import { type GridLayout, gridLayout } from '../../state/layout';
import { activeFloor, pageCount, pageOf, programSiteId, tileOrder } from '../../state/selectors';
import { SiteQualityDetails, useSiteQualityRecorder } from './SiteQuality';
import { SiteTile } from './SiteTile';

/** The tile grid that fits the multiview area, re-measured when it resizes or the count changes. */
function useGrid(ref: React.RefObject<HTMLElement | null>, count: number): GridLayout {
  const [grid, setGrid] = useState<GridLayout>({ columns: 4, rows: 2, tileWidth: 240 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const { width, height } = el.getBoundingClientRect();
      const next = gridLayout(width, height, count);
      setGrid((g) =>
        g.columns === next.columns && g.rows === next.rows && g.tileWidth === next.tileWidth ? g : next,
      );
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, count]);
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
  const sites = useMemo(() => tileOrder(snapshot?.sites ?? []), [snapshot?.sites]);
  const { columns, rows, tileWidth } = useGrid(areaRef, sites.length);
  const [page, setPage] = useState(0);
  const [qualitySiteId, setQualitySiteId] = useState<string | null>(null);
  const qualitySite = sites.find((s) => s.id === qualitySiteId) ?? null;
  useSiteQualityRecorder();
  const pageSize = columns * rows;
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
        style={{ gridTemplateColumns: `repeat(${columns}, ${tileWidth}px)` }}
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
            qualityOpen={site.id === qualitySiteId}
            onToggleQuality={() => setQualitySiteId(site.id === qualitySiteId ? null : site.id)}
          />
        ))}
      </div>
      {qualitySite ? (
        <SiteQualityDetails
          siteId={qualitySite.id}
          siteName={qualitySite.name}
          connection={qualitySite.connection}
          onClose={() => setQualitySiteId(null)}
        />
      ) : null}
    </section>
  );
}
