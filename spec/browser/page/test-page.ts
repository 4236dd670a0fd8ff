// The page the browser tests drive (bundled with esbuild from the compiled tsro/browser entry and
// loaded into Chromium): a Node of tsro/browser, the test's Printer API as a typed class, and
// `window.tsroPage`, the handful of operations the tests call through page.evaluate. Everything
// it reports is plain data, so that it crosses into the test process as is.

import 'reflect-metadata';
import { Node, TsroError, type DynamicReplica, type Replica } from 'tsro/browser';
import { PageCounter, PagePrinter } from './page-api';

interface ErrorInfo {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
}

function info(err: unknown): ErrorInfo {
  return {
    name: err instanceof Error ? err.constructor.name : typeof err,
    code: err instanceof TsroError ? err.code : undefined,
    message: err instanceof Error ? err.message : String(err),
  };
}

const logger = { warn: (m: string, e?: unknown) => page.log.push(`warn: ${m}${e ? `: ${info(e).message}` : ''}`), error: (m: string, e?: unknown) => page.log.push(`error: ${m}${e ? `: ${info(e).message}` : ''}`) };

let node: Node | undefined;
let typed: Replica<PagePrinter> | undefined;
let dynamic: DynamicReplica | undefined;

const page = {
  log: [] as string[],
  states: [] as string[],
  signals: [] as unknown[][],
  inkChanges: [] as number[],

  async connect(url: string): Promise<ErrorInfo | null> {
    node ??= new Node({ logger, reconnect: { initialDelay: 50, maxDelay: 200 } });
    try {
      await node.connectToNode(url);
      return null;
    } catch (err) {
      return info(err);
    }
  },

  async acquire(): Promise<{ typed: string; dynamic: string; typedInk: number; dynamicNames: string[] }> {
    if (!node) throw new Error('connect first');
    typed = node.acquire(PagePrinter);
    dynamic = node.acquireDynamic('Printer');
    typed.on('stateChanged', (state: string) => page.states.push(state));
    typed.on('jammed', (p: number, reason: string) => page.signals.push(['typed', p, reason]));
    dynamic.on('jammed', (...args: unknown[]) => page.signals.push(['dynamic', ...args]));
    typed.on('inkLevelChanged', (v: number) => page.inkChanges.push(v));
    const [t, d] = await Promise.all([typed.waitForSource(5000), dynamic.waitForSource(5000)]);
    return { typed: String(t && typed.state), dynamic: String(d && dynamic.state), typedInk: typed.inkLevel, dynamicNames: dynamic.propertyNames };
  },

  read(): { typedInk: number; dynamicInk: unknown; queue: string[]; state: string } {
    return { typedInk: typed!.inkLevel, dynamicInk: dynamic!.get('inkLevel'), queue: typed!.queue, state: typed!.state };
  },

  /** Sets through the typed replica, then through the dynamic one; resolves with what each saw come back. */
  async set(typedValue: number, dynamicValue: number): Promise<number[]> {
    const seen: number[] = [];
    const back = (want: number) =>
      new Promise<void>((resolve) => {
        const fn = (v: number): void => {
          seen.push(v);
          if (v === want) {
            typed!.off('inkLevelChanged', fn);
            resolve();
          }
        };
        typed!.on('inkLevelChanged', fn);
      });
    const first = back(typedValue);
    typed!.inkLevel = typedValue;
    await first;
    const second = back(dynamicValue);
    await dynamic!.set('inkLevel', dynamicValue);
    await second;
    return seen;
  },

  async call(): Promise<{ add: number; print: number; dynamicAdd: unknown; failed: ErrorInfo | null }> {
    const add = await typed!.add(2, 40);
    const print = await typed!.print('hello from the page');
    const dynamicAdd = await dynamic!.invoke('add', 1, 1);
    let failed: ErrorInfo | null = null;
    try {
      await typed!.fail('on purpose');
    } catch (err) {
      failed = { ...info(err), name: (err as { remoteName?: string }).remoteName ?? '' };
    }
    return { add, print, dynamicAdd, failed };
  },

  /** Resolves once the typed replica's state has been `state` (now or later). */
  async waitForState(state: string, ms = 10_000): Promise<string[]> {
    const start = Date.now();
    while (typed!.state !== state) {
      if (Date.now() - start > ms) throw new Error(`state stayed ${typed!.state}, not ${state}; seen ${page.states.join(', ')}`);
      await new Promise<void>((resolve) => typed!.once('stateChanged', () => resolve()));
    }
    return page.states;
  },

  /**
   * Follows the Counter source until it reaches `last`, checking that every change is the
   * previous value + 1; resolves with the count, the rate and any disorder seen.
   */
  async followCounter(last: number): Promise<{ changes: number; outOfOrder: number; ms: number; perSecond: number; final: number }> {
    const counter = node!.acquire(PageCounter);
    if (!(await counter.waitForSource(5000))) throw new Error('Counter did not show up');
    let expected = counter.value + 1;
    let changes = 0;
    let outOfOrder = 0;
    let first = 0;
    return new Promise((resolve) => {
      counter.on('valueChanged', (v: number) => {
        if (changes === 0) first = performance.now();
        changes++;
        if (v !== expected) outOfOrder++;
        expected = v + 1;
        if (v === last) {
          const ms = performance.now() - first;
          resolve({ changes, outOfOrder, ms, perSecond: Math.round(changes / (ms / 1000)), final: counter.value });
        }
      });
      (globalThis as unknown as { counterReady?: boolean }).counterReady = true;
    });
  },

  async close(): Promise<void> {
    await node?.close();
    node = undefined;
  },

  /** A second, independent node: the error (or null) a page gets when it connects to `url`. */
  async probe(url: string, maxFrameSize?: number): Promise<ErrorInfo | null> {
    const other = new Node({ logger, reconnect: false, connectTimeout: 3000, maxFrameSize });
    try {
      await other.connectToNode(url);
      return null;
    } catch (err) {
      return info(err);
    } finally {
      await other.close();
    }
  },
};

(globalThis as unknown as { tsroPage: typeof page }).tsroPage = page;
