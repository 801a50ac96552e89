import { useEffect, useRef } from 'react';
import { AudioUnlockBanner, DeviceProblemBanner, NoticeList } from '../../components/Banners';
import { FloorCountdown } from '../../components/Indicators';
import { ProgramStage } from '../../components/ProgramStage';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { SlidesArea, useSlidesShowing } from '../../slides/SlidesArea';
import { formatTime } from '../../state/format';
import { useMeeting, useNow } from '../../state/hooks';
import { meetingStore } from '../../state/meetingState';
import {
  activeFloor,
  currentAgendaItem,
  programSiteId,
  queuePositionOf,
  siteById,
} from '../../state/selectors';
import { useStore } from '../../state/store';
import { ParentLinkBanner } from '../linked/ParentPanel';
import { DelegatesForm } from './DelegatesForm';
import { FloorRequestPanel } from './FloorRequestPanel';
import { ROOM_SHORTCUTS, type RoomCommand, roomCommandOf } from './roomKeys';
import { nextLayout, type RoomDialog, roomStore } from './roomState';
import { localSiteActions } from './siteActions';
import { openTechnicianWindow } from './technicianChannel';

/** Meeting title, status, the agenda item "Nội dung 2/5", and the time of day — read from the back row. */
function RoomTop() {
  const { t, locale } = useI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const skew = useMeeting((s) => s.clockSkewMs);
  const now = useNow(1000);
  const item = currentAgendaItem(snapshot);
  const items = snapshot?.agenda.items ?? [];
  const status = snapshot?.meeting.status ?? 'scheduled';
  return (
    <header className="room__top">
      <div className="room__heading">
        <h1 className="room__title" data-testid="meeting-title">
          {snapshot?.meeting.title ?? ''}
        </h1>
        <p className="room__item" data-testid="room-agenda-item">
          {item ? (
            <>
              <span className="room__item-num">
                {t('room.itemOf', { n: items.indexOf(item) + 1, count: items.length })}
              </span>{' '}
              {item.title}
            </>
          ) : (
            t('room.noItem')
          )}
        </p>
      </div>
      <div className="room__clock">
        <span className={`pill pill--${status}`} data-testid="meeting-status">
          {t(`status.${status}`)}
        </span>
        <time className="room__time">{formatTime(now + skew, locale)}</time>
      </div>
    </header>
  );
}

/** The lower third: who speaks (site, person, topic) and the time left of the turn. */
function LowerThird() {
  const { t } = useI18n();
  const snapshot = useMeeting((s) => s.snapshot);
  const floor = activeFloor(snapshot);
  const programId = programSiteId(snapshot);
  const speakerId = floor?.siteId ?? programId;
  const site = siteById(snapshot, speakerId);
  const item = currentAgendaItem(snapshot);
  // The floor turn names a site, not a person; when no site holds the floor, the item's presenter speaks.
  const person = !floor && item?.presenter ? t('room.presenter', { name: item.presenter }) : null;
  const role = !floor && site?.isHost ? t('room.chairSpeaking') : null;
  return (
    <section className="room__lower" aria-label={t('room.lowerThird')} data-testid="room-lower-third">
      <div className="room__who">
        {floor ? <span className="room__tag">{t('room.speaking')}</span> : null}
        <span className="room__site" data-testid="room-speaker-site">
          {site?.name ?? t('stage.none')}
        </span>
        {role ? <span className="room__role">{role}</span> : null}
      </div>
      {floor?.topic || person ? (
        <p className="room__topic" data-testid="room-speaker-topic">
          {floor?.topic || person}
        </p>
      ) : null}
      {floor ? (
        <div className="room__remaining">
          <FloorCountdown floor={floor} />
          {floor.expiresAt !== null ? (
            <span className="room__remaining-label">{t('room.remaining')}</span>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** This room's own state in words a room understands: speaking, microphone, place in the queue, the link. */
function RoomStatus() {
  const { t } = useI18n();
  const phase = useMeeting((s) => s.phase);
  const siteId = useMeeting((s) => s.self?.siteId ?? null);
  const mic = useMeeting((s) => s.mic);
  const capture = useMeeting((s) => s.media.mic);
  const status = useMeeting((s) => s.snapshot?.meeting.status ?? 'scheduled');
  const ours = useMeeting((s) => activeFloor(s.snapshot)?.siteId === siteId && siteId !== null);
  const position = useMeeting((s) => queuePositionOf(s.snapshot, siteId));
  const quality = useMeeting((s) => s.quality?.level ?? null);

  let main: { key: MessageKey; tone: 'on' | 'off' | 'lost' };
  if (phase === 'reconnecting') main = { key: 'room.status.lost', tone: 'lost' };
  else if (capture === 'denied' || capture === 'missing' || capture === 'error')
    main = { key: 'room.status.noMic', tone: 'off' };
  else if (ours && mic?.open) main = { key: 'room.status.speaking', tone: 'on' };
  else if (mic?.open) main = { key: 'room.status.micOpen', tone: 'on' };
  else if (mic?.selfMuted) main = { key: 'room.status.selfMuted', tone: 'off' };
  else main = { key: 'room.status.micClosed', tone: 'off' };

  return (
    <footer className="room__status">
      <p className={`room__state room__state--${main.tone}`} role="status" data-testid="room-status">
        <span className="room__dot" aria-hidden="true" />
        {t(main.key)}
      </p>
      {position !== null && !ours ? (
        <p className="room__state room__state--queued" data-testid="room-queued">
          {t('room.status.queued', { position })}
        </p>
      ) : null}
      {status === 'techCheck' ? <p className="room__state">{t('room.status.techCheck')}</p> : null}
      <p className="room__hint">
        {quality && phase !== 'reconnecting' ? <span>{t(`quality.${quality}`)} · </span> : null}
        {t('room.helpHint')}
      </p>
    </footer>
  );
}

/** A modal dialog of the room display, opened by a shortcut; Escape or the close button closes it. */
function RoomDialogBox({
  id,
  title,
  children,
}: {
  id: Exclude<RoomDialog, null>;
  title: string;
  children: React.ReactNode;
}) {
  const { t } = useI18n();
  const open = useStore(roomStore, (s) => s.dialog === id);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog room__dialog"
      aria-labelledby={`room-dialog-${id}`}
      data-testid={`room-dialog-${id}`}
      onClose={() => roomStore.get().dialog === id && roomStore.set({ dialog: null })}
    >
      <div className="dialog__body">
        <h2 id={`room-dialog-${id}`}>{title}</h2>
        {open ? children : null}
        <div className="dialog__actions">
          <button type="button" className="btn btn--primary" onClick={() => roomStore.set({ dialog: null })}>
            {t('room.help.close')}
          </button>
        </div>
      </div>
    </dialog>
  );
}

/** The technician's shortcuts, as the help overlay lists them. */
function ShortcutHelp() {
  const { t } = useI18n();
  return (
    <>
      <table className="table room__keys">
        <thead>
          <tr>
            <th scope="col">{t('room.help.keys')}</th>
            <th scope="col">{t('room.help.action')}</th>
          </tr>
        </thead>
        <tbody>
          {ROOM_SHORTCUTS.map((s) => (
            <tr key={s.command}>
              <td>
                {s.keys.map((k) => (
                  <kbd key={k}>{k.toUpperCase()}</kbd>
                ))}
              </td>
              <td>{t(s.label)}</td>
            </tr>
          ))}
          <tr>
            <td>
              <kbd>Esc</kbd>
            </td>
            <td>{t('room.key.close')}</td>
          </tr>
        </tbody>
      </table>
      <p className="room__window-hint">{t('room.windowHint')}</p>
      <button type="button" className="btn" onClick={openTechnicianWindow}>
        {t('room.openWindow')}
      </button>
    </>
  );
}

/** Full screen on and off (a room PC's browser may refuse: then the layout still fills the window). */
function toggleFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  else void document.documentElement.requestFullscreen?.().catch(() => undefined);
}

/** Carries out a technician's shortcut. */
function runRoomCommand(command: RoomCommand): void {
  const s = meetingStore.get();
  const siteId = s.self?.siteId ?? null;
  switch (command) {
    case 'help':
      roomStore.set({ dialog: roomStore.get().dialog === 'help' ? null : 'help' });
      return;
    case 'request':
      roomStore.set({ dialog: 'request' });
      return;
    case 'delegates':
      roomStore.set({ dialog: 'delegates' });
      return;
    case 'yield':
      if (siteId && activeFloor(s.snapshot)?.siteId === siteId) void localSiteActions.yieldFloor();
      return;
    case 'mic':
      if (s.mic && s.media.mic === 'on') void localSiteActions.selfMute(!s.mic.selfMuted);
      return;
    case 'camera':
      if (s.media.camera !== 'starting') {
        void localSiteActions.setCameraEnabled(!(s.media.camera === 'on'));
      }
      return;
    case 'layout':
      roomStore.set({ layout: nextLayout(roomStore.get().layout) });
      return;
    case 'fullscreen':
      toggleFullscreen();
      return;
    case 'window':
      openTechnicianWindow();
      return;
    case 'exit':
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
      roomStore.set({ room: false, dialog: null });
      return;
    default: {
      const never: never = command;
      throw new Error(`unknown room command ${String(never)}`);
    }
  }
}

/** The room display's keyboard: a technician's shortcuts, never while typing or in a dialog. */
function useRoomShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"], dialog')) return;
      if (roomStore.get().dialog !== null) return;
      const command = roomCommandOf(e);
      if (!command) return;
      e.preventDefault();
      runRoomCommand(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/**
 * The room display of a bridge point: what twenty delegates watch on the room's TV from across
 * the room — the program large, the report slides beside it (or instead of it), a lower third
 * with who speaks, on what, and the time left, the meeting and agenda item on top, and the room's
 * own state in words. The technician works it from the keyboard (help on "?") or from a second
 * window of the same computer.
 */
export function RoomDisplay() {
  const { t } = useI18n();
  const showing = useSlidesShowing();
  const layout = useStore(roomStore, (s) => s.layout);
  const phase = useMeeting((s) => s.phase);
  const mode = showing ? layout : 'program';
  useRoomShortcuts();

  return (
    <div className="room" data-testid="room-display" data-layout={mode}>
      <RoomTop />
      {phase === 'reconnecting' ? (
        <div className="room__alert" role="alert" data-testid="reconnecting-banner">
          {t('room.status.lost')}
        </div>
      ) : null}
      <AudioUnlockBanner />
      <DeviceProblemBanner />
      <ParentLinkBanner />
      <main className={`room__main room__main--${mode}`}>
        <h2 className="sr-only">{t('room.label')}</h2>
        {mode !== 'program' ? <SlidesArea className="slides--room" library={false} /> : null}
        {mode !== 'slides' ? <ProgramStage className="stage--room" /> : null}
      </main>
      <LowerThird />
      <RoomStatus />
      <RoomDialogBox id="help" title={t('room.help.title')}>
        <ShortcutHelp />
      </RoomDialogBox>
      <RoomDialogBox id="request" title={t('room.request.title')}>
        <FloorRequestPanel autoFocus />
      </RoomDialogBox>
      <RoomDialogBox id="delegates" title={t('room.delegates.title')}>
        <DelegatesForm autoFocus />
      </RoomDialogBox>
      <NoticeList />
    </div>
  );
}
