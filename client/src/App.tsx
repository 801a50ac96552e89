import { MeetingApp } from './views/meeting/MeetingApp';
import { OrganizerApp } from './views/organizer/OrganizerApp';

/** A join link (`/join#TOKEN`) opens the meeting in its role; every other address is for organizers. */
export function App() {
  return window.location.pathname.startsWith('/join') ? <MeetingApp /> : <OrganizerApp />;
}
