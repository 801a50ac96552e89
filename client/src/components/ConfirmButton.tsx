import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n';

interface Props {
  label: string;
  /** Shown after the first press; a second press within 5 s confirms. */
  confirmLabel?: string;
  onConfirm: () => void;
  className?: string;
  disabled?: boolean;
}

/** A button for consequential actions (end the meeting, revoke a link): press twice to confirm. */
export function ConfirmButton({ label, confirmLabel, onConfirm, className, disabled }: Props) {
  const { t } = useI18n();
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const timer = setTimeout(() => setArmed(false), 5000);
    return () => clearTimeout(timer);
  }, [armed]);
  return (
    <button
      type="button"
      className={`${className ?? 'btn'}${armed ? ' btn--armed' : ''}`}
      disabled={disabled}
      onClick={() => {
        if (armed) {
          setArmed(false);
          onConfirm();
        } else setArmed(true);
      }}
    >
      {armed ? (confirmLabel ?? t('common.confirm', { action: label })) : label}
    </button>
  );
}
