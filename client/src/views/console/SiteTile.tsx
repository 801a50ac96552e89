import type { SiteState } from '@giaoban/shared';
import { AudioMeter } from '../../components/Indicators';
import { VideoView } from '../../components/VideoView';
import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { LOCAL_CAMERA } from '../../services/streams';
import { formatPercent } from '../../state/format';
import { useMeeting } from '../../state/hooks';
import { findConsumer } from '../../state/reconcile';

interface Props {
  site: SiteState;
  isProgram: boolean;
  isFloor: boolean;
  isPinned: boolean;
  /** A request of this site waits in the queue. */
  requested: boolean;
}

/**
 * Network badge of a tile, in words a technician reads at a glance (Tốt / Trung bình / Kém); the
 * figures measured on this console's receive side (bitrate, loss, delay) are in the tooltip.
 */
function NetworkBadge({
  consumerId,
  poor,
  siteName,
}: {
  consumerId: string | null;
  poor: boolean;
  siteName: string;
}) {
  const { t, locale } = useI18n();
  const stats = useMeeting((s) => (consumerId ? (s.trackStats[consumerId] ?? null) : null));
  const rtt = useMeeting((s) => s.quality?.rttMs ?? null);
  if (!stats) {
    return (
      <span className="netbadge netbadge--none" data-testid="net-badge" data-level="none">
        {t('net.none')}
      </span>
    );
  }
  const level = poor || stats.lossPct >= 8 ? 'poor' : stats.lossPct >= 2 ? 'fair' : 'good';
  const details = t('tile.netTitle', {
    kbps: stats.kbps,
    loss: formatPercent(stats.lossPct, locale),
    rtt: rtt ?? '—',
  });
  return (
    <span
      className={`netbadge netbadge--${level}`}
      title={details}
      aria-label={`${t('net.aria', { site: siteName, level: t(`net.${level}`) })} · ${details}`}
      role="img"
      data-testid="net-badge"
      data-level={level}
    >
      {t(`net.${level}`)}
    </span>
  );
}

/** One site of the multiview: live thumbnail, name, status, audio level, network badge, quick actions. */
export function SiteTile({ site, isProgram, isFloor, isPinned, requested }: Props) {
  const { t } = useI18n();
  const selfSite = useMeeting((s) =>
    s.media.publishes && s.media.hasLocalVideo ? (s.self?.siteId ?? null) : null,
  );
  const video = useMeeting((s) => findConsumer(s.consumers, site.id, 'camera'));
  const audioId = useMeeting((s) => findConsumer(s.consumers, site.id, 'mic')?.id ?? null);
  const level = useMeeting((s) =>
    Math.max(s.audioLevels[site.id] ?? 0, audioId ? (s.trackStats[audioId]?.audioLevel ?? 0) : 0),
  );
  const isSelf = selfSite === site.id;
  const micOpen = site.micOpenedByModerator || isFloor;
  const classes = [
    'tile',
    `tile--${site.connection}`,
    isProgram ? 'tile--program' : '',
    isFloor ? 'tile--floor' : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <article className={classes} aria-label={site.name} data-testid="site-tile" data-site-id={site.id}>
      <VideoView
        streamKey={isSelf ? LOCAL_CAMERA : (video?.id ?? null)}
        siteId={site.id}
        label={t('tile.videoOf', { site: site.name })}
        placeholder={t(`connection.${site.connection}`)}
        className={video?.paused && !isSelf ? 'tile__video tile__video--paused' : 'tile__video'}
      />
      <div className="tile__flags">
        {isProgram ? <span className="tag tag--program">{t('tile.onStage')}</span> : null}
        {isFloor ? <span className="tag tag--floor">{t('floor.speaking')}</span> : null}
        {requested ? <span className="tag tag--queue">{t('tile.requested')}</span> : null}
      </div>
      <div className="tile__info">
        <div className="tile__row">
          <span className={`dot dot--${site.connection}`} aria-hidden="true" />
          <span className="tile__name">{site.name}</span>
          <span className="sr-only">{t(`connection.${site.connection}`)}</span>
        </div>
        <div className="tile__row">
          <AudioMeter level={level} label={t('tile.audioOf', { site: site.name })} />
          <NetworkBadge
            consumerId={isSelf ? null : (video?.id ?? null)}
            poor={site.connection === 'poor'}
            siteName={site.name}
          />
        </div>
      </div>
      <div className="tile__actions">
        <button
          type="button"
          className="btn btn--small"
          aria-pressed={isPinned}
          aria-label={t(isPinned ? 'tile.unpinAria' : 'tile.pinAria', { site: site.name })}
          onClick={() => void moderator.pinStage(isPinned ? null : site.id)}
        >
          {t(isPinned ? 'tile.unpin' : 'tile.pin')}
        </button>
        <button
          type="button"
          className="btn btn--small"
          aria-pressed={site.micOpenedByModerator}
          aria-label={t(micOpen ? 'tile.micCloseAria' : 'tile.micOpenAria', { site: site.name })}
          disabled={site.isHost || isFloor}
          onClick={() => void moderator.setSiteMic(site.id, !site.micOpenedByModerator)}
        >
          {t(site.micOpenedByModerator ? 'tile.micClose' : 'tile.micOpen')}
        </button>
        {!site.isHost && !isFloor ? (
          <button
            type="button"
            className="btn btn--small btn--primary"
            aria-label={t('tile.grantAria', { site: site.name })}
            disabled={site.connection === 'absent'}
            onClick={() => void moderator.grantSite(site.id)}
          >
            {t('tile.grant')}
          </button>
        ) : null}
      </div>
    </article>
  );
}
