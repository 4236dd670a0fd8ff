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

  /** Like `on`, but the listener runs before those already there. */
  prepend(event: string, fn: Listener): this {
    const list = this.listeners.get(event);
    if (list) list.unshift(fn);
    else this.listeners.set(event, [fn]);
    return this;
  }

  once(event: string, fn: Listener): this {
    return this.on(event, this.onceWrapper(event, fn));
  }

  /** Like `once`, but the listener runs before those already there. */
  prependOnce(event: string, fn: Listener): this {
    return this.prepend(event, this.onceWrapper(event, fn));
  }

  private onceWrapper(event: string, fn: Listener): Listener {
    const wrapper = (...args: never[]): unknown => {
      this.off(event, wrapper);
      return fn(...args);
    };
    (wrapper as { listener?: Listener }).listener = fn;
    return wrapper;
  }

  /** The listeners of an event, in call order: as given (`raw` false) or with `once` wrappers (`raw` true). */
  listenersOf(event: string, raw: boolean): Listener[] {
    const list = this.listeners.get(event) ?? [];
    return raw ? list.slice() : list.map((l) => (l as { listener?: Listener }).listener ?? l);
  }

  /** The events that have listeners. */
  eventNames(): string[] {
    return [...this.listeners.keys()];
  }

  /** Removes the listeners of one event. */
  removeListenersOf(event: string): void {
    this.listeners.delete(event);
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

  /** Calls the listeners of `event`; false if it had none. */
  protected emit(event: string, ...args: unknown[]): boolean {
    return this.emitArgs(event, args);
  }

  /** emit() with the arguments as an array (the caller's: not kept, not changed). */
  protected emitArgs(event: string, args: readonly unknown[]): boolean {
    const list = this.listeners.get(event);
    if (list === undefined) return false;
    if (list.length === 1) {
      this.invokeListener(list[0]!, event, args);
      return true;
    }
    // A copy: listeners added or removed by a listener take effect from the next emit.
    const snapshot = list.slice();
    for (let i = 0; i < snapshot.length; i++) this.invokeListener(snapshot[i]!, event, args);
    return true;
  }

  /** emit() of one argument (a property change, every update): no array for one listener. */
  protected emitOne(event: string, value: unknown): boolean {
    const list = this.listeners.get(event);
    if (list === undefined) return false;
    if (list.length !== 1) return this.emitArgs(event, [value]);
    try {
      (list[0] as (a: unknown) => unknown)(value);
    } catch (err) {
      this.emitterLogger.error(`a listener of "${event}" threw`, err);
    }
    return true;
  }

  private invokeListener(fn: Listener, event: string, args: readonly unknown[]): void {
    try {
      (fn as (...a: readonly unknown[]) => unknown).apply(undefined, args as unknown[]);
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
  /** Calls the listeners of `event`; false if it had none. */
  fire(event: string, ...args: unknown[]): boolean {
    return this.emitArgs(event, args);
  }

  /** fire() of one argument, without an arguments array (the per-update path). */
  fireOne(event: string, value: unknown): boolean {
    return this.emitOne(event, value);
  }

  /** fire() with the arguments in an array (received signal arguments), not copied. */
  fireArgs(event: string, args: readonly unknown[]): boolean {
    return this.emitArgs(event, args);
  }

  clear(): void {
    this.removeAllListeners();
  }
}
