import { z } from 'zod';
import { Instant } from './ids.js';
import { Role } from './roles.js';

/** One moderator or organizer action, as the append-only audit log keeps it: who, when, what. */
export const AuditEntry = z.object({
  at: Instant,
  actorRole: Role,
  actorName: z.string(),
  /** The command or action, e.g. `floor:grant`, `vote:open`, `link:revoke`. */
  action: z.string(),
  /** What it was done to (a site, an agenda item, a vote, a message, a link), or null. */
  target: z.string().nullable(),
  /** A short human-readable detail (the topic, the seconds, the question), or empty. */
  detail: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
