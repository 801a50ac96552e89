import { createStore } from '../../state/store';

/** What the room display shows in its main area while slides are on. */
export type RoomLayout = 'both' | 'slides' | 'program';

/** A dialog the technician opened on the room display. */
export type RoomDialog = 'help' | 'request' | 'delegates' | null;

/** The bridge point's screen: the room display or the control panel, and the room display's state. */
export interface RoomState {
  /** The full-screen room display is on (remembered on this computer, so a reload keeps it). */
  room: boolean;
  layout: RoomLayout;
  dialog: RoomDialog;
}

const STORAGE_KEY = 'giaoban.roomDisplay';
const LAYOUTS: readonly RoomLayout[] = ['both', 'slides', 'program'];

function load(): Pick<RoomState, 'room' | 'layout'> {
  try {
    const saved = JSON.parse(
      globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null',
    ) as Partial<RoomState> | null;
    return {
      room: saved?.room === true,
      layout: LAYOUTS.includes(saved?.layout as RoomLayout) ? (saved?.layout as RoomLayout) : 'both',
    };
  } catch {
    return { room: false, layout: 'both' };
  }
}

/** The page's room-display store (serialisable). */
export const roomStore = createStore<RoomState>({ ...load(), dialog: null });

roomStore.subscribe(() => {
  const { room, layout } = roomStore.get();
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify({ room, layout }));
  } catch {
    // not remembered; the choice still applies to this page
  }
});

/** The next layout in the cycle both → slides only → picture only. */
export function nextLayout(layout: RoomLayout): RoomLayout {
  return LAYOUTS[(LAYOUTS.indexOf(layout) + 1) % LAYOUTS.length] as RoomLayout;
}
