/**
 * What a secretary's Yjs update may change. Yjs itself has no permissions, so the hub applies each
 * update inside a transaction and inspects what it changed before keeping it: the confirmations
 * and the conclusions' history are the hub's (written by it only), a conclusion or petition is
 * signed with its writer's own name and its id, author and time never change, a conclusion the
 * chair confirmed is locked (no edit, no deletion until the chair withdraws the confirmation),
 * and only the layout's names exist.
 */
import {
  type ConclusionAction,
  confirmationsMap,
  DOC_CONCLUSION_LOCKED,
  DOC_FIELD_MAX_BYTES,
  docNames,
  historyArray,
} from '@giaoban/shared';
import * as Y from 'yjs';
import type { Actor } from '../domain/Actor.js';
import { DomainError } from '../domain/DomainError.js';

/** Keys of a conclusion or petition entry that are fixed once written. */
const FIXED_KEYS = new Set(['id', 'author', 'at']);

/** Origin of a transaction applied for a person (the hub's own writes use {@link HUB_ORIGIN}). */
export class PersonOrigin {
  /** Set by {@link checkTransaction} when the update broke a rule. */
  violation: DomainError | null = null;
  /** True when the update touched conclusions or confirmations (the chair's panel needs a refresh). */
  touchedConclusions = false;
  /** True when the update used a name the agenda (as last read) does not have. */
  unknownName = false;
  /** What the update did to each conclusion it touched (for the history). */
  readonly conclusionChanges = new Map<string, ConclusionAction>();
  constructor(readonly actor: Actor) {}
}

/** Origin of the hub's own writes (confirmations). */
export const HUB_ORIGIN = Symbol('hub');

/** Top-level names of the layout for these agenda items. */
export function allowedNames(itemIds: readonly string[]): Set<string> {
  const names = new Set<string>([
    docNames.confirmations,
    docNames.petitions,
    docNames.notice,
    docNames.history,
  ]);
  for (const id of itemIds) {
    names.add(docNames.minutes(id));
    names.add(docNames.conclusions(id));
  }
  return names;
}

/**
 * Creates the layout's typed top-level types before any update is applied: a type that first
 * arrives in an update is untyped until someone asks for it by type.
 */
export function prepareLayout(doc: Y.Doc, itemIds: readonly string[]): void {
  for (const id of itemIds) {
    doc.getText(docNames.minutes(id));
    doc.getArray(docNames.conclusions(id));
  }
  doc.getMap(docNames.confirmations);
  doc.getArray(docNames.petitions);
  doc.getMap(docNames.notice);
  doc.getArray(docNames.history);
}

/** Any shared type (Yjs types them by their event type). */
type SharedType = Y.Doc['share'] extends Map<string, infer T> ? T : never;

/** Name of each top-level type of the document. */
function topLevelNames(doc: Y.Doc): Map<SharedType, string> {
  const names = new Map<SharedType, string>();
  for (const [name, type] of doc.share) names.set(type, name);
  return names;
}

/** True for an entry map of a conclusions array or of the petitions log. */
function isEntryList(name: string | undefined): boolean {
  return name !== undefined && (name.startsWith('conclusions:') || name === docNames.petitions);
}

/**
 * Inspects one applied transaction of a person; returns the first broken rule, or null.
 * `allowed` is the set of top-level names the meeting's agenda allows.
 */
export function checkTransaction(
  tr: Y.Transaction,
  origin: PersonOrigin,
  allowed: ReadonlySet<string>,
): DomainError | null {
  const names = topLevelNames(tr.doc);
  for (const [type, keys] of tr.changed) {
    if (type._item === null) {
      const name = names.get(type);
      if (name === undefined || !allowed.has(name)) {
        origin.unknownName = true;
        return new DomainError('VALIDATION', `the workspace has no part named ${name ?? '(unnamed)'}`);
      }
      if (name === docNames.confirmations) {
        return new DomainError('FORBIDDEN', 'only the chair confirms conclusions');
      }
      if (name === docNames.notice && type instanceof Y.Map) {
        for (const key of keys) {
          const problem = key === null ? null : fieldTooLong(type, key);
          if (problem) return problem;
        }
      }
      if (name === docNames.history) {
        return new DomainError('FORBIDDEN', 'only the hub writes the history of the conclusions');
      }
      if (name.startsWith('conclusions:')) {
        origin.touchedConclusions = true;
        const problem = checkDeletedConclusions(tr, type as SharedType, origin);
        if (problem) return problem;
      }
      if (isEntryList(name)) {
        const problem = checkNewEntries(tr, type as Y.Array<unknown>, origin);
        if (problem) return problem;
      }
      continue;
    }
    // A nested type that existed before this update: an entry whose fixed keys must not change.
    const parent = type._item.parent;
    if (type instanceof Y.Map && parent instanceof Y.AbstractType && isEntryList(names.get(parent))) {
      const isConclusion = names.get(parent)?.startsWith('conclusions:') === true;
      for (const key of keys) {
        if (key !== null && FIXED_KEYS.has(key)) {
          return new DomainError('FORBIDDEN', `the ${key} of an entry cannot be changed`);
        }
        const problem = key === null ? null : fieldTooLong(type, key);
        if (problem) return problem;
      }
      if (isConclusion) {
        const problem = editedConclusion(tr, type, origin);
        if (problem) return problem;
      }
    }
    if (type instanceof Y.Text && parent instanceof Y.Map) {
      const list = parent._item?.parent;
      if (list instanceof Y.AbstractType && names.get(list)?.startsWith('conclusions:')) {
        const problem = editedConclusion(tr, parent, origin);
        if (problem) return problem;
      }
    }
  }
  return null;
}

/** A one-line field (a string value of a map) over DOC_FIELD_MAX_BYTES: refused with LIMIT. */
function fieldTooLong(map: Y.Map<unknown>, key: string): DomainError | null {
  const value = map.get(key);
  if (typeof value !== 'string' || new TextEncoder().encode(value).length <= DOC_FIELD_MAX_BYTES) return null;
  return new DomainError('LIMIT', `the field ${key} is longer than ${DOC_FIELD_MAX_BYTES / 1024} KB`);
}

/** The refusal of a change to a confirmed conclusion. */
export function lockedConclusion(id: string): DomainError {
  return new DomainError(
    'INVALID_STATE',
    `${DOC_CONCLUSION_LOCKED}: it is locked; the chair must withdraw the confirmation before it is changed or deleted (${id})`,
  );
}

/** An existing conclusion entry was edited: refused when confirmed, else recorded. */
function editedConclusion(
  tr: Y.Transaction,
  entry: Y.Map<unknown>,
  origin: PersonOrigin,
): DomainError | null {
  origin.touchedConclusions = true;
  const id = entry.get('id');
  if (typeof id !== 'string') return null;
  if (confirmationsMap(tr.doc).has(id)) return lockedConclusion(id);
  if (!origin.conclusionChanges.has(id)) origin.conclusionChanges.set(id, 'edited');
  return null;
}

/** Reads a key of a map even when the map was just deleted (its entries are kept until garbage collection). */
function rawKey(map: Y.Map<unknown>, key: string): unknown {
  const item = map._map.get(key);
  return item ? item.content.getContent()[0] : undefined;
}

/** Conclusions deleted by this transaction: refused when confirmed, else recorded. */
function checkDeletedConclusions(
  tr: Y.Transaction,
  list: SharedType,
  origin: PersonOrigin,
): DomainError | null {
  let problem: DomainError | null = null;
  Y.iterateDeletedStructs(tr, tr.deleteSet, (struct) => {
    if (problem || !(struct instanceof Y.Item) || struct.parent !== list) return;
    if (!(struct.content instanceof Y.ContentType) || !(struct.content.type instanceof Y.Map)) return;
    // Created and deleted by this same update: nothing existed before.
    if (struct.id.clock >= (tr.beforeState.get(struct.id.client) ?? 0)) return;
    const id = rawKey(struct.content.type, 'id');
    if (typeof id !== 'string') return;
    if (confirmationsMap(tr.doc).has(id)) problem = lockedConclusion(id);
    else origin.conclusionChanges.set(id, 'deleted');
  });
  return problem;
}

/**
 * True when an entry re-creates a conclusion deleted earlier, with its original id and author (an
 * undo of the deletion): the history says it was deleted and who created it.
 */
function isRestoredConclusion(doc: Y.Doc, entry: Y.Map<unknown>): boolean {
  const id = entry.get('id');
  let deleted = false;
  let author: string | null = null;
  for (const change of historyArray(doc).toArray()) {
    if (change?.conclusionId !== id) continue;
    if (change.action === 'created') author = change.by;
    if (change.action === 'deleted') deleted = true;
    if (change.action === 'restored') deleted = false;
  }
  return deleted && author !== null && entry.get('author') === author;
}

/** Entries created by this transaction must carry the writer's own name (or restore a deleted conclusion). */
function checkNewEntries(
  tr: Y.Transaction,
  list: Y.Array<unknown>,
  origin: PersonOrigin,
): DomainError | null {
  const { actor } = origin;
  const isConclusions =
    list._item === null &&
    [...tr.doc.share].some(([name, type]) => type === list && name.startsWith('conclusions:'));
  for (const entry of list.toArray()) {
    if (!(entry instanceof Y.Map)) {
      return new DomainError('VALIDATION', 'entries of the workspace lists are maps');
    }
    const item = entry._item;
    if (item === null) continue;
    const isNew = item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
    if (!isNew) continue;
    if (typeof entry.get('id') !== 'string' || (entry.get('id') as string).length > 64) {
      return new DomainError('VALIDATION', 'an entry needs an id of at most 64 characters');
    }
    const id = entry.get('id') as string;
    for (const key of entry.keys()) {
      const problem = fieldTooLong(entry, key);
      if (problem) return problem;
    }
    const restored = isConclusions && isRestoredConclusion(tr.doc, entry);
    if (entry.get('author') !== actor.displayName && !restored) {
      return new DomainError('FORBIDDEN', 'an entry is signed with your own name');
    }
    if (isConclusions) origin.conclusionChanges.set(id, restored ? 'restored' : 'created');
  }
  return null;
}
