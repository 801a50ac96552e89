/**
 * The secretary workspace: one collaborative Yjs document per meeting, synchronised through the
 * hub (`doc:*` events). This file is the document's layout — which shared types hold what — so
 * the hub (validation, exports) and the client (editor) read and write it the same way.
 *
 * Layout of the `workspace` document:
 * - `minutes:<itemId>`      Y.Text — the minutes of one agenda item;
 * - `conclusions:<itemId>`  Y.Array of Y.Map { id, text: Y.Text, author, at } — its conclusions;
 * - `confirmations`         Y.Map conclusionId → { by, at } — written only by the hub, for the chair;
 * - `petitions`             Y.Array of Y.Map { id, itemId, site, petition: Y.Text, answer: Y.Text, answeredBy, author, at };
 * - `notice`                Y.Map of strings — the notice's issuing body, number, place, recipients;
 * - `conclusionHistory`     Y.Array of {@link ConclusionChange} — written only by the hub: who changed
 *                           which conclusion, when, and its text afterwards.
 * Top-level types are named per item (not one map of items) because two secretaries creating the
 * same item's entry at once would otherwise overwrite each other's nested type.
 */
import * as Y from 'yjs';
import { z } from 'zod';

/** Name of the workspace document in the store's document log. */
export const WORKSPACE_DOC = 'workspace';

/** Largest single `doc:update` the hub accepts; larger ones are refused with LIMIT. */
export const DOC_UPDATE_MAX_BYTES = 256 * 1024;

/**
 * Largest text one edit may insert, in UTF-8 bytes: the editor refuses a bigger paste before it
 * enters the document, so the update it makes always fits {@link DOC_UPDATE_MAX_BYTES}.
 */
export const DOC_INSERT_MAX_BYTES = 200 * 1024;

/** Bytes as they travel: Node receives a Buffer, a browser an ArrayBuffer; base64 is accepted too. */
export type WireBytes = Uint8Array | ArrayBuffer;

/** Normalises received bytes to a Uint8Array (no copy when already one). */
export function toBytes(bytes: WireBytes): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Binary payload field: Uint8Array/Buffer, ArrayBuffer or a base64 string, up to `maxBytes` on the wire. */
const Bytes = (maxBytes: number) =>
  z
    .union([
      z.instanceof(Uint8Array),
      z.instanceof(ArrayBuffer),
      z
        .string()
        .max(Math.ceil(maxBytes / 3) * 4 + 4)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64'),
    ])
    .transform((v): Uint8Array => (typeof v === 'string' ? fromBase64(v) : toBytes(v)));

/**
 * `doc:*` payloads. An update's wire cap is four times the accepted size, so an oversized one
 * still reaches the hub and is refused with LIMIT and a message, not dropped as malformed.
 */
export const DocSchemas = {
  sync: z.object({ stateVector: Bytes(64 * 1024) }).strict(),
  update: z.object({ update: Bytes(4 * DOC_UPDATE_MAX_BYTES) }).strict(),
  confirm: z.object({ conclusionId: z.string().min(1).max(64), confirmed: z.boolean() }).strict(),
};

/** Reply to `doc:sync`: what the client lacks, and the hub's state vector (to send what the hub lacks). */
export interface DocSyncResult {
  update: WireBytes;
  stateVector: WireBytes;
}

/**
 * Reply to `doc:update`: the hub's state vector once the update is stored, so the page checks
 * that the hub covers everything it has. An update the hub cannot integrate (it depends on
 * changes the hub never got) is refused with CONFLICT and {@link DOC_MISSING_UPDATES} in the
 * message instead; the page then syncs again and sends what the hub lacks.
 */
export interface DocUpdateResult {
  stateVector: WireBytes;
}

/** Start of the refusal message of an update that depends on changes the hub does not have. */
export const DOC_MISSING_UPDATES = 'missing earlier updates';

/** Start of the refusal message of an edit of a conclusion the chair confirmed. */
export const DOC_CONCLUSION_LOCKED = 'conclusion confirmed by the chair';

/** Largest value of a one-line field of a map (the notice's header, who answered): UTF-8 bytes. */
export const DOC_FIELD_MAX_BYTES = 4096;

/** A conclusion as the chair's panel and the notice see it (read-only projection of the document). */
export const ConclusionView = z.object({
  id: z.string(),
  agendaItemId: z.string(),
  text: z.string(),
  author: z.string(),
  at: z.number(),
  confirmed: z.boolean(),
  confirmedBy: z.string().nullable(),
  confirmedAt: z.number().nullable(),
});
export type ConclusionView = z.infer<typeof ConclusionView>;

/** One line of the petitions log (kiến nghị — giải đáp). */
export interface PetitionView {
  id: string;
  agendaItemId: string | null;
  site: string;
  petition: string;
  answer: string;
  answeredBy: string;
  author: string;
  at: number;
}

/** Fields of the notice's header and footer that the secretaries fill in. */
export interface NoticeFields {
  /** Cơ quan ban hành (issuing body), e.g. "BAN TỔ CHỨC TRUNG ƯƠNG". */
  issuer: string;
  /** Số hiệu, e.g. "125-TB/BTCTW". */
  number: string;
  /** Địa danh, e.g. "Hà Nội". */
  place: string;
  /** Nơi nhận, one per line. */
  recipients: string;
}

/** What happened to a conclusion, as the history records it. */
export type ConclusionAction = 'created' | 'edited' | 'deleted' | 'restored' | 'confirmed' | 'unconfirmed';

/** One line of the conclusions' history (hub-written): who, when, what, and the text afterwards. */
export interface ConclusionChange {
  conclusionId: string;
  action: ConclusionAction;
  /** Display name of the person who made the change. */
  by: string;
  at: number;
  /** The conclusion's text after the change (before it, for a deletion). */
  text: string;
}

/** Keys of the `notice` map. */
export const NOTICE_FIELDS = ['issuer', 'number', 'place', 'recipients'] as const;

/** Top-level type names of the layout. */
export const docNames = {
  minutes: (itemId: string) => `minutes:${itemId}`,
  conclusions: (itemId: string) => `conclusions:${itemId}`,
  confirmations: 'confirmations',
  petitions: 'petitions',
  notice: 'notice',
  history: 'conclusionHistory',
} as const;

/** The minutes text of one agenda item. */
export const minutesText = (doc: Y.Doc, itemId: string): Y.Text => doc.getText(docNames.minutes(itemId));

/** The conclusions of one agenda item. */
export const conclusionsArray = (doc: Y.Doc, itemId: string): Y.Array<Y.Map<unknown>> =>
  doc.getArray<Y.Map<unknown>>(docNames.conclusions(itemId));

/** The chair's confirmations (hub-written only). */
export const confirmationsMap = (doc: Y.Doc): Y.Map<{ by: string; at: number }> =>
  doc.getMap<{ by: string; at: number }>(docNames.confirmations);

/** The petitions log. */
export const petitionsArray = (doc: Y.Doc): Y.Array<Y.Map<unknown>> =>
  doc.getArray<Y.Map<unknown>>(docNames.petitions);

/** The conclusions' history (hub-written only). */
export const historyArray = (doc: Y.Doc): Y.Array<ConclusionChange> =>
  doc.getArray<ConclusionChange>(docNames.history);

/** The history of one conclusion (or of all), oldest first. */
export function readConclusionHistory(doc: Y.Doc, conclusionId?: string): ConclusionChange[] {
  return historyArray(doc)
    .toArray()
    .filter((c) => typeof c === 'object' && c !== null && (!conclusionId || c.conclusionId === conclusionId));
}

/** The notice's header fields. */
export const noticeMap = (doc: Y.Doc): Y.Map<string> => doc.getMap<string>(docNames.notice);

/** Appends a conclusion to an item. `author` is the writer's own name as the hub told it (checked there). */
export function addConclusion(
  doc: Y.Doc,
  itemId: string,
  entry: { id: string; text: string; author: string; at: number },
): void {
  const m = new Y.Map<unknown>();
  m.set('id', entry.id);
  m.set('text', new Y.Text(entry.text));
  m.set('author', entry.author);
  m.set('at', entry.at);
  conclusionsArray(doc, itemId).push([m]);
}

/** Appends a petition to the log. */
export function addPetition(
  doc: Y.Doc,
  entry: { id: string; itemId: string | null; site: string; petition: string; author: string; at: number },
): void {
  const m = new Y.Map<unknown>();
  m.set('id', entry.id);
  m.set('itemId', entry.itemId);
  m.set('site', entry.site);
  m.set('petition', new Y.Text(entry.petition));
  m.set('answer', new Y.Text(''));
  m.set('answeredBy', '');
  m.set('author', entry.author);
  m.set('at', entry.at);
  petitionsArray(doc).push([m]);
}

/** Removes the entry with `id` from an array of maps; false when it is not there. */
export function removeEntry(array: Y.Array<Y.Map<unknown>>, id: string): boolean {
  const index = array.toArray().findIndex((m) => m.get('id') === id);
  if (index < 0) return false;
  array.delete(index, 1);
  return true;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v instanceof Y.Text ? v.toString() : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The conclusions of the given items, in item order then writing order, with their confirmation. */
export function readConclusions(doc: Y.Doc, itemIds: readonly string[]): ConclusionView[] {
  const confirmations = confirmationsMap(doc);
  const out: ConclusionView[] = [];
  for (const itemId of itemIds) {
    for (const m of conclusionsArray(doc, itemId).toArray()) {
      if (!(m instanceof Y.Map)) continue;
      const id = str(m.get('id'));
      const c = confirmations.get(id);
      out.push({
        id,
        agendaItemId: itemId,
        text: str(m.get('text')),
        author: str(m.get('author')),
        at: num(m.get('at')),
        confirmed: c !== undefined,
        confirmedBy: c ? c.by : null,
        confirmedAt: c ? c.at : null,
      });
    }
  }
  return out;
}

/** Finds a conclusion's agenda item by its id among the given items; null when none has it. */
export function findConclusion(
  doc: Y.Doc,
  itemIds: readonly string[],
  conclusionId: string,
): { itemId: string; entry: Y.Map<unknown> } | null {
  for (const itemId of itemIds) {
    const entry = conclusionsArray(doc, itemId)
      .toArray()
      .find((m) => m instanceof Y.Map && m.get('id') === conclusionId);
    if (entry) return { itemId, entry };
  }
  return null;
}

/** The petitions log, in writing order. */
export function readPetitions(doc: Y.Doc): PetitionView[] {
  return petitionsArray(doc)
    .toArray()
    .filter((m) => m instanceof Y.Map)
    .map((m) => ({
      id: str(m.get('id')),
      agendaItemId: typeof m.get('itemId') === 'string' ? (m.get('itemId') as string) : null,
      site: str(m.get('site')),
      petition: str(m.get('petition')),
      answer: str(m.get('answer')),
      answeredBy: str(m.get('answeredBy')),
      author: str(m.get('author')),
      at: num(m.get('at')),
    }));
}

/** The notice's header fields (empty strings when not filled in). */
export function readNoticeFields(doc: Y.Doc): NoticeFields {
  const m = noticeMap(doc);
  return {
    issuer: str(m.get('issuer')),
    number: str(m.get('number')),
    place: str(m.get('place')),
    recipients: str(m.get('recipients')),
  };
}

/** UTF-8 size of a string, for the editor's paste check. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}
