/** Progress lines on stderr in the house format `method() | what happened [key:value]`; stdout stays for the table. */
export function log(method: string, what: string, fields: Record<string, unknown> = {}): void {
  const kv = Object.entries(fields)
    .map(([k, v]) => `${k}:${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : String(v)}`)
    .join(' ');
  process.stderr.write(`${method}() | ${what}${kv ? ` [${kv}]` : ''}\n`);
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `predicate` holds (polled every `stepMs`), or returns false after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Message of an unknown thrown value. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
