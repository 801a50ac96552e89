import { useI18n } from '../i18n/i18n';
import { LOCAL_CAMERA } from '../services/streams';
import { useMeeting } from '../state/hooks';
import { findConsumer, findProgramVideo } from '../state/reconcile';
import { activeFloor, programSiteId, relayingParent, siteById } from '../state/selectors';
import { FloorCountdown } from './Indicators';
import { VideoView } from './VideoView';

/**
 * The stream key showing a site's camera here: our own preview when we are that site, else its
 * consumer (for the `program` site, the hub's program stream). With `flowingOnly`, a consumer the
 * server keeps paused counts as none (no black box). `relayed`: the program carries a linked
 * parent meeting, never our own room, so no preview stands in for it.
 */
function useCameraKey(
  siteId: string | null,
  flowingOnly = false,
  program = false,
  relayed = false,
): string | null {
  const selfSite = useMeeting((s) =>
    s.media.publishes && s.media.hasLocalVideo ? (s.self?.siteId ?? null) : null,
  );
  const consumerId = useMeeting((s) => {
    const c = program ? findProgramVideo(s.consumers, siteId) : findConsumer(s.consumers, siteId, 'camera');
    // A paused program stream carries nothing for us (our own room on stage, or no camera there).
    if (c?.source === 'program' && c.paused) return null;
    return c && (!flowingOnly || (!c.paused && !c.producerPaused)) ? c.id : null;
  });
  if (siteId && siteId === selfSite && !relayed) return LOCAL_CAMERA;
  return consumerId;
}

/**
 * The main stage (program): the pinned site, else the floor holder, else the host. While a site
 * speaks, the host's camera stays in a corner, as in the meeting rooms' hardware MCUs.
 */
export function ProgramStage({ className }: { className?: string }) {
  const { t } = useI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const siteId = programSiteId(snapshot);
  const site = siteById(snapshot, siteId);
  const hostId = snapshot?.meeting.hostSiteId ?? null;
  const floor = activeFloor(snapshot);
  const floorSite = siteById(snapshot, floor?.siteId ?? null);
  // Relaying a linked parent meeting: its program is the main stage, for the host's room too.
  const parent = relayingParent(snapshot);
  const mainKey = useCameraKey(siteId, false, true, parent !== null);
  const cornerKey = useCameraKey(siteId !== hostId && !parent ? hostId : null, true);
  const stageName = parent ? t('parent.region') : (site?.name ?? t('stage.none'));
  const pinned = snapshot?.stage.pinnedSiteId != null;

  return (
    <section className={`stage ${className ?? ''}`} aria-label={t('stage.label')}>
      <VideoView
        streamKey={mainKey}
        siteId={siteId}
        testId="program-video"
        label={t('stage.videoOf', { site: parent ? t('parent.region') : (site?.name ?? '—') })}
        placeholder={t('stage.noSignal')}
        className="stage__main"
      />
      {cornerKey ? (
        <VideoView
          streamKey={cornerKey}
          siteId={hostId}
          testId="program-corner-video"
          label={t('stage.hostCorner')}
          className="stage__corner"
        />
      ) : null}
      <div className="stage__caption">
        <span className="stage__site" data-testid="program-site-name">
          {stageName}
        </span>
        {pinned ? <span className="tag tag--pin">{t('stage.pinned')}</span> : null}
        {parent?.floor ? (
          <span className="stage__floor">
            {parent.floor.topic
              ? t('parent.floor', { site: parent.floor.siteName, topic: parent.floor.topic })
              : t('parent.floorNoTopic', { site: parent.floor.siteName })}
          </span>
        ) : null}
        {floor && floorSite && !parent ? (
          <span className="stage__floor">
            <span className="tag tag--floor">{t('floor.speaking')}</span>
            {floor.topic ? <span className="stage__topic">{floor.topic}</span> : null}
            <FloorCountdown floor={floor} />
          </span>
        ) : null}
      </div>
    </section>
  );
}

/** Where slides appear: page images in step with the presenter (client/src/slides). */
export { SlidesArea } from '../slides/SlidesArea';
