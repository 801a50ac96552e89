import { z } from 'zod';

/** Roles of PRODUCT.md. A join link carries one of the in-meeting roles; organizers sign in. */
export const Role = z.enum(['organizer', 'chair', 'operator', 'secretary', 'site', 'observer']);
export type Role = z.infer<typeof Role>;

/**
 * Roles a join link can carry (organizers use accounts, not links). A `relay` link is a site's link
 * for another hub (a linked child meeting): it joins as that site and may set up the media pipe.
 */
export const JoinRole = z.enum(['chair', 'operator', 'secretary', 'site', 'observer', 'relay']);
export type JoinRole = z.infer<typeof JoinRole>;

/** The role a link's holder has in the meeting: a relay link's hub is the bridge point it stands for. */
export const roleOfLink = (role: JoinRole): Exclude<Role, 'organizer'> => (role === 'relay' ? 'site' : role);

/** Moderators run the floor and the stage. */
export const isModerator = (role: Role): boolean => role === 'chair' || role === 'operator';

/** Roles whose device publishes a camera and microphone. */
export const publishesMedia = (role: Role): boolean => role === 'chair' || role === 'site';
