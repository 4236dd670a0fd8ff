// Shared plumbing of the benchmark: addresses, timeouts, memory readings.

import * as os from 'node:os';
import * as path from 'node:path';

export type TransportName = 'tcp' | 'local';

let counter = 0;

/** A listen URL for tsro: an ephemeral TCP port, or a `local:` name unique to this process. */
export function listenUrl(transport: TransportName, tag = 'b'): string {
  if (transport === 'tcp') return 'tcp://127.0.0.1:0';
  return `local:tsro-bench-${tag}-${process.pid}-${++counter}`;
}

/** What a `net` server or client takes for a tsro-style URL (no validation beyond the bench's own). */
export type NetAddress = { host: string; port: number } | { path: string };

export function netAddress(url: string): NetAddress {
  if (url.startsWith('tcp://')) {
    const rest = url.slice('tcp://'.length).replace(/\/$/, '');
    const colon = rest.lastIndexOf(':');
    return { host: rest.slice(0, colon), port: Number(rest.slice(colon + 1)) };
  }
  if (url.startsWith('local:')) {
    const name = url.slice('local:'.length);
    return { path: name.startsWith('/') ? name : path.join(os.tmpdir(), name) };
  }
  throw new Error(`bench: unsupported url ${url}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One event-loop turn (after I/O). */
export function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Rejects with a clear message if `p` does not settle within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface MemoryReading {
  /** heapUsed + external, bytes. */
  bytes: number;
  heapUsed: number;
  external: number;
  rss: number;
  gc: boolean;
}

/**
 * Memory after garbage collection (if --expose-gc). Sockets closed just before free their
 * buffers only once their handles are gone, so it collects and waits until two readings 20 ms
 * apart agree within 32 KiB (at most ~2 s).
 */
export async function measureMemory(): Promise<MemoryReading> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const read = (): NodeJS.MemoryUsage => {
    gc?.();
    return process.memoryUsage();
  };
  let m = read();
  for (let i = 0; i < 100; i++) {
    await sleep(20);
    const next = read();
    const stable = Math.abs(next.heapUsed + next.external - (m.heapUsed + m.external)) < 32 * 1024;
    m = next;
    if (stable && i >= 2) break;
  }
  return { bytes: m.heapUsed + m.external, heapUsed: m.heapUsed, external: m.external, rss: m.rss, gc: gc !== undefined };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
