// Test helpers: unique addresses, awaiting a condition or a promise with a timeout that fails the
// test, and a logger that records instead of printing. (Events and values: tsro/testing.)

import type { Logger } from '../../src/util/logger';
import { nextEvent, type EventTargetLike, type UntypedTarget } from '../../src/testing';

let counter = 0;

/** A local socket name no other test (or test process) uses. */
export function uniqueLocalUrl(tag = 't'): string {
  return `local:tsro-${tag}-${process.pid}-${++counter}`;
}

export const TCP_ANY = 'tcp://127.0.0.1:0';

export const WS_ANY = 'ws://127.0.0.1:0/tsro';

/** The transports tests run over, each: TCP, local sockets and WebSocket. */
export function transports(): { name: string; url: () => string }[] {
  return [
    { name: 'tcp', url: () => TCP_ANY },
    { name: 'local', url: () => uniqueLocalUrl() },
    { name: 'ws', url: () => WS_ANY },
  ];
}

/**
 * Resolves once `check()` is true, re-checking whenever `source` emits `event` (for conditions on
 * more than one property or on a recorded log; a single property is `waitFor`'s).
 */
export async function until(source: EventTargetLike, event: string, check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for a condition on "${event}"`);
    await nextEvent(source as UntypedTarget, event, { timeout: left });
  }
}

/** Rejects with a clear message if `p` does not settle within `ms`. */
export function within<T>(p: Promise<T>, ms = 2000, what = 'promise'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export interface RecordingLogger extends Logger {
  readonly lines: { level: 'warn' | 'error'; message: string; error?: unknown }[];
  /** Resolves when a line matching `re` is logged (or already was). */
  waitFor(re: RegExp, ms?: number): Promise<{ message: string; error?: unknown }>;
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const waiters: { re: RegExp; resolve: (l: { message: string; error?: unknown }) => void }[] = [];
  const add = (level: 'warn' | 'error', message: string, error?: unknown): void => {
    const line = { level, message, error };
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.re.test(message) || (error instanceof Error && w.re.test(error.message))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  return {
    lines,
    warn: (m, e) => add('warn', m, e),
    error: (m, e) => add('error', m, e),
    waitFor(re, ms = 2000) {
      const found = lines.find((l) => re.test(l.message) || (l.error instanceof Error && re.test(l.error.message)));
      if (found) return Promise.resolve(found);
      return within(new Promise((resolve) => waiters.push({ re, resolve })), ms, `a log line matching ${re}`);
    },
  };
}

/**
 * For a describe block: returns `track`, which registers something to close; after each test
 * everything tracked in it is closed (all at once, awaited).
 */
export function trackClosing(): <T extends { close(): Promise<void> }>(closable: T) => T {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).reverse().map((o) => o.close()));
  });
  return (closable) => {
    open.push(closable);
    return closable;
  };
}
