import type { SiteState } from '@giaoban/shared';
import { AudioMeter } from '../../components/Indicators';
import { VideoView } from '../../components/VideoView';
import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { LOCAL_CAMERA } from '../../services/streams';
import { formatPercent } from '../../state/format';
import { useMeeting } from '../../state/hooks';
import { findConsumer } from '../../state/reconcile';
import { useSiteQuality } from './SiteQuality';

interface Props {
  site: SiteState;
  isProgram: boolean;
  isFloor: boolean;
  isPinned: boolean;
  /** A request of this site waits in the queue. */
  requested: boolean;
  /** The details of this site's link are open. */
  qualityOpen: boolean;
  /** Opens or closes the details of this site's link. */
  onToggleQuality: () => void;
}

/**
 * Network badge of a tile, in words a technician reads at a glance (Tốt / Yếu / Mất kết nối); a
 * button that opens the details: the reason in words, the figures and the last minutes' plot.
 */
function NetworkBadge({ site, open, onToggle }: { site: SiteState; open: boolean; onToggle: () => void }) {
  const { t, locale } = useI18n();
  const { level, reason, lossPct } = useSiteQuality(site.id, site.connection);
  const words = t(`net.${level}`);
  return (
    <button
      type="button"
      className={`netbadge netbadge--${level}`}
      title={t(`net.reason.${reason}`, { loss: formatPercent(lossPct ?? 0, locale) })}
      aria-label={t('net.details', { site: site.name, level: words })}
      aria-expanded={open}
      onClick={onToggle}
      data-testid="net-badge"
      data-level={level}
    >
      {words}
    </button>
  );
}

/** One site of the multiview: live thumbnail, name, status, audio level, network badge, quick actions. */
export function SiteTile({
  site,
  isProgram,
  isFloor,
  isPinned,
  requested,
  qualityOpen,
  onToggleQuality,
}: Props) {
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
          <NetworkBadge site={site} open={qualityOpen} onToggle={onToggleQuality} />
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
          aria-label={t(site.micOpenedByModerator ? 'tile.micCloseAria' : 'tile.micOpenAria', {
            site: site.name,
          })}
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
