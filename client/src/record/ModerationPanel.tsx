import type { SiteId } from '@giaoban/shared';
import { useMeeting } from '../state/hooks';
import { useRecordI18n } from './i18n';
import { recordActions } from './recordService';

const NO_SITES: never[] = [];

/** Sound control for moderators: mute every bridge point at once; the operator's private talk-back line. */
export function ModerationPanel() {
  const { t } = useRecordI18n();
  const role = useMeeting((s) => s.self?.role ?? null);
  const sites = useMeeting((s) => s.snapshot?.sites ?? NO_SITES);
  const talkBack = useMeeting((s) => s.snapshot?.moderation.talkBack ?? null);
  if (role !== 'chair' && role !== 'operator') return null;
  const present = sites.filter((s) => !s.isHost && s.connection !== 'absent');
  return (
    <section
      className="panel moderation-panel"
      aria-label={t('moderation.title')}
      data-testid="moderation-panel"
    >
      <h3>{t('moderation.title')}</h3>
      <button type="button" className="btn" onClick={() => void recordActions.muteAll()}>
        {t('moderation.muteAll')}
      </button>
      {role === 'operator' ? (
        <label>
          {t('moderation.talkBack')}
          <select
            value={talkBack?.siteId ?? ''}
            onChange={(e) =>
              void recordActions.talkBack(e.target.value === '' ? null : (e.target.value as SiteId))
            }
          >
            <option value="">{t('moderation.talkBack.none')}</option>
            {present.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {talkBack ? (
        <p role="status">
          {t('moderation.talkBack.active', {
            site: sites.find((s) => s.id === talkBack.siteId)?.name ?? talkBack.siteId,
          })}
        </p>
      ) : null}
    </section>
  );
}

/** At a bridge point: says that the technician is talking privately with this room. */
export function TalkBackNotice() {
  const { t } = useRecordI18n();
  const mine = useMeeting((s) => {
    const tb = s.snapshot?.moderation.talkBack ?? null;
    return tb !== null && tb.siteId === s.self?.siteId ? tb.operatorName : null;
  });
  if (mine === null) return null;
  return (
    <p className="talkback-notice" role="status" data-testid="talkback-notice">
      {t('moderation.talkBack.site', { name: mine })}
    </p>
  );
}
