import { useEffect, useState } from 'react';
import { type MeetingState, meetingStore } from './meetingState';
import { useStore } from './store';

/** Reads part of the meeting state; re-renders when it changes. */
export function useMeeting<S>(selector: (state: MeetingState) => S): S {
  return useStore(meetingStore, selector);
}

/** The local clock, refreshed every `intervalMs` (for countdowns and elapsed times). */
export function useNow(intervalMs = 500): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
