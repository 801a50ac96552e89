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
  if (mic.selfMuted && mic.allowed) return { key: 'mic.selfMuted', tone: 'off' } as const;
  if (mic.selfMuted) return { key: 'mic.selfMutedClosed', tone: 'off' } as const;
  return { key: 'mic.closedByPolicy', tone: 'off' } as const;
}

/** What a publishing device can do to itself; a technician's window passes a relay instead. */
export interface DeviceActions {
  selfMute(muted: boolean): Promise<unknown>;
  setCameraEnabled(on: boolean): Promise<unknown>;
}

/**
 * Microphone, camera and device controls of a publishing device, within the meeting's policy:
 * a site can mute itself, but only a floor grant or a moderator opens its microphone.
 */
export function LocalControls({
  layout = 'row',
  actions = devices,
  deviceDialog = true,
}: {
  layout?: 'row' | 'column';
  actions?: DeviceActions;
  /** Offer the camera/microphone/loudspeaker dialog (only where the devices are). */
  deviceDialog?: boolean;
}) {
  const { t } = useI18n();
  const mic = useMeeting((s) => s.mic);
  const camera = useMeeting((s) => s.media.camera);
  const micCapture = useMeeting((s) => s.media.mic);
  const level = useMeeting((s) => s.media.selfMicLevel);
  const view = useMicView();
  const dialog = useRef<HTMLDialogElement>(null);
  const selfMuted = mic?.selfMuted ?? false;
  const cameraOn = camera === 'on' || camera === 'starting';
  // While the policy keeps the microphone closed, a "Tắt micrô" button next to "micrô đang tắt"
  // reads as a contradiction: offer the self-mute only when it changes what the room hears.
  const showMute = !mic || mic.allowed || selfMuted;

  return (
    <fieldset className={`local-controls local-controls--${layout}`} aria-label={t('local.group')}>
      <div className={`mic-state mic-state--${view.tone}`} data-testid="mic-state" role="status">
        <span className="mic-state__dot" aria-hidden="true" />
        <span>{t(view.key)}</span>
        {view.tone === 'on' ? <AudioMeter level={level} label={t('mic.level')} /> : null}
      </div>
      {showMute ? (
        <button
          type="button"
          className="btn"
          aria-pressed={selfMuted}
          disabled={micCapture !== 'on' || !mic}
          onClick={() => void actions.selfMute(!selfMuted)}
        >
          {t(selfMuted ? 'mic.unmuteSelf' : 'mic.muteSelf')}
        </button>
      ) : null}
      <button
        type="button"
        className="btn"
        aria-pressed={!cameraOn}
        disabled={camera === 'starting'}
        onClick={() => void actions.setCameraEnabled(!cameraOn)}
      >
        {t(cameraOn ? 'camera.turnOff' : 'camera.turnOn')}
      </button>
      {deviceDialog ? (
        <>
          <button type="button" className="btn" onClick={() => dialog.current?.showModal()}>
            {t('devices.open')}
          </button>
          <DeviceSettings ref={dialog} />
        </>
      ) : null}
    </fieldset>
  );
}
