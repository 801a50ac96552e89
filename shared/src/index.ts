/** @giaoban/shared — the wire protocol and types both the hub and the client import. */

export * from './audit.js';
export * from './changes.js';
export * from './chat.js';
export * from './docs.js';
export * from './errors.js';
export * from './events.js';
export * from './http.js';
export * from './ids.js';
export * from './media.js';
export * from './recordings.js';
export * from './relay.js';
export * from './roles.js';
export * from './schedule.js';
export * from './slides.js';
export * from './state.js';
export * from './statistics.js';
export * from './votes.js';
