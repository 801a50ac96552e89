/** The logging the media layer needs; main.ts may pass the hub's own logger. */
export interface MediaLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Console logger; debug lines only when DEBUG mentions "media". */
export const consoleMediaLogger: MediaLogger = {
  debug: (m) => {
    if (process.env.DEBUG?.includes('media')) console.debug(`[media] ${m}`);
  },
  info: (m) => console.info(`[media] ${m}`),
  warn: (m) => console.warn(`[media] ${m}`),
  error: (m, e) => (e === undefined ? console.error(`[media] ${m}`) : console.error(`[media] ${m}`, e)),
};

/** A logger that prints nothing (tests). */
export const silentMediaLogger: MediaLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Formats an unknown error for a log line. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
