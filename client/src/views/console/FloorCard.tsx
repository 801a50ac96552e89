import { FloorCountdown } from '../../components/Indicators';
import { useI18n } from '../../i18n/i18n';
import { moderator } from '../../services/actions';
import { useMeeting } from '../../state/hooks';
import { activeFloor, siteById } from '../../state/selectors';

/** Who has the floor now, the countdown, and extend / revoke. */
export function FloorCard() {
  const { t } = useI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const floor = activeFloor(snapshot);
  const site = siteById(snapshot, floor?.siteId ?? null);
  if (!floor) {
    return (
      <section className="floor-card floor-card--idle" aria-label={t('floor.title')} data-testid="floor-card">
        <span>{t('floor.nobody')}</span>
      </section>
    );
  }
  return (
    <section className="floor-card" aria-label={t('floor.title')} data-testid="floor-card">
      <div className="floor-card__who">
        <span className="tag tag--floor">{t('floor.speaking')}</span>
        <strong data-testid="floor-site">{site?.name ?? floor.siteId}</strong>
        {floor.topic ? <span className="floor-card__topic">{floor.topic}</span> : null}
      </div>
      <FloorCountdown floor={floor} />
      <div className="floor-card__actions">
        <button type="button" className="btn btn--small" onClick={() => void moderator.extendFloor(60)}>
          {t('floor.extend1')}
        </button>
        <button type="button" className="btn btn--small" onClick={() => void moderator.extendFloor(180)}>
          {t('floor.extend3')}
        </button>
        <button
          type="button"
          className="btn btn--small btn--danger"
          onClick={() => void moderator.revokeFloor()}
        >
          {t('floor.revoke')}
        </button>
      </div>
    </section>
  );
}
