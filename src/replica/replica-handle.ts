// What every replica handle has, typed or dynamic: its name, state, events, waitForSource and
// release. Nothing else: everything else lives in the handle's ReplicaView, behind a #private
// field, so a remote member of any other name is free to use on a typed replica.

import type { ReplicaState } from './replica-state';
import type { SignatureMismatch } from '../api/api-diff';
import { checkCallOptions, type CallOptions, type WaitOptions } from './call-options';
import { DEFAULT_WAIT_MS, type ReplicaView } from './replica-view';

/**
 * Any listener: the method-signature form makes its parameters compare bivariantly, so a
 * listener written for the event's own arguments (`(level: number, text: string) => ...`) fits,
 * and unannotated parameters are `unknown`. (Typed replicas' `on` is typed per event.)
 */
export type Listener = { listener(...args: unknown[]): unknown }['listener'];

/**
 * The view behind a handle, for the replica layer's own code (not a member of the handle). A
 * binding set once by ReplicaHandle's static block, called directly: typed replicas' property
 * getters go through it on every read.
 */
export let replicaViewOf: (handle: ReplicaHandle) => ReplicaView;

/** A Proxy of `handle` whose calls and sets carry `options` (see withCallOptions). */
function callOptionsView<H extends ReplicaHandle>(handle: H, view: ReplicaView, options: CallOptions): H {
  return new Proxy(handle, {
    get(target, key) {
      if (key === 'withCallOptions') {
        return (more: CallOptions) => callOptionsView(handle, view, { ...options, ...checkCallOptions(more) });
      }
      const own = view.boundMember(key, options);
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(target, key, value) {
      if (view.boundAssign(key, value, options)) return true;
      return Reflect.set(target, key, value, target);
    },
  });
}

export abstract class ReplicaHandle {
  readonly #view: ReplicaView;

  static {
    replicaViewOf = (handle) => handle.#view;
  }

  /** @internal Handles are made by `Node.acquire` and `Node.acquireDynamic`. */
  constructor(view: ReplicaView) {
    this.#view = view;
  }

  /** The source name this replica follows. */
  get name(): string {
    return this.#view.name;
  }

  /** Where the replica stands: see ReplicaState. */
  get state(): ReplicaState {
    return this.#view.state;
  }

  /**
   * Why the state is `signatureMismatch`: what differs between this replica's class and the
   * source's API (members added, removed, changed, moved). Set once the node has the source's
   * API, which may take a round trip to the host: `waitForSource` resolves (false) only after it
   * is set, and the `signatureMismatch` event carries it. Undefined in any other state, and on
   * dynamic replicas (they take any API).
   */
  get signatureMismatch(): SignatureMismatch | undefined {
    return this.#view.mismatch;
  }

  /** True when `state` is `'valid'`. */
  isReplicaValid(): boolean {
    return this.#view.state === 'valid';
  }

  /**
   * Resolves true once the replica is valid, false if the timeout passes first (`ms`, or
   * `{ timeout }`; default 30 s; Infinity or a negative number, as QtRO's -1: none), the class's
   * signature does not match the source's, the handle is released or its node closed. Rejects
   * with CANCELLED if `{ signal }` aborts first.
   */
  waitForSource(wait: number | WaitOptions = DEFAULT_WAIT_MS): Promise<boolean> {
    return this.#view.waitForSource(wait);
  }

  /**
   * This replica with call bounds: slot calls and property sets made through the returned view
   * reject with TIMEOUT past `timeout` ms (overriding the node's `callTimeout`; 0 or Infinity:
   * none) and with CANCELLED when `signal` aborts; either way the host is told, and the slot's
   * `currentCall().signal` aborts. Everything else (state, values, events, release) is this
   * replica's own. Views are cheap: make one per call if the bounds differ.
   */
  withCallOptions(options: CallOptions): this {
    return callOptionsView(this, this.#view, checkCallOptions(options));
  }

  /** Drops this handle. The node forgets the source when its last handle is released. */
  release(): void {
    this.#view.release();
  }

  /** Same as `release()`, for `using`. */
  [Symbol.dispose](): void {
    this.#view.release();
  }

  /** Listens to an event: a signal, `<prop>Changed`, `initialized`, `stateChanged`... */
  on(event: string, fn: Listener): this {
    this.#view.events.on(event, fn);
    return this;
  }

  /** Listens to the next occurrence of an event only. */
  once(event: string, fn: Listener): this {
    this.#view.events.once(event, fn);
    return this;
  }

  /** Stops listening (`fn` as given to `on` or `once`). */
  off(event: string, fn: Listener): this {
    this.#view.events.off(event, fn);
    return this;
  }

  /** Number of listeners of an event. */
  listenerCount(event: string): number {
    return this.#view.events.listenerCount(event);
  }
}
