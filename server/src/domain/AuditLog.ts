import type { AuditEntry } from '@giaoban/shared';
import type { Actor } from './Actor.js';
import type { PersonCommand } from './commands.js';
import type { MeetingRecord } from './MeetingRecord.js';

/**
 * Which person commands are moderator (or organizer) actions the audit log keeps. Total over every
 * command, so a new command cannot be added without deciding whether it is audited.
 */
export const AUDITED: Readonly<Record<PersonCommand['type'], boolean>> = {
  'meeting:openTechCheck': true,
  'meeting:goLive': true,
  'meeting:end': true,
  'agenda:advance': true,
  'agenda:open': true,
  'queue:request': false,
  // A site withdrawing its own request is no moderation; a moderator removing one is (see auditEntryOf).
  'queue:withdraw': true,
  'queue:reorder': true,
  'floor:grant': true,
  'floor:revoke': true,
  'floor:extend': true,
  'floor:yield': false,
  'stage:pin': true,
  'site:declare': true,
  'mic:set': true,
  'mic:selfMute': false,
  'mic:muteAll': true,
  'talkback:set': true,
  'recording:start': true,
  'recording:stop': true,
  'techCheck:talkTo': true,
  'slides:show': false,
  'slides:page': false,
  'slides:presenter': true,
  'slides:stop': false,
  'vote:open': true,
  'vote:cast': false,
  'vote:close': true,
  'chat:mute': true,
  'relay:localSegment': true,
  'documents:add': true,
  'documents:remove': true,
  'meeting:update': true,
  'sites:invite': true,
  'sites:uninvite': true,
  'agenda:addItem': true,
  'agenda:updateItem': true,
  'agenda:removeItem': true,
  'agenda:reorder': true,
};

/** A site acting on its own bridge point (declaring, withdrawing, presenting) is not moderation. */
const OWN_SITE_ROLES = new Set(['site']);

/** Builds an entry: who (name and role), when, what. */
export function auditEntry(
  actor: Pick<Actor, 'role' | 'displayName'>,
  at: number,
  action: string,
  target: string | null,
  detail = '',
): AuditEntry {
  return {
    at,
    actorRole: actor.role,
    actorName: actor.displayName,
    action,
    target,
    detail: detail.slice(0, 500),
  };
}

/**
 * The audit entry of a command that changed the meeting, or null when it is not a moderator action.
 * `before` is the record the command ran on, so a removed request or item can still be named.
 */
export function auditEntryOf(
  before: MeetingRecord,
  after: MeetingRecord,
  actor: Actor,
  cmd: PersonCommand,
  at: number,
): AuditEntry | null {
  if (!AUDITED[cmd.type] || OWN_SITE_ROLES.has(actor.role)) return null;
  const entry = (target: string | null, detail = '') => auditEntry(actor, at, cmd.type, target, detail);
  switch (cmd.type) {
    case 'floor:grant': {
      const floor = after.queue.floor;
      const seconds = floor?.expiresAt ? Math.round((floor.expiresAt - floor.grantedAt) / 1000) : 0;
      return entry(
        floor?.siteId ?? null,
        `${seconds > 0 ? `${seconds} s` : 'không giới hạn'}; ${floor?.topic ?? ''}`,
      );
    }
    case 'floor:revoke':
      return entry(before.queue.floor?.siteId ?? null);
    case 'floor:extend':
      return entry(after.queue.floor?.siteId ?? null, `+${cmd.seconds} s`);
    case 'queue:withdraw': {
      const request = before.queue.requests.find((r) => r.id === cmd.requestId);
      return entry(request?.siteId ?? cmd.requestId, request?.topic ?? '');
    }
    case 'queue:reorder':
      return entry(null, after.queue.requests.map((r) => r.siteId).join(' > '));
    case 'stage:pin':
    case 'talkback:set':
    case 'techCheck:talkTo':
    case 'slides:presenter':
      return entry(cmd.siteId);
    case 'mic:set':
      return entry(cmd.siteId, cmd.open ? 'mở micro' : 'tắt micro');
    case 'mic:muteAll':
      return entry(
        null,
        after.sites
          .filter((s) => s.mutedByModerator && !before.sites.find((b) => b.id === s.id)?.mutedByModerator)
          .map((s) => s.id)
          .join(', '),
      );
    case 'recording:start':
      return entry(after.moderation.recording?.recordingId ?? null, 'bắt đầu ghi hình');
    case 'recording:stop': {
      const was = before.moderation.recording;
      return entry(was?.recordingId ?? null, was?.failure ? 'bỏ cảnh báo ghi hình lỗi' : 'dừng ghi hình');
    }
    case 'chat:mute':
      return entry(cmd.siteId, cmd.muted ? 'khóa trò chuyện' : 'mở trò chuyện');
    case 'relay:localSegment':
      return entry(null, cmd.local ? 'phiên riêng' : 'tiếp sóng cầu cấp trên');
    case 'site:declare':
      return entry(cmd.siteId ?? actor.siteId, `${cmd.delegates} đại biểu`);
    case 'agenda:advance':
    case 'agenda:open': {
      const item = after.agenda.items.find((i) => i.id === after.agenda.currentItemId);
      return entry(after.agenda.currentItemId, item?.title ?? '');
    }
    case 'agenda:addItem': {
      const added = after.agenda.items.find((i) => !before.agenda.items.some((b) => b.id === i.id));
      return entry(added?.id ?? null, cmd.item.title);
    }
    case 'agenda:updateItem':
      return entry(cmd.itemId, Object.keys(cmd.patch).join(', '));
    case 'agenda:removeItem':
      return entry(cmd.itemId, before.agenda.items.find((i) => i.id === cmd.itemId)?.title ?? '');
    case 'agenda:reorder':
      return entry(null, cmd.itemIds.join(' > '));
    case 'vote:open': {
      const vote = after.votes.find((v) => !before.votes.some((b) => b.id === v.id));
      return entry(vote?.id ?? null, `${cmd.question} [${cmd.counting}${cmd.secret ? ', kín' : ''}]`);
    }
    case 'vote:close': {
      const vote = after.votes.find((v) => v.id === cmd.voteId);
      return entry(
        cmd.voteId,
        vote ? `${vote.question}: ${vote.options.map((o, i) => `${o} ${vote.totals[i]}`).join(', ')}` : '',
      );
    }
    case 'documents:add':
      return entry(cmd.document.id, cmd.document.name);
    case 'documents:remove':
      return entry(cmd.documentId);
    case 'sites:invite':
      return entry(null, cmd.sites.map((s) => s.id).join(', '));
    case 'sites:uninvite':
      return entry(null, cmd.siteIds.join(', '));
    case 'meeting:update': {
      const { type: _type, ...edit } = cmd;
      return entry(null, Object.keys(edit).join(', '));
    }
    default:
      return entry(null);
  }
}
