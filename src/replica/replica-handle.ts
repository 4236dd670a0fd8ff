// What every replica handle has, typed or dynamic: its name, state, events, waitForSource and
// release. Nothing else: everything else lives in the handle's ReplicaView, behind a #private
// field, so a remote member of any other name is free to use on a typed replica.

import type { ReplicaState } from './replica-state';
import { DEFAULT_WAIT_MS, type ReplicaView } from './replica-view';

type Listener = (...args: never[]) => unknown;

let viewOf: (handle: ReplicaHandle) => ReplicaView;

/** The view behind a handle, for the replica layer's own code (not a member of the handle). */
export function replicaViewOf(handle: ReplicaHandle): ReplicaView {
  return viewOf(handle);
}

export abstract class ReplicaHandle {
  readonly #view: ReplicaView;

  static {
    viewOf = (handle) => handle.#view;
  }

  /** @internal Handles are made by `Node.acquire` and `Node.acquireDynamic`. */
  constructor(view: ReplicaView) {
    this.#view = view;
  }

  /** The source name this replica follows. */
  get name(): string {
    return this.#view.name;
  }

  get state(): ReplicaState {
    return this.#view.state;
  }

  isReplicaValid(): boolean {
    return this.#view.state === 'valid';
  }

  /**
   * Resolves true once the replica is valid, false if `ms` pass first, the class's signature
   * does not match the source's, or the handle is released.
   */
  waitForSource(ms: number = DEFAULT_WAIT_MS): Promise<boolean> {
    return this.#view.waitForSource(ms);
  }

  /** Drops this handle. The node forgets the source when its last handle is released. */
  release(): void {
    this.#view.release();
  }

  [Symbol.dispose](): void {
    this.#view.release();
  }

  on(event: string, fn: Listener): this {
    this.#view.events.on(event, fn);
    return this;
  }

  once(event: string, fn: Listener): this {
    this.#view.events.once(event, fn);
    return this;
  }

  off(event: string, fn: Listener): this {
    this.#view.events.off(event, fn);
    return this;
  }

  /** Number of listeners of an event. */
  listenerCount(event: string): number {
    return this.#view.events.listenerCount(event);
  }
}
