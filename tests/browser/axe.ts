/**
 * Accessibility audit of a page with axe-core (from npm, injected from node_modules — no CDN):
 * runs the WCAG 2.x A/AA rules and best practices on what the page shows now, and sorts the
 * violations into the ones a test fails on (serious, critical) and the ones it only prints.
 */
import { createRequire } from 'node:module';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** One violated rule, with where it failed (CSS selectors) and axe's summary of why. */
export interface Violation {
  rule: string;
  impact: string;
  help: string;
  nodes: { target: string; why: string }[];
}

/** What the audit of one view found. */
export interface Audit {
  view: string;
  /** Serious and critical violations: the suite allows none. */
  blocking: Violation[];
  /** Minor and moderate ones: printed, not failed. */
  advisory: Violation[];
}

const toViolation = (r: Result): Violation => ({
  rule: r.id,
  impact: r.impact ?? 'unknown',
  help: r.help,
  nodes: r.nodes.map((n) => ({
    target: n.target.join(' '),
    why: n.failureSummary?.replace(/\s+/g, ' ').trim() ?? '',
  })),
});

/** Injects axe-core into the page (once per document) and audits it; `view` names it in reports. */
export async function audit(page: Page, view: string): Promise<Audit> {
  const present = await page.evaluate(() => 'axe' in globalThis);
  if (!present) await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResults> } }).axe.run(
      document,
      { resultTypes: ['violations'] },
    ),
  );
  const violations = results.violations.map(toViolation);
  const isBlocking = (v: Violation) => v.impact === 'serious' || v.impact === 'critical';
  return {
    view,
    blocking: violations.filter(isBlocking),
    advisory: violations.filter((v) => !isBlocking(v)),
  };
}

/** One line per violated rule and a line per failing element, for a test's output. */
export function describeAudit(a: Audit, which: 'blocking' | 'advisory'): string {
  return a[which]
    .map(
      (v) =>
        `${a.view}: [${v.impact}] ${v.rule} — ${v.help}\n${v.nodes.map((n) => `    ${n.target}: ${n.why}`).join('\n')}`,
    )
    .join('\n');
}
