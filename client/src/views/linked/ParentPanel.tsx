import { useI18n } from '../../i18n/i18n';
import { session } from '../../services/session';
import { useMeeting } from '../../state/hooks';
import { parentFloorText, parentItemText, parentNotice, parentPageUrl } from './parentView';

/**
 * "Mất kết nối cầu trung ương, đang kết nối lại" over a child meeting's pages while the national
 * link is down (the meeting goes on locally), gone by itself when the link is back.
 */
export function ParentLinkBanner() {
  const { t } = useI18n();
  const parent = useMeeting((s) => s.snapshot?.parent ?? null);
  const notice = parentNotice(parent);
  if (!notice) return null;
  return (
    <div
      className="banner banner--warn"
      role="alert"
      data-testid="parent-link-banner"
      data-link={parent?.link}
    >
      {notice === 'parent.notice.reconnecting' ? <span className="spinner" aria-hidden="true" /> : null}
      <strong>{t(notice)}</strong>
      {notice === 'parent.notice.reconnecting' ? <span> {t('parent.notice.reconnectingBody')}</span> : null}
    </div>
  );
}

/**
 * What the parent meeting is doing, in a linked child meeting ("Cầu trung ương: …"): its current
 * item, who has the floor and on what, the page it shows (an image from this hub, which relays it),
 * and the province's own place there. Nothing when the meeting is not linked.
 */
export function ParentPanel({ showPage = true }: { showPage?: boolean }) {
  const { t } = useI18n();
  const parent = useMeeting((s) => s.snapshot?.parent ?? null);
  const meetingId = useMeeting((s) => s.snapshot?.meeting.id ?? null);
  if (!parent || !meetingId) return null;
  const title = parent.meetingTitle || t('parent.region');
  const page = showPage ? parentPageUrl(meetingId, parent, session.joinToken) : null;
  return (
    <section
      className="panel parent-panel"
      aria-label={t('parent.region')}
      data-testid="parent-panel"
      data-link={parent.link}
    >
      <h2 className="panel-title">{t('parent.heading', { title })}</h2>
      <p data-testid="parent-item">{parentItemText(parent, t) ?? t('parent.noItem')}</p>
      <p data-testid="parent-floor">{parentFloorText(parent, t) ?? t('parent.noFloor')}</p>
      {parent.province.onStage ? (
        <p className="tag tag--floor" data-testid="parent-on-stage">
          {t('parent.onStage')}
        </p>
      ) : parent.province.requestTopic !== null ? (
        <p data-testid="parent-requested">{t('parent.requested', { topic: parent.province.requestTopic })}</p>
      ) : null}
      {parent.localSegment ? (
        <p className="tag" data-testid="parent-local">
          {t('parent.localSegment')}
        </p>
      ) : null}
      {parent.slide ? (
        <figure className="parent-panel__slide">
          {page ? (
            <img
              src={page}
              alt={t('parent.slideAlt', { page: parent.slide.page, name: parent.slide.documentName })}
              data-testid="parent-slide"
            />
          ) : null}
          <figcaption>
            {t('parent.slide', {
              name: parent.slide.documentName,
              page: parent.slide.page,
              count: parent.slide.pageCount,
            })}
          </figcaption>
        </figure>
      ) : null}
    </section>
  );
}
