import { useEffect } from 'react';
import { log } from '../../services/log';
import { initialMeetingState, type MeetingState, meetingStore, pushNotice } from '../../state/meetingState';
import { localSiteActions, type SiteActions } from './siteActions';

/**
 * The room display and the technician's window of the same computer talk over a BroadcastChannel
 * (same origin, same browser): the room display's page holds the one meeting connection the join
 * link allows (a second connection with the link would replace it) and mirrors its state to the
 * window; the window sends the bridge point's commands back and gets their outcome.
 */
const CHANNEL = 'giaoban-room';
/** The room display repeats its state at least this often, so the window knows it is there. */
const HEARTBEAT_MS = 2000;
/** Mirrored state is sent at most this often (the microphone meter changes many times a second). */
const THROTTLE_MS = 250;
/** Longer than the page's own request timeout (15 s), so a slow answer is still heard here. */
const COMMAND_TIMEOUT_MS = 25_000;

/** The part of the meeting state the technician's window draws from. */
export type MirroredState = Pick<
  MeetingState,
  'phase' | 'self' | 'snapshot' | 'clockSkewMs' | 'mic' | 'media'
>;

type Command = { [K in keyof SiteActions]: { name: K; args: Parameters<SiteActions[K]> } }[keyof SiteActions];

/** Messages on the channel. */
type Message =
  | { kind: 'hello' }
  | { kind: 'state'; state: MirroredState }
  | { kind: 'command'; id: number; command: Command }
  | { kind: 'result'; id: number; ok: boolean }
  | { kind: 'bye' };

const mirror = (s: MeetingState): MirroredState => ({
  phase: s.phase,
  self: s.self,
  snapshot: s.snapshot,
  clockSkewMs: s.clockSkewMs,
  mic: s.mic,
  media: s.media,
});

/** Runs one relayed command with this page's own actions. */
function run(command: Command): Promise<unknown> {
  switch (command.name) {
    case 'requestFloor':
      return localSiteActions.requestFloor(...command.args);
    case 'withdrawRequest':
      return localSiteActions.withdrawRequest(...command.args);
    case 'yieldFloor':
      return localSiteActions.yieldFloor();
    case 'declareDelegates':
      return localSiteActions.declareDelegates(...command.args);
    case 'selfMute':
      return localSiteActions.selfMute(...command.args);
    case 'setCameraEnabled':
      return localSiteActions.setCameraEnabled(...command.args);
    default: {
      const never: never = command;
      return Promise.reject(new Error(`unknown command ${JSON.stringify(never)}`));
    }
  }
}

/**
 * On the page that holds the meeting connection (the room display or the control panel): mirrors
 * the state to any technician's window and runs the commands it sends.
 */
export function useTechnicianHost(): void {
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(CHANNEL);
    let timer: ReturnType<typeof setTimeout> | null = null;
    let sentAt = 0;
    const send = () => {
      timer = null;
      sentAt = Date.now();
      channel.postMessage({ kind: 'state', state: mirror(meetingStore.get()) } satisfies Message);
    };
    const schedule = () => {
      if (timer) return;
      timer = setTimeout(send, Math.max(0, THROTTLE_MS - (Date.now() - sentAt)));
    };
    const unsubscribe = meetingStore.subscribe(schedule);
    const heartbeat = setInterval(send, HEARTBEAT_MS);
    channel.onmessage = (e: MessageEvent<Message>) => {
      const message = e.data;
      if (message.kind === 'hello') send();
      else if (message.kind === 'command') {
        log('technicianHost', 'command from the technician window', { command: message.command.name });
        run(message.command).then(
          (result) =>
            channel.postMessage({ kind: 'result', id: message.id, ok: result !== null } satisfies Message),
          () => channel.postMessage({ kind: 'result', id: message.id, ok: false } satisfies Message),
        );
      }
    };
    send();
    return () => {
      unsubscribe();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      channel.postMessage({ kind: 'bye' } satisfies Message);
      channel.close();
    };
  }, []);
}

/** Whether this page is a technician's window (`/join?technician`), which holds no connection itself. */
export function isTechnicianWindow(): boolean {
  return new URLSearchParams(window.location.search).has('technician');
}

/** Opens (or brings forward) the technician's window of this computer. */
export function openTechnicianWindow(): void {
  window.open('/join?technician', 'giaoban-technician', 'popup,width=520,height=820');
}

/** The technician's window end of the channel: the mirrored state goes into this page's store. */
export interface TechnicianRemote {
  actions: SiteActions;
  /** Whether a room display answered within the last few seconds. */
  connected(): boolean;
  close(): void;
}

/** Joins the channel from a technician's window; `onPresence` hears when the room display comes and goes. */
export function connectTechnicianRemote(onPresence: (connected: boolean) => void): TechnicianRemote {
  const channel = new BroadcastChannel(CHANNEL);
  const waiting = new Map<number, (ok: boolean) => void>();
  let seq = 0;
  let lastSeen = 0;
  let present = false;
  const setPresent = (value: boolean) => {
    if (value !== present) {
      present = value;
      onPresence(value);
    }
  };
  const watchdog = setInterval(() => {
    if (present && Date.now() - lastSeen > HEARTBEAT_MS * 2.5) setPresent(false);
  }, 1000);
  channel.onmessage = (e: MessageEvent<Message>) => {
    const message = e.data;
    if (message.kind === 'state') {
      lastSeen = Date.now();
      meetingStore.set((s) => ({ ...s, ...message.state }));
      setPresent(true);
    } else if (message.kind === 'result') {
      waiting.get(message.id)?.(message.ok);
      waiting.delete(message.id);
    } else if (message.kind === 'bye') {
      meetingStore.set({ ...initialMeetingState });
      setPresent(false);
    }
  };
  const send = (command: Command): Promise<unknown> => {
    const id = ++seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(false), COMMAND_TIMEOUT_MS);
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (!ok) pushNotice({ tone: 'error', key: 'remote.failed' });
        resolve(ok ? true : null);
      };
      waiting.set(id, settle);
      channel.postMessage({ kind: 'command', id, command } satisfies Message);
    });
  };
  channel.postMessage({ kind: 'hello' } satisfies Message);
  return {
    actions: {
      requestFloor: (topic) => send({ name: 'requestFloor', args: [topic] }),
      withdrawRequest: (id) => send({ name: 'withdrawRequest', args: [id] }),
      yieldFloor: () => send({ name: 'yieldFloor', args: [] }),
      declareDelegates: (n) => send({ name: 'declareDelegates', args: [n] }),
      selfMute: (muted) => send({ name: 'selfMute', args: [muted] }),
      setCameraEnabled: (on) => send({ name: 'setCameraEnabled', args: [on] }),
    },
    connected: () => present,
    close: () => {
      clearInterval(watchdog);
      channel.close();
    },
  };
}
