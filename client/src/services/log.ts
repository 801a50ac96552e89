/** Log lines read `method() | what happened [key:value]`. */
export function log(method: string, what: string, fields: Record<string, unknown> = {}): void {
  console.info(`${method}() | ${what}${formatFields(fields)}`);
}

/** Same as `log`, for failures; the error object is logged in full. */
export function logError(
  method: string,
  what: string,
  error: unknown,
  fields: Record<string, unknown> = {},
): void {
  console.error(`${method}() | ${what}${formatFields(fields)}`, error);
}

function formatFields(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields).map(([k, v]) => `[${k}:${String(v)}]`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}
