#!/usr/bin/env node
// Sums the suites infra/test.sh ran into one last line, exactly `N passed, N failed`, and exits
// non-zero when anything failed. Input: <dir>/suites.tsv (name, kind, exit code, seconds) and,
// for vitest and jest suites, <dir>/<name>.json (both write jest's JSON result format).
// A check suite (build, typecheck, lint) counts as 1 test. A test suite whose runner failed
// without a failed test (crash, unhandled error, missing report) counts one extra failure.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'test-results';
const lines = readFileSync(join(dir, 'suites.tsv'), 'utf8').split('\n').filter(Boolean);

let passed = 0;
let failed = 0;
const rows = [];
for (const line of lines) {
  const [name, kind, exitText, seconds] = line.split('\t');
  const exit = Number(exitText);
  let p = 0;
  let f = 0;
  let skipped = 0;
  let note = '';
  if (kind === 'check') {
    if (exit === 0) p = 1;
    else f = 1;
  } else {
    const report = join(dir, `${name}.json`);
    if (existsSync(report)) {
      const json = JSON.parse(readFileSync(report, 'utf8'));
      p = json.numPassedTests ?? 0;
      f = json.numFailedTests ?? 0;
      skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
      // Failed files that never ran a test (import errors) are not in numFailedTests.
      const brokenFiles = (json.testResults ?? []).filter(
        (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
      ).length;
      if (brokenFiles > 0) {
        f += brokenFiles;
        note = `${brokenFiles} file(s) failed to run`;
      }
    } else {
      note = 'no report';
    }
    if (exit !== 0 && f === 0) {
      f = 1;
      note ||= `runner exited ${exit}`;
    }
  }
  passed += p;
  failed += f;
  rows.push({ name, p, f, skipped, seconds, note });
}

const width = Math.max(...rows.map((r) => r.name.length), 5);
for (const r of rows) {
  const skippedText = r.skipped ? `, ${r.skipped} skipped` : '';
  const noteText = r.note ? `  (${r.note})` : '';
  console.log(
    `summary | ${r.name.padEnd(width)}  ${r.p} passed, ${r.f} failed${skippedText}  [${r.seconds}s]${noteText}`,
  );
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
