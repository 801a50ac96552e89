import type { HandlerMap } from '../HandlerContext.js';
import { agendaHandlers } from './agenda.js';
import { chatHandlers } from './chat.js';
import { mediaHandlers } from './media.js';
import { meetingHandlers } from './meeting.js';
import { queueHandlers } from './queue.js';
import { relayHandlers } from './relay.js';
import { slidesHandlers } from './slides.js';
import { voteHandlers } from './vote.js';
import { workspaceHandlers } from './workspace.js';

/** Every client event's handler, one module per area; the compiler checks that none is missing. */
export const handlers: HandlerMap = {
  ...meetingHandlers,
  ...queueHandlers,
  ...agendaHandlers,
  ...mediaHandlers,
  ...slidesHandlers,
  ...workspaceHandlers,
  ...voteHandlers,
  ...chatHandlers,
  ...relayHandlers,
};
