/**
 * Log lines read `scope | what happened [key:value]`; with `LOG_FORMAT=json`, one JSON object per
 * line instead (`{"time","level","scope","msg",...fields}`) for a log collector.
 */
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
const json = process.env.LOG_FORMAT === 'json';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** One JSON log line; an error becomes its name, message and stack. */
export function jsonLine(level: Level, scope: string, msg: string, fields?: Fields, err?: unknown): string {
  const error =
    err instanceof Error
      ? { error: { name: err.name, message: err.message, stack: err.stack } }
      : err !== undefined
        ? { error: String(err) }
        : {};
  return JSON.stringify({ time: new Date().toISOString(), level, scope, msg, ...fields, ...error });
}

/** A tiny structured logger; `LOG_LEVEL=debug|info|silent`, `LOG_FORMAT=text|json`. */
export const log = {
  info(scope: string, msg: string, fields?: Fields): void {
    if (quiet) return;
    console.log(json ? jsonLine('info', scope, msg, fields) : `${scope} | ${msg}${fmt(fields)}`);
  },
  warn(scope: string, msg: string, fields?: Fields): void {
    if (quiet) return;
    console.warn(json ? jsonLine('warn', scope, msg, fields) : `${scope} | ${msg}${fmt(fields)}`);
  },
  error(scope: string, msg: string, err?: unknown, fields?: Fields): void {
    if (json) console.error(jsonLine('error', scope, msg, fields, err));
    else console.error(`${scope} | ${msg}${fmt(fields)}`, err ?? '');
  },
  debug(scope: string, msg: string, fields?: Fields): void {
    if (!debugOn) return;
    console.log(json ? jsonLine('debug', scope, msg, fields) : `${scope} | ${msg}${fmt(fields)}`);
  },
};
