/** Log lines read `scope | what happened [key:value]`. */
export type Fields = Record<string, unknown>;

function fmt(fields?: Fields): string {
  if (!fields) return '';
  const parts = Object.entries(fields).map(
    ([k, v]) => `${k}:${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return parts.length ? ` [${parts.join(' ')}]` : '';
}

const quiet = process.env.LOG_LEVEL === 'silent';
const debugOn = process.env.LOG_LEVEL === 'debug';

/** A tiny structured logger; `LOG_LEVEL=debug|info|silent`. */
export const log = {
  info(scope: string, msg: string, fields?: Fields): void {
    if (!quiet) console.log(`${scope} | ${msg}${fmt(fields)}`);
  },
  warn(scope: string, msg: string, fields?: Fields): void {
    if (!quiet) console.warn(`${scope} | ${msg}${fmt(fields)}`);
  },
  error(scope: string, msg: string, err?: unknown, fields?: Fields): void {
    console.error(`${scope} | ${msg}${fmt(fields)}`, err ?? '');
  },
  debug(scope: string, msg: string, fields?: Fields): void {
    if (debugOn) console.log(`${scope} | ${msg}${fmt(fields)}`);
  },
};
