// A small event emitter for replicas and nodes. Unlike node:events it gives no special meaning
// to an event named "error" (a source may well have a signal called error), and a listener that
// throws is reported to the logger instead of unwinding into the protocol code that emitted.

import type { Logger } from './logger';

type Listener = (...args: never[]) => unknown;

export class Emitter {
  private readonly listeners = new Map<string, Listener[]>();

  constructor(private readonly emitterLogger: Logger) {}

  on(event: string, fn: Listener): this {
    const list = this.listeners.get(event);
    if (list) list.push(fn);
    else this.listeners.set(event, [fn]);
    return this;
  }

  once(event: string, fn: Listener): this {
    const wrapper = (...args: never[]): unknown => {
      this.off(event, wrapper);
      return fn(...args);
    };
    (wrapper as { listener?: Listener }).listener = fn;
    return this.on(event, wrapper);
  }

  off(event: string, fn: Listener): this {
    const list = this.listeners.get(event);
    if (!list) return this;
    const i = list.findIndex((l) => l === fn || (l as { listener?: Listener }).listener === fn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.listeners.delete(event);
    return this;
  }

  /** Number of listeners of an event. */
  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  protected emit(event: string, ...args: unknown[]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    if (list.length === 1) {
      this.invokeListener(list[0]!, event, args);
      return;
    }
    // A copy: listeners added or removed by a listener take effect from the next emit.
    const snapshot = list.slice();
    for (let i = 0; i < snapshot.length; i++) this.invokeListener(snapshot[i]!, event, args);
  }

  private invokeListener(fn: Listener, event: string, args: unknown[]): void {
    try {
      (fn as (...a: unknown[]) => unknown).apply(undefined, args);
    } catch (err) {
      this.emitterLogger.error(`a listener of "${event}" threw`, err);
    }
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}

/** An emitter whose owner emits from outside (composition instead of inheritance). */
export class EventHub extends Emitter {
  fire(event: string, ...args: unknown[]): void {
    this.emit(event, ...args);
  }

  clear(): void {
    this.removeAllListeners();
  }
}
