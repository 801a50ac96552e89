import type { SlideDocument, SlidesState } from '@giaoban/shared';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { VideoView } from '../components/VideoView';
import { LOCAL_CAMERA } from '../services/streams';
import { useMeeting } from '../state/hooks';
import { findProgramVideo } from '../state/reconcile';
import { programSiteId, siteById } from '../state/selectors';
import { useStore } from '../state/store';
import { useSlidesI18n } from './i18n';
import {
  type Box,
  canPresent,
  fitBox,
  pageForKey,
  pagePoint,
  pagesToPreload,
  shownDocument,
  visiblePointer,
} from './presenting';
import { SlidesLibrary } from './SlidesLibrary';
import { LOCAL_SCREEN, slides } from './slidesService';
import { slidesStore } from './slidesState';
import './slides.css';

/** The shared screen to show instead of the pages: our own preview, else the newest screen consumer. */
function useScreenKey(): string | null {
  const own = useStore(slidesStore, (s) => s.screen === 'on');
  const remote = useMeeting((s) => {
    let best: { id: string; seq: number } | null = null;
    for (const c of Object.values(s.consumers)) {
      if (c.source === 'screen' && !c.producerPaused && (!best || c.seq > best.seq)) best = c;
    }
    return best?.id ?? null;
  });
  return own ? LOCAL_SCREEN : remote;
}

/** Whether report pages or a shared screen are on show now (views give them the large place then). */
export function useSlidesShowing(): boolean {
  const pages = useMeeting((s) => s.snapshot?.slides?.showing != null);
  return useScreenKey() !== null || pages;
}

/**
 * The program (speaker) in a corner of the enlarged slides, so a room screen showing the report
 * full size still shows who is speaking: our own camera when we are the program site.
 */
function ProgramCorner() {
  const { t } = useSlidesI18n();
  const siteId = useMeeting((s) => programSiteId(s.snapshot));
  const name = useMeeting((s) => siteById(s.snapshot, programSiteId(s.snapshot))?.name ?? '');
  const key = useMeeting((s) => {
    if (siteId && s.self?.siteId === siteId && s.media.hasLocalVideo) return LOCAL_CAMERA;
    return findProgramVideo(s.consumers, siteId)?.id ?? null;
  });
  if (!key) return null;
  return (
    <VideoView
      streamKey={key}
      siteId={siteId}
      label={t('slides.programCorner', { site: name })}
      testId="slides-program-corner"
      className="slides__corner"
    />
  );
}

/** Turns pages with the keyboard while this device presents (not while typing in a field). */
function useArrowKeys(enabled: boolean, page: number, pageCount: number): void {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      // A widget that handled the key itself (tabs, lists) wins; presenter clickers send these keys.
      if (e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      if (
        e.altKey ||
        e.ctrlKey ||
        e.metaKey ||
        target?.closest('input, textarea, select, [contenteditable="true"], [role="tab"]')
      )
        return;
      const next = pageForKey(e.key, page, pageCount);
      if (next === null) return;
      e.preventDefault();
      void slides.turn(next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled, page, pageCount]);
}

/**
 * The largest box of the page's aspect ratio that fits the stage, measured (not CSS container
 * units) so it works in every layout the views put the area in: side column, tab, full window.
 */
function useFittedBox(stage: React.RefObject<HTMLDivElement | null>, aspect: number): Box | null {
  const [box, setBox] = useState<Box | null>(null);
  useLayoutEffect(() => {
    const el = stage.current;
    if (!el) return;
    const measure = () => setBox(fitBox(el.clientWidth, el.clientHeight, aspect));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [stage, aspect]);
  return box;
}

/** The page on screen: the image, the presenter's pointer, and (for the presenter) pointing. */
function PageView({
  doc,
  showing,
  presenting,
}: {
  doc: SlideDocument;
  showing: NonNullable<SlidesState['showing']>;
  presenting: boolean;
}) {
  const { t } = useSlidesI18n();
  const stage = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const pointer = useStore(slidesStore, (s) => visiblePointer(s.pointer, showing));
  const { page, pageCount } = showing;
  const box = useFittedBox(stage, doc.aspect ?? 16 / 9);

  useEffect(() => {
    slides.preload(doc.id, pagesToPreload(page, pageCount));
  }, [doc.id, page, pageCount]);

  const move = (e: React.PointerEvent) => {
    if (!presenting || !frame.current) return;
    slides.point(pagePoint(e.clientX, e.clientY, frame.current.getBoundingClientRect()));
  };

  return (
    <div className="slides__stage" ref={stage}>
      <div
        ref={frame}
        className={`slides__frame${presenting ? ' slides__frame--presenter' : ''}`}
        style={
          box ? { left: box.left, top: box.top, width: box.width, height: box.height } : { display: 'none' }
        }
        onPointerMove={move}
        onPointerLeave={() => presenting && slides.point(null)}
      >
        <img
          className="slides__page"
          src={slides.pageUrl(doc.id, page)}
          alt={t('slides.pageImage', { name: doc.name, page, count: pageCount })}
          data-testid="slides-page"
          data-document={doc.id}
          data-page={page}
          draggable={false}
        />
        {pointer ? (
          <span
            className="slides__pointer"
            data-testid="slides-pointer"
            role="img"
            aria-label={t('slides.pointer')}
            style={{ left: `${pointer.x * 100}%`, top: `${pointer.y * 100}%` }}
          />
        ) : null}
      </div>
    </div>
  );
}

/** The presenter's controls: previous/next, the page number, stop, and the thumbnail strip. */
function PresenterBar({
  doc,
  showing,
}: {
  doc: SlideDocument;
  showing: NonNullable<SlidesState['showing']>;
}) {
  const { t } = useSlidesI18n();
  const { page, pageCount } = showing;
  const strip = useRef<HTMLOListElement>(null);
  // Runs on every page turn (the current thumbnail moves), so `page` is a real dependency.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the effect reads the DOM the page changed
  useEffect(() => {
    strip.current
      ?.querySelector('[aria-current="page"]')
      ?.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: 'smooth' });
  }, [page]);
  return (
    <>
      <div className="slides__bar">
        <button type="button" className="btn" onClick={() => void slides.turn(page - 1)} disabled={page <= 1}>
          ‹ {t('slides.prev')}
        </button>
        <span className="slides__count" aria-live="polite">
          {t('slides.pageOf', { page, count: pageCount })}
        </span>
        <button
          type="button"
          className="btn"
          onClick={() => void slides.turn(page + 1)}
          disabled={page >= pageCount}
        >
          {t('slides.next')} ›
        </button>
        <button type="button" className="btn" onClick={() => void slides.stop()}>
          {t('slides.stop')}
        </button>
      </div>
      <ol className="slides__thumbs" aria-label={t('slides.thumbs')} ref={strip}>
        {Array.from({ length: pageCount }, (_, i) => i + 1).map((n) => (
          <li key={n}>
            <button
              type="button"
              className="slides__thumb"
              aria-label={t('slides.thumb', { page: n })}
              aria-current={n === page ? 'page' : undefined}
              onClick={() => void slides.turn(n)}
            >
              <img src={slides.pageUrl(doc.id, n, true)} alt="" loading="lazy" draggable={false} />
              <span>{n}</span>
            </button>
          </li>
        ))}
      </ol>
    </>
  );
}

/**
 * Where report slides appear on every screen: the page the presenter shows (a crisp image, the
 * same page everywhere, the current one for late joiners since it is in the snapshot), the
 * presenter's pointer, and a shared screen in its place while one is shared. The presenter gets
 * page controls, arrow keys and thumbnails; presenter and moderators get the document library.
 */
export function SlidesArea({ className, library = true }: { className?: string; library?: boolean }) {
  const { t } = useSlidesI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const self = useMeeting((s) => s.self);
  const expanded = useStore(slidesStore, (s) => s.expanded);
  const sharing = useStore(slidesStore, (s) => s.screen !== 'off');
  const screenKey = useScreenKey();
  const showing = snapshot?.slides?.showing ?? null;
  const doc = shownDocument(snapshot);
  const presenting = canPresent(snapshot?.slides, self);
  const moderator = self?.role === 'chair' || self?.role === 'operator';
  const sendReady = useMeeting((s) => s.media.sendReady);

  useEffect(() => slides.attach(), []);
  useArrowKeys(
    presenting && showing !== null && screenKey === null,
    showing?.page ?? 1,
    showing?.pageCount ?? 1,
  );
  // A site that stops being the presenter stops its screen share too.
  useEffect(() => {
    if (!presenting && sharing) void slides.stopScreen();
  }, [presenting, sharing]);
  useEffect(() => {
    if (!expanded) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && slidesStore.set({ expanded: false });
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [expanded]);

  let body: React.ReactNode;
  if (screenKey) {
    body = (
      <VideoView
        streamKey={screenKey}
        label={t('slides.screenOf')}
        testId="slides-screen"
        className="slides__screen"
      />
    );
  } else if (showing && doc) {
    body = <PageView doc={doc} showing={showing} presenting={presenting} />;
  } else {
    body = <div className="slides__empty">{t('slides.empty')}</div>;
  }

  return (
    <section
      className={`slides slides--live ${expanded ? 'slides--expanded' : ''} ${className ?? ''}`}
      data-testid="slides-area"
      data-showing={showing ? `${showing.documentId}:${showing.page}` : ''}
      aria-label={t('slides.label')}
    >
      <div className="slides__top">
        {presenting && self?.role === 'site' ? (
          <span className="tag">{t('slides.presenter.you')}</span>
        ) : null}
        <span className="slides__title">{screenKey ? t('slides.screenOf') : (doc?.name ?? '')}</span>
        {showing && doc && !screenKey && !presenting ? (
          // Every viewer knows where the report is; the presenter reads it in the page bar.
          <span className="slides__count slides__count--top" data-testid="slides-page-count">
            {t('slides.pageOf', { page: showing.page, count: showing.pageCount })}
          </span>
        ) : null}
        {presenting && sendReady && slides.canShareScreen() ? (
          <button
            type="button"
            className="btn btn--small"
            onClick={() => void (sharing ? slides.stopScreen() : slides.shareScreen())}
          >
            {sharing ? t('slides.stopScreen') : t('slides.shareScreen')}
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn--small"
          aria-pressed={expanded}
          onClick={() => slidesStore.set({ expanded: !expanded })}
        >
          {expanded ? t('slides.collapse') : t('slides.expand')}
        </button>
      </div>
      {body}
      {presenting && showing && doc && !screenKey ? <PresenterBar doc={doc} showing={showing} /> : null}
      {library && (presenting || moderator) ? <SlidesLibrary presenting={presenting} /> : null}
      {expanded ? <ProgramCorner /> : null}
    </section>
  );
}
