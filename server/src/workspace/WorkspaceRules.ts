/**
 * What a secretary's Yjs update may change. Yjs itself has no permissions, so the hub applies each
 * update inside a transaction and inspects what it changed before keeping it: the confirmations
 * are the chair's (written by the hub only), a conclusion or petition is signed with its writer's
 * own name and its id, author and time never change, and only the layout's names exist.
 */
import { docNames } from '@giaoban/shared';
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
  constructor(readonly actor: Actor) {}
}

/** Origin of the hub's own writes (confirmations). */
export const HUB_ORIGIN = Symbol('hub');

/** Top-level names of the layout for these agenda items. */
export function allowedNames(itemIds: readonly string[]): Set<string> {
  const names = new Set<string>([docNames.confirmations, docNames.petitions, docNames.notice]);
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
      if (name.startsWith('conclusions:')) origin.touchedConclusions = true;
      if (isEntryList(name)) {
        const problem = checkNewEntries(tr, type as Y.Array<unknown>, origin.actor);
        if (problem) return problem;
      }
      continue;
    }
    // A nested type that existed before this update: an entry whose fixed keys must not change.
    const parent = type._item.parent;
    if (type instanceof Y.Map && parent instanceof Y.AbstractType && isEntryList(names.get(parent))) {
      if (names.get(parent)?.startsWith('conclusions:')) origin.touchedConclusions = true;
      for (const key of keys) {
        if (key !== null && FIXED_KEYS.has(key)) {
          return new DomainError('FORBIDDEN', `the ${key} of an entry cannot be changed`);
        }
      }
    }
    if (type instanceof Y.Text && parent instanceof Y.Map) origin.touchedConclusions = true;
  }
  return null;
}

/** Entries created by this transaction must carry the writer's own name. */
function checkNewEntries(tr: Y.Transaction, list: Y.Array<unknown>, actor: Actor): DomainError | null {
  for (const entry of list.toArray()) {
    if (!(entry instanceof Y.Map)) {
      return new DomainError('VALIDATION', 'entries of the workspace lists are maps');
    }
    const item = entry._item;
    if (item === null) continue;
    const isNew = item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
    if (!isNew) continue;
    if (entry.get('author') !== actor.displayName) {
      return new DomainError('FORBIDDEN', 'an entry is signed with your own name');
    }
    if (typeof entry.get('id') !== 'string' || (entry.get('id') as string).length > 64) {
      return new DomainError('VALIDATION', 'an entry needs an id of at most 64 characters');
    }
  }
  return null;
}
