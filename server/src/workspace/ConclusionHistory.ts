/**
 * The conclusions' history: who changed which conclusion, when, and its text afterwards. Turns
 * what people's updates did (as the workspace rules saw it) into history lines: one line per
 * creation, deletion, restoration, confirmation or withdrawal, and one line per burst of edits
 * by one person (typing makes an update per key), written once the burst ends. Plain bookkeeping:
 * the workspace service writes the lines into the document as the hub's own update.
 */
import type { ConclusionAction, ConclusionChange } from '@giaoban/shared';

/** A burst of edits of one conclusion not written to the history yet. */
interface PendingEdit {
  by: string;
  at: number;
}

/** A conclusion's text before the update being recorded, and now. */
export interface ConclusionTexts {
  before(conclusionId: string): string;
  after(conclusionId: string): string;
}

/** History lines of every meeting the hub holds, with the bursts of edits still open. */
export class ConclusionHistory {
  /** Per meeting: conclusion id → its open burst of edits. */
  readonly #pending = new Map<string, Map<string, PendingEdit>>();

  constructor(private readonly clock: () => number) {}

  /**
   * Records what one person's update did; returns the lines to write now (an open burst of
   * another person, or one that ends because of this change, comes first).
   */
  record(
    meetingId: string,
    by: string,
    changes: ReadonlyMap<string, ConclusionAction>,
    texts: ConclusionTexts,
  ): ConclusionChange[] {
    const lines: ConclusionChange[] = [];
    let pending = this.#pending.get(meetingId);
    if (!pending) {
      pending = new Map();
      this.#pending.set(meetingId, pending);
    }
    const at = this.clock();
    for (const [conclusionId, action] of changes) {
      const open = pending.get(conclusionId);
      if (open && (action !== 'edited' || open.by !== by)) {
        // The burst ends: its line carries the text it left (before this update).
        lines.push({
          conclusionId,
          action: 'edited',
          by: open.by,
          at: open.at,
          text: texts.before(conclusionId),
        });
        pending.delete(conclusionId);
      }
      if (action === 'edited') {
        pending.set(conclusionId, { by, at });
        continue;
      }
      const text = action === 'deleted' ? texts.before(conclusionId) : texts.after(conclusionId);
      lines.push({ conclusionId, action, by, at, text });
    }
    if (pending.size === 0) this.#pending.delete(meetingId);
    return lines;
  }

  /** True when a meeting has bursts of edits not written yet. */
  hasOpen(meetingId: string): boolean {
    return (this.#pending.get(meetingId)?.size ?? 0) > 0;
  }

  /** Ends every open burst of a meeting: the lines to write now, with each conclusion's text now. */
  close(meetingId: string, texts: ConclusionTexts): ConclusionChange[] {
    const pending = this.#pending.get(meetingId);
    this.#pending.delete(meetingId);
    if (!pending) return [];
    return [...pending].map(([conclusionId, e]) => ({
      conclusionId,
      action: 'edited',
      by: e.by,
      at: e.at,
      // Deleted meanwhile: the text as these edits left it.
      text: texts.after(conclusionId) || texts.before(conclusionId),
    }));
  }

  /** Forgets every open burst (the hub stops). */
  clear(): void {
    this.#pending.clear();
  }
}
