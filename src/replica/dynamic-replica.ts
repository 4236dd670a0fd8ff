// Dynamic replicas: acquired by name, with no API until the source sends its definition. Then
// `propertyNames`, `get`, `set`, `invoke` and the same events as a typed replica.

import type { ApiDescription } from '../api/api-description';
import { NotValidError, UsageError } from '../errors';
import { isChildType } from '../api/wire-type';
import { isModelType } from '../api/model-type';
import { ReplicaHandle, type Listener } from './replica-handle';
import type { CallOptions } from './call-options';
import { makeChildReplica, ReplicaView } from './replica-view';

/** `fn()`, with anything it throws turned into a rejection: these methods never throw. */
function rejectingThrows<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The view behind a dynamic replica: the core's API and values, child objects as dynamic replicas. */
export class DynamicView extends ReplicaView {
  /** Child object properties: the child source name each replica was made for, by index. */
  private childReplicas: Map<number, { readonly raw: unknown; readonly replica: ReplicaHandle | null }> | undefined;

  /** A child object property shows a dynamic replica of the child source (or null). */
  override presentedValue(index: number, raw: unknown): unknown {
    const type = this.core.api?.properties[index]?.type;
    if (!isChildType(type)) return raw;
    const children = (this.childReplicas ??= new Map());
    const current = children.get(index);
    if (current && current.raw === raw) return current.replica;
    if (this.released) return null;
    const replica = makeChildReplica(this.owner, raw, (name) => (isModelType(type) ? this.owner.acquireModel(name) : this.owner.acquireDynamic(name)));
    children.set(index, { raw, replica });
    current?.replica?.release();
    return replica;
  }

  override deliverChange(event: string, value: unknown, index: number): void {
    super.deliverChange(event, this.presentedValue(index, value), index);
  }

  /** Drops this handle, and the replicas of its child objects. */
  override release(): void {
    super.release();
    const children = this.childReplicas;
    this.childReplicas = undefined;
    if (children) for (const c of children.values()) c.replica?.release();
  }

  get classApi(): undefined {
    return undefined;
  }

  override get needsDefinition(): boolean {
    return this.core.api === undefined;
  }

  snapshot(): readonly unknown[] | undefined {
    return this.core.initialized ? this.core.values : undefined;
  }

  /** The source's API, once initialized (undefined before). */
  get api(): ApiDescription | undefined {
    return this.core.initialized ? this.core.api : undefined;
  }

  requireApi(action: string): ApiDescription {
    const api = this.api;
    if (!api) throw new NotValidError(`replica of "${this.name}" has no API before it is initialized: cannot ${action}`);
    return api;
  }

  set(name: string, value: unknown, options: CallOptions | undefined): Promise<void> {
    return rejectingThrows(() => {
      const prop = this.requireApi(`set "${name}"`).propertyByName.get(name);
      if (!prop) throw new UsageError('UNKNOWN_MEMBER', `source "${this.name}" has no property "${name}"`);
      return this.writeProperty(prop, value, options);
    });
  }

  invoke(slot: string, args: unknown[], options: CallOptions | undefined): Promise<unknown> {
    return rejectingThrows(() => {
      const s = this.requireApi(`call "${slot}"`).slotByName.get(slot);
      if (!s) throw new UsageError('UNKNOWN_MEMBER', `source "${this.name}" has no slot "${slot}"`);
      return this.callSlot(s, args, options);
    });
  }

  /** A call-options view: `invoke` and `set` with its options. */
  override boundMember(key: string | symbol, options: CallOptions): ((...args: never[]) => unknown) | undefined {
    if (key === 'invoke') return (slot: string, ...args: unknown[]) => this.invoke(slot, args, options);
    if (key === 'set') return (name: string, value: unknown) => this.set(name, value, options);
    return undefined;
  }
}

/**
 * A replica acquired by name (`node.acquireDynamic(name)`), usable without the API class: its
 * members are reached by name once initialized. It is also an event emitter in the sense of
 * node:events (every method of its interface), so `events.once(dyn, 'alarm')` and
 * `for await (const args of events.on(dyn, 'alarm'))` work. Events carry no special meaning for
 * `'error'`: a source may have a signal of that name.
 */
export class DynamicReplica extends ReplicaHandle {
  readonly #view: DynamicView;
  #maxListeners = 0;

  /** @internal Made by `Node.acquireDynamic`. */
  constructor(view: DynamicView) {
    super(view);
    this.#view = view;
  }

  /** The source's API, once initialized (undefined before). */
  get api(): ApiDescription | undefined {
    return this.#view.api;
  }

  /** Names of the source's properties, in declaration order (empty before initialization). */
  get propertyNames(): string[] {
    return this.#view.api?.properties.map((p) => p.name) ?? [];
  }

  /**
   * The current value of a property (for a child object, a DynamicReplica of it, or null).
   * `get<number>('level')` states the type you expect (unchecked: the source decides).
   */
  get<T = unknown>(name: string): T {
    const view = this.#view;
    const prop = view.requireApi(`get "${name}"`).propertyByName.get(name);
    if (!prop) throw new UsageError('UNKNOWN_MEMBER', `source "${this.name}" has no property "${name}"`);
    return view.presentedValue(prop.index, view.core.values![prop.index]) as T;
  }

  /**
   * Asks the source to set a property. Resolves once the source has applied it (the replica's
   * value follows with the source's change); rejects if it is refused.
   */
  set(name: string, value: unknown): Promise<void> {
    return this.#view.set(name, value, undefined);
  }

  /**
   * Calls a slot by name; resolves with its return value. For a stream slot it returns an
   * AsyncIterableIterator of the items instead (name that type: `dyn.invoke<AsyncIterable<number>>('ticks', 5)`).
   */
  invoke<R = Promise<unknown>>(slot: string, ...args: unknown[]): R {
    return this.#view.invoke(slot, args, undefined) as R;
  }

  // node:events' EventEmitter interface, beyond on/once/off/listenerCount. These are local: none
  // of them reaches the source.

  /** Same as `on`. */
  addListener(event: string, fn: Listener): this {
    return this.on(event, fn);
  }

  /** Same as `off`. */
  removeListener(event: string, fn: Listener): this {
    return this.off(event, fn);
  }

  /** Like `on`, but `fn` runs before the listeners already there. */
  prependListener(event: string, fn: Listener): this {
    this.#view.events.prepend(event, fn);
    return this;
  }

  /** Like `once`, but `fn` runs before the listeners already there. */
  prependOnceListener(event: string, fn: Listener): this {
    this.#view.events.prependOnce(event, fn);
    return this;
  }

  /** Removes this handle's listeners of `event`, or of every event. */
  removeAllListeners(event?: string): this {
    const events = this.#view.events;
    if (event === undefined) events.clear();
    else events.removeListenersOf(event);
    return this;
  }

  /** The listeners of an event, in call order (`once` listeners as given). */
  listeners(event: string): Listener[] {
    return this.#view.events.listenersOf(event, false) as Listener[];
  }

  /** The listeners of an event with `once` listeners' wrappers, as node:events' rawListeners. */
  rawListeners(event: string): Listener[] {
    return this.#view.events.listenersOf(event, true) as Listener[];
  }

  /** The events this handle has listeners for. */
  eventNames(): string[] {
    return this.#view.events.eventNames();
  }

  /**
   * Calls this handle's listeners of `event` with `args`, as if the replica had emitted it
   * (e.g. to drive a listener in a test). Nothing is sent to the source: a signal is emitted by
   * the source, and a property changes by `set`. False if the event has no listener.
   */
  emit(event: string, ...args: unknown[]): boolean {
    return this.#view.events.fire(event, ...args);
  }

  /**
   * Kept for node:events' interface: the number is stored and returned by `getMaxListeners`,
   * but replicas never warn about the number of listeners.
   */
  setMaxListeners(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw new UsageError('TYPE_MISMATCH', `setMaxListeners takes a non-negative integer (got ${String(n)})`);
    this.#maxListeners = n;
    return this;
  }

  /** What setMaxListeners set (0, no limit, until then). */
  getMaxListeners(): number {
    return this.#maxListeners;
  }
}
