/**
 * The meeting domain: plain TypeScript, no transport, media or storage (adapters wrap it).
 * The entry points are flat; entity helpers come as namespaces so their short verbs
 * (`advance`, `grantFloor`) never clash with an adapter's names.
 */
export * from './Actor.js';
export * as Agenda from './Agenda.js';
export { type AgendaItemDraft, agendaTiming, type ItemTiming } from './Agenda.js';
export { attendanceReport, attendanceTotals, type PresenceSpan, type SiteAttendance } from './Attendance.js';
export { AUDITED, auditEntry, auditEntryOf } from './AuditLog.js';
export * as BridgePoint from './BridgePoint.js';
export * as Chat from './Chat.js';
export { ChatJournalEntry } from './Chat.js';
export * from './commands.js';
export * from './DomainError.js';
export * from './execute.js';
export * from './MediaPolicy.js';
export type { MeetingEdit } from './Meeting.js';
export * from './MeetingRecord.js';
export * as ParentLink from './ParentLink.js';
export type { ParticipantJoin } from './Participant.js';
export * from './Permissions.js';
export type { DocumentProgress } from './Slides.js';
export * as Slides from './Slides.js';
export { deepEqual, diffSnapshots } from './SnapshotDiff.js';
export * as SpeakingQueue from './SpeakingQueue.js';
export { nextExpiry, turnDurationMs } from './SpeakingQueue.js';
export * from './Step.js';
export * as Vote from './Vote.js';
export { actorLabel, liveTallies, type VoteRecord } from './Vote.js';
