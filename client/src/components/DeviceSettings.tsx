import type { Ref } from 'react';
import { useI18n } from '../i18n/i18n';
import { devices } from '../services/actions';
import { LOCAL_CAMERA } from '../services/streams';
import { useMeeting } from '../state/hooks';
import type { DeviceOption } from '../state/meetingState';
import { AudioMeter } from './Indicators';
import { VideoView } from './VideoView';

function DeviceSelect(props: {
  id: string;
  label: string;
  options: DeviceOption[];
  value: string | null;
  onChange: (deviceId: string) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value ?? ''}
        disabled={props.options.length === 0}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.options.length === 0 ? <option value="">{t('devices.none')}</option> : null}
        {props.value && !props.options.some((o) => o.deviceId === props.value) ? (
          <option value={props.value}>{t('devices.default')}</option>
        ) : null}
        {props.options.map((o) => (
          <option key={o.deviceId} value={o.deviceId}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The device dialog: choose camera, microphone and loudspeaker, with a preview and a level meter. */
export function DeviceSettings({ ref }: { ref: Ref<HTMLDialogElement> }) {
  const { t } = useI18n();
  const media = useMeeting((s) => s.media);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="devices-title">
      <form method="dialog" className="dialog__body">
        <h2 id="devices-title">{t('devices.title')}</h2>
        <VideoView
          streamKey={media.hasLocalVideo ? LOCAL_CAMERA : null}
          label={t('self.preview')}
          mirror
          className="dialog__preview"
          placeholder={t('self.noCamera')}
        />
        <DeviceSelect
          id="dev-camera"
          label={t('devices.camera')}
          options={media.cameras}
          value={media.cameraId}
          onChange={(id) => void devices.switchCamera(id)}
        />
        <DeviceSelect
          id="dev-mic"
          label={t('devices.mic')}
          options={media.mics}
          value={media.micId}
          onChange={(id) => void devices.switchMic(id)}
        />
        <AudioMeter level={media.selfMicLevel} label={t('mic.level')} />
        {'setSinkId' in HTMLMediaElement.prototype ? (
          <DeviceSelect
            id="dev-speaker"
            label={t('devices.speaker')}
            options={media.speakers}
            value={media.speakerId}
            onChange={devices.switchSpeaker}
          />
        ) : null}
        <div className="dialog__actions">
          <button type="submit" className="btn btn--primary">
            {t('common.close')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
