import { isModerator, type MeetingInfo, type SelfInfo } from '@giaoban/shared';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { streams } from '../services/streams';
import { useMeeting } from '../state/hooks';
import { patchMedia } from '../state/meetingState';

/** Whether this page may play the chair's microphone: live, a moderator, or the tech check's site. */
export function hearsChair(
  meeting: Pick<MeetingInfo, 'status' | 'techCheckTalkTo'>,
  self: Pick<SelfInfo, 'role' | 'siteId'>,
): boolean {
  if (meeting.status === 'live' || isModerator(self.role)) return true;
  return self.siteId !== null && self.siteId === meeting.techCheckTalkTo;
}

/** Audio elements that are playing, so one user gesture can unlock them all. */
const players = new Set<HTMLAudioElement>();

/** Starts every audio element after the browser blocked autoplay (call from a click). */
export function unlockAudio(): void {
  for (const audio of players) audio.play().catch(() => undefined);
  patchMedia({ audioBlocked: false });
}

type SinkCapable = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

function RemoteAudio({ consumerId, speakerId }: { consumerId: string; speakerId: string | null }) {
  const ref = useRef<HTMLAudioElement>(null);
  const stream = useSyncExternalStore(streams.subscribe, () => streams.get(consumerId));

  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    players.add(audio);
    audio.srcObject = stream;
    if (stream) {
      audio.play().catch((error: Error) => {
        if (error.name === 'NotAllowedError') patchMedia({ audioBlocked: true });
      });
    }
    return () => {
      players.delete(audio);
    };
  }, [stream]);

  useEffect(() => {
    const audio = ref.current as SinkCapable | null;
    if (audio?.setSinkId && speakerId) audio.setSinkId(speakerId).catch(() => undefined);
  }, [speakerId]);

  // biome-ignore lint/a11y/useMediaCaption: live meeting sound has no caption track; the minutes carry the text.
  return <audio ref={ref} autoPlay data-consumer-id={consumerId} data-testid="remote-audio" />;
}

/**
 * Plays every remote audio track the server sends; the server decides who is heard. Before the
 * meeting is live the chair's microphone is private (the server pauses it for everyone else too):
 * this page plays it only to a moderator or to the site the technical check is opened to.
 */
export function AudioOutput() {
  const ids = useMeeting((s) => {
    const hostSiteId = s.snapshot?.meeting.hostSiteId ?? null;
    const hearsHost = s.snapshot !== null && s.self !== null && hearsChair(s.snapshot.meeting, s.self);
    return Object.values(s.consumers)
      .filter((c) => c.kind === 'audio' && (hearsHost || c.siteId === null || c.siteId !== hostSiteId))
      .map((c) => c.id)
      .join(',');
  });
  const speakerId = useMeeting((s) => s.media.speakerId);
  return (
    <div hidden>
      {ids
        .split(',')
        .filter(Boolean)
        .map((id) => (
          <RemoteAudio key={id} consumerId={id} speakerId={speakerId} />
        ))}
    </div>
  );
}
