import type { FloorTurn } from '@giaoban/shared';
import { useI18n } from '../i18n/i18n';
import { formatCountdown, formatPercent } from '../state/format';
import { useMeeting, useNow } from '../state/hooks';
import type { LinkQuality } from '../state/meetingState';
import { floorRemainingMs } from '../state/selectors';

/** This device's link quality: bars plus a readable label, details in the tooltip. */
export function QualityIndicator() {
  const { t, locale } = useI18n();
  const quality = useMeeting((s) => s.quality);
  const phase = useMeeting((s) => s.phase);
  const level: LinkQuality['level'] | 'offline' | 'unknown' =
    phase === 'reconnecting' ? 'offline' : (quality?.level ?? 'unknown');
  const details = quality
    ? t('quality.details', {
        rtt: quality.rttMs,
        loss: formatPercent(quality.lossPct, locale),
        up: quality.sendKbps,
        down: quality.recvKbps,
      })
    : t('quality.unknown');
  const bars = { good: 3, fair: 2, poor: 1, offline: 0, unknown: 0 }[level];
  return (
    <div
      className={`quality quality--${level}`}
      role="status"
      title={details}
      data-testid="quality-indicator"
    >
      <span className="quality__bars" aria-hidden="true">
        {[1, 2, 3].map((b) => (
          <span key={b} className={b <= bars ? 'quality__bar quality__bar--on' : 'quality__bar'} />
        ))}
      </span>
      <span className="quality__label">{t(`quality.${level}`)}</span>
      <span className="sr-only">{details}</span>
    </div>
  );
}

/** A horizontal audio level meter (0..1). */
export function AudioMeter({ level, label }: { level: number; label: string }) {
  const pct = Math.round(Math.min(1, Math.max(0, level)) * 100);
  // Speech sits around 0.1–0.5 of full scale: double it so the bar moves visibly.
  return <meter className="meter" aria-label={label} min={0} max={100} value={Math.min(100, pct * 2)} />;
}

/** Time left of a floor turn, ticking; "no limit" for an open-ended turn. */
export function FloorCountdown({ floor }: { floor: FloorTurn }) {
  const { t } = useI18n();
  const now = useNow(250);
  const skew = useMeeting((s) => s.clockSkewMs);
  const remaining = floorRemainingMs(floor, now, skew);
  if (remaining === null) return <span className="countdown">{t('floor.noLimit')}</span>;
  const urgent = remaining <= 30_000;
  return (
    <span
      role="timer"
      className={urgent ? 'countdown countdown--urgent' : 'countdown'}
      data-testid="floor-countdown"
      aria-label={t('floor.remainingAria', { time: formatCountdown(remaining) })}
    >
      {formatCountdown(remaining)}
    </span>
  );
}
