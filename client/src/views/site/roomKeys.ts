import type { MessageKey } from '../../i18n/i18n';

/** What a technician's key does on the room display. */
export type RoomCommand =
  | 'help'
  | 'request'
  | 'yield'
  | 'mic'
  | 'camera'
  | 'delegates'
  | 'layout'
  | 'fullscreen'
  | 'window'
  | 'exit';

/** The shortcuts, in the order the help overlay lists them: keys (as KeyboardEvent.key) and meaning. */
export const ROOM_SHORTCUTS: readonly { command: RoomCommand; keys: readonly string[]; label: MessageKey }[] =
  [
    { command: 'help', keys: ['?', 'h'], label: 'room.key.help' },
    { command: 'request', keys: ['r'], label: 'room.key.request' },
    { command: 'yield', keys: ['k'], label: 'room.key.yield' },
    { command: 'mic', keys: ['m'], label: 'room.key.mic' },
    { command: 'camera', keys: ['c'], label: 'room.key.camera' },
    { command: 'delegates', keys: ['d'], label: 'room.key.delegates' },
    { command: 'layout', keys: ['s'], label: 'room.key.slides' },
    { command: 'fullscreen', keys: ['f'], label: 'room.key.fullscreen' },
    { command: 'window', keys: ['w'], label: 'room.key.window' },
    { command: 'exit', keys: ['b'], label: 'room.key.exit' },
  ];

/**
 * The command of a key press on the room display, or null (pure). Letters match in either case;
 * keys with Ctrl, Alt or Meta are the browser's and never ours.
 */
export function roomCommandOf(e: {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}): RoomCommand | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  return ROOM_SHORTCUTS.find((s) => s.keys.includes(key))?.command ?? null;
}
