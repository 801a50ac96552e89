import { z } from 'zod';

/** Roles of PRODUCT.md. A join link carries one of the in-meeting roles; organizers sign in. */
export const Role = z.enum(['organizer', 'chair', 'operator', 'secretary', 'site', 'observer']);
export type Role = z.infer<typeof Role>;

/** Roles a join link can carry (organizers use accounts, not links). */
export const JoinRole = z.enum(['chair', 'operator', 'secretary', 'site', 'observer']);
export type JoinRole = z.infer<typeof JoinRole>;

/** Moderators run the floor and the stage. */
export const isModerator = (role: Role): boolean => role === 'chair' || role === 'operator';

/** Roles whose device publishes a camera and microphone. */
export const publishesMedia = (role: Role): boolean => role === 'chair' || role === 'site';
