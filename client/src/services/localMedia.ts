import type { CaptureState, DeviceOption } from '../state/meetingState';
import { logError } from './log';

/** Result of asking the browser for a camera or microphone. */
export interface Capture {
  track: MediaStreamTrack | null;
  state: Extract<CaptureState, 'on' | 'denied' | 'missing' | 'error'>;
}

/** Room cameras are HD; the browser scales down for the simulcast layers. */
const CAMERA_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};

/** Meeting rooms have loudspeakers: keep the browser's echo cancellation and noise suppression on. */
const MIC_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

function classify(error: unknown): Capture['state'] {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') {
    return name === 'NotReadableError' ? 'error' : 'missing';
  }
  return 'error';
}

/** Opens one capture device; a missing or refused device is reported, never thrown. */
export async function capture(kind: 'camera' | 'mic', deviceId: string | null): Promise<Capture> {
  if (!navigator.mediaDevices?.getUserMedia) return { track: null, state: 'missing' };
  const base = kind === 'camera' ? CAMERA_CONSTRAINTS : MIC_CONSTRAINTS;
  const constraints = deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
  try {
    const stream = await navigator.mediaDevices.getUserMedia(
      kind === 'camera' ? { video: constraints } : { audio: constraints },
    );
    const track = kind === 'camera' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    return track ? { track, state: 'on' } : { track: null, state: 'missing' };
  } catch (error) {
    // A remembered device may have been unplugged: try the default one before giving up.
    if (deviceId && classify(error) === 'missing') return capture(kind, null);
    logError('capture', 'getUserMedia failed', error, { kind });
    return { track: null, state: classify(error) };
  }
}

/** Capture and output devices by kind (labels are empty until a permission was granted). */
export async function listDevices(): Promise<{
  cameras: DeviceOption[];
  mics: DeviceOption[];
  speakers: DeviceOption[];
}> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  const pick = (kind: MediaDeviceKind) =>
    all
      .filter((d) => d.kind === kind && d.deviceId)
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${kind} ${i + 1}` }));
  return { cameras: pick('videoinput'), mics: pick('audioinput'), speakers: pick('audiooutput') };
}

const prefKey = (kind: 'camera' | 'mic' | 'speaker') => `giaoban.device.${kind}`;

/** The device the user chose last time on this computer. */
export function preferredDevice(kind: 'camera' | 'mic' | 'speaker'): string | null {
  try {
    return localStorage.getItem(prefKey(kind));
  } catch {
    return null;
  }
}

/** Remembers the user's device choice on this computer. */
export function rememberDevice(kind: 'camera' | 'mic' | 'speaker', deviceId: string): void {
  try {
    localStorage.setItem(prefKey(kind), deviceId);
  } catch {
    // not remembered
  }
}
