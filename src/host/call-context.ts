// Who is calling the slot that is running right now, and whether that caller still wants the
// answer. `currentCaller()` (current-caller.ts, kept apart so that the registry's API class stays
// free of Node.js built-ins) is set by the host around the synchronous part of a slot call, so a
// source that must know its caller (the registry, which forgets a host's entries when that
// host's connection drops) can ask, without it being an argument. `currentCall()` is the public
// view: it follows the slot across its awaits (AsyncLocalStorage; host code may use Node's
// built-ins), and its `signal` is aborted when the caller gives up.

import { AsyncLocalStorage } from 'node:async_hooks';

export { currentCaller, swapCaller } from './current-caller';

/** The remote call a slot is serving, as `currentCall()` returns it. */
export interface CallContext {
  /**
   * Aborted when the caller gives up: its timeout passed (`reason` a TimeoutError), it aborted
   * (a CancelledError), it stopped reading a stream, or its connection ended (a
   * DisconnectedError). A slot that honours it frees the host of work nobody waits for.
   */
  readonly signal: AbortSignal;
  /** The name of the source the slot belongs to. */
  readonly source: string;
  /** The slot's name. */
  readonly slot: string;
  /** The calling peer's address (as in the host's log messages). */
  readonly peer: string;
}

/**
 * One call being served. The AbortController is made only if the slot asks for the signal:
 * most calls never do, and making one costs more than the rest of a call's bookkeeping.
 * @internal
 */
export class ServedCall implements CallContext {
  #controller: AbortController | undefined;
  #reason: unknown;
  #cancelled = false;

  constructor(
    readonly source: string,
    readonly slot: string,
    readonly peer: string,
  ) {}

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Aborts the signal (now, or as it is made) with `reason`. Once only. */
  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

// The call served by the synchronous part of a slot, and (once anyone asked for currentCall())
// the async context that carries it across awaits. The context is made on demand because on
// Node 20 an active AsyncLocalStorage puts a hook on every promise of the process (measured: an
// await costs about twice as much): a host whose slots never ask pays nothing.
let served: ServedCall | undefined;
let storage: AsyncLocalStorage<ServedCall> | undefined;

/**
 * The remote call being served, inside a slot (also after its awaits): its `signal` tells the
 * slot when the caller gave up. Undefined outside a slot called from a replica.
 */
export function currentCall(): CallContext | undefined {
  storage ??= new AsyncLocalStorage<ServedCall>();
  return storage.getStore() ?? served;
}

/** Runs `fn` with `call` as what currentCall() returns, in it and in what it awaits. @internal */
export function runServing<T>(call: ServedCall, fn: () => T): T {
  const previous = served;
  served = call;
  try {
    return storage === undefined ? fn() : storage.run(call, fn);
  } finally {
    served = previous;
  }
}
