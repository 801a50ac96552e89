/**
 * Whether an applied Yjs update was integrated in full. Yjs accepts an update that depends on
 * changes the document has not seen (an earlier edit of the same writer, or the text an insertion
 * is anchored to) and parks it as "pending" without any error: the text is in no one's view. The
 * hub must never acknowledge such an update as saved, so after applying one it checks that its
 * own state covers everything the update carries.
 */
import * as Y from 'yjs';

/** One writer's range the hub lacks: it has clocks below `have`, the update needs up to `need`. */
export interface MissingRange {
  client: number;
  have: number;
  need: number;
}

/** True when Yjs holds changes of `doc` it could not place yet (structs or deletions). */
export function hasParked(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

/**
 * The ranges an update needs that `doc` (after applying it) still lacks; empty when every struct
 * of the update is integrated and every deletion it carries refers to something the document has.
 * `wasClean`: nothing was parked before the update was applied — then nothing parked now means
 * the update was placed in full, without decoding it again (the common case, once per keystroke).
 */
export function missingRanges(doc: Y.Doc, update: Uint8Array, wasClean: boolean): MissingRange[] {
  if (wasClean && !hasParked(doc)) return [];
  const missing = new Map<number, MissingRange>();
  const need = (client: number, clock: number) => {
    const have = Y.getState(doc.store, client);
    if (have >= clock) return;
    const known = missing.get(client);
    if (!known || known.need < clock) missing.set(client, { client, have, need: clock });
  };
  for (const [client, clock] of Y.parseUpdateMeta(update).to) need(client, clock);
  for (const [client, deletes] of Y.decodeUpdate(update).ds.clients) {
    for (const d of deletes) need(client, d.clock + d.len);
  }
  if (missing.size === 0 && wasClean) {
    // Parked by this update, though its own ranges look present: what Yjs says it waits for.
    for (const [client, clock] of doc.store.pendingStructs?.missing ?? []) need(client, clock + 1);
  }
  return [...missing.values()];
}

/** A short human description of missing ranges, for the refusal message and the log. */
export function describeMissing(ranges: readonly MissingRange[]): string {
  const changes = ranges.reduce((n, r) => n + (r.need - r.have), 0);
  return `missing earlier updates: the hub lacks ${changes} earlier change${changes === 1 ? '' : 's'} this edit depends on (from ${ranges.length} writer${ranges.length === 1 ? '' : 's'}); send the document again from the hub's state vector`;
}
