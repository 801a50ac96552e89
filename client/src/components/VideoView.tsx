import { useEffect, useRef, useSyncExternalStore } from 'react';
import { streams } from '../services/streams';

interface Props {
  /** Registry key: a consumer id, LOCAL_CAMERA, or null for "no picture". */
  streamKey: string | null;
  /** Accessible name of the picture. */
  label: string;
  /** The site whose camera this plays (lets tests check which track is decoded). */
  siteId?: string | null;
  testId?: string;
  className?: string;
  /** Mirror the local self-view like a mirror, as people expect. */
  mirror?: boolean;
  /** Shown when there is no stream. */
  placeholder?: string;
}

/** A muted video element bound to a stream of the registry. Audio plays in AudioOutput. */
export function VideoView({ streamKey, label, siteId, testId, className, mirror, placeholder }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  const stream = useSyncExternalStore(streams.subscribe, () => streams.get(streamKey));

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    if (video.srcObject !== stream) video.srcObject = stream;
    if (stream) video.play().catch(() => undefined);
  }, [stream]);

  return (
    <div className={`video ${className ?? ''}`}>
      <video
        ref={ref}
        autoPlay
        playsInline
        muted
        aria-label={label}
        data-testid={testId}
        data-site-id={siteId ?? ''}
        data-stream={streamKey ?? ''}
        className={mirror ? 'video__el video__el--mirror' : 'video__el'}
      />
      {!stream && placeholder ? (
        <div className="video__placeholder" aria-hidden="true">
          {placeholder}
        </div>
      ) : null}
    </div>
  );
}
