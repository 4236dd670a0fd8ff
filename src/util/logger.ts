// Where tsro reports what it cannot throw to a caller: a connection closed for garbage, a slot
// call refused on the host, a listener that threw. Nodes take a `logger` option.

/** Where a node reports what it cannot throw to a caller (option `logger`). */
export interface Logger {
  /** Something went wrong that tsro handled (a refused set, a typo in a source name...). */
  warn(message: string, error?: unknown): void;
  /** Something failed for good (a connection closed for garbage, a listener that threw...). */
  error(message: string, error?: unknown): void;
}

/** Writes to stderr with a `[tsro]` prefix. */
export const consoleLogger: Logger = {
  warn: (message, error) => console.warn(`[tsro] ${message}`, ...(error === undefined ? [] : [String(error)])),
  error: (message, error) => console.error(`[tsro] ${message}`, ...(error === undefined ? [] : [String(error)])),
};

/** Drops everything. */
export const silentLogger: Logger = { warn: () => {}, error: () => {} };
