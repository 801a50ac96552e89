import { useRef } from 'react';
import { useI18n } from '../i18n/i18n';
import { devices } from '../services/actions';
import { useMeeting } from '../state/hooks';
import { DeviceSettings } from './DeviceSettings';
import { AudioMeter } from './Indicators';

/** Which words describe this device's microphone right now. */
function useMicView() {
  const mic = useMeeting((s) => s.mic);
  const capture = useMeeting((s) => s.media.mic);
  if (capture === 'denied' || capture === 'missing' || capture === 'error')
    return { key: 'mic.unavailable', tone: 'off' } as const;
  if (!mic) return { key: 'mic.closed', tone: 'off' } as const;
  if (mic.open) return { key: 'mic.open', tone: 'on' } as const;
  if (mic.selfMuted) return { key: 'mic.selfMuted', tone: 'off' } as const;
  return { key: 'mic.closedByPolicy', tone: 'off' } as const;
}

/**
 * Microphone, camera and device controls of a publishing device, within the meeting's policy:
 * a site can mute itself, but only a floor grant or a moderator opens its microphone.
 */
export function LocalControls({ layout = 'row' }: { layout?: 'row' | 'column' }) {
  const { t } = useI18n();
  const mic = useMeeting((s) => s.mic);
  const camera = useMeeting((s) => s.media.camera);
  const micCapture = useMeeting((s) => s.media.mic);
  const level = useMeeting((s) => s.media.selfMicLevel);
  const view = useMicView();
  const dialog = useRef<HTMLDialogElement>(null);
  const selfMuted = mic?.selfMuted ?? false;
  const cameraOn = camera === 'on' || camera === 'starting';

  return (
    <fieldset className={`local-controls local-controls--${layout}`} aria-label={t('local.group')}>
      <div className={`mic-state mic-state--${view.tone}`} data-testid="mic-state" role="status">
        <span className="mic-state__dot" aria-hidden="true" />
        <span>{t(view.key)}</span>
        {view.tone === 'on' ? <AudioMeter level={level} label={t('mic.level')} /> : null}
      </div>
      <button
        type="button"
        className="btn"
        aria-pressed={selfMuted}
        disabled={micCapture !== 'on' || !mic}
        onClick={() => void devices.selfMute(!selfMuted)}
      >
        {t(selfMuted ? 'mic.unmuteSelf' : 'mic.muteSelf')}
      </button>
      <button
        type="button"
        className="btn"
        aria-pressed={!cameraOn}
        disabled={camera === 'starting'}
        onClick={() => void devices.setCameraEnabled(!cameraOn)}
      >
        {t(cameraOn ? 'camera.turnOff' : 'camera.turnOn')}
      </button>
      <button type="button" className="btn" onClick={() => dialog.current?.showModal()}>
        {t('devices.open')}
      </button>
      <DeviceSettings ref={dialog} />
    </fieldset>
  );
}
