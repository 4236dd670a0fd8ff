// Per-instance state of a decorated object: the values behind its @Property accessors and the
// observers (host-side source bindings) that want to hear about property changes and signals.
// An object can be remoted by several hosts at once, hence a list of observers.

import { UsageError } from '../errors';

/**
 * Notified synchronously when a decorated object changes a property (before the value is
 * stored; throwing refuses the change) or emits a signal.
 */
export interface SourceObserver {
  propertyChanged(name: string, value: unknown): void;
  signalEmitted(name: string, args: readonly unknown[]): void;
}

interface SourceState {
  readonly values: Record<string, unknown>;
  observers: SourceObserver[];
  /** Set once the object is first remoted (and never cleared): `constant` properties freeze. */
  remoted: boolean;
}

const STATE = Symbol('tsro.sourceState');

// The values object: no prototype chain to speak of (a property named `__proto__`, `constructor`
// or `toString` is an ordinary own property, and `in` sees only own ones), yet, unlike
// Object.create(null), made by a constructor, so V8 gives it fast properties that follow its
// class's hidden-class transitions: reading and writing a property is an inline-cached load or
// store rather than a hash lookup (~13 -> ~2 ns per read on Node.js 20).
const NO_PROTOTYPE: object = Object.freeze(Object.create(null) as object);
const Values = function Values(this: Record<string, unknown>) {} as unknown as new () => Record<string, unknown>;
Values.prototype = NO_PROTOTYPE;

type WithState = { [STATE]?: SourceState };

/** The state of `obj`, created on first use. */
export function sourceState(obj: object): SourceState {
  const holder = obj as WithState;
  let state = holder[STATE];
  if (!state) {
    state = { values: new Values(), observers: [], remoted: false };
    Object.defineProperty(obj, STATE, { value: state, enumerable: false, writable: false, configurable: false });
  }
  return state;
}

export function addSourceObserver(obj: object, observer: SourceObserver): void {
  const state = sourceState(obj);
  state.observers.push(observer);
  state.remoted = true;
}

export function removeSourceObserver(obj: object, observer: SourceObserver): void {
  const state = (obj as WithState)[STATE];
  if (state) state.observers = state.observers.filter((o) => o !== observer);
}

/** The current value of a decorated property, read without going through the accessor. */
export function readSourceValue(obj: object, name: string): unknown {
  return (obj as WithState)[STATE]?.values[name];
}

/**
 * What a @Property declared beyond its accessor: the class's own getter and setter (a property
 * declared on a get/set pair), a source-side check of replicas' sets, and `publish`, which reads
 * an accessor property's getter and replicates the value if it changed.
 */
export interface PropertyHooks {
  readonly getter?: (this: object) => unknown;
  readonly validate?: (this: object, value: never) => void;
  readonly publish?: (obj: object) => void;
}

const HOOKS = new WeakMap<object, Map<string, PropertyHooks>>();

export function setPropertyHooks(prototype: object, name: string, hooks: PropertyHooks): void {
  let own = HOOKS.get(prototype);
  if (!own) HOOKS.set(prototype, (own = new Map()));
  own.set(name, hooks);
}

/** The hooks of `obj`'s property `name`, from the nearest class in its chain that declared it. */
export function propertyHooksOf(obj: object, name: string): PropertyHooks | undefined {
  for (let p: object | null = Object.getPrototypeOf(obj); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const hooks = HOOKS.get(p)?.get(name);
    if (hooks) return hooks;
  }
  return undefined;
}

/**
 * A property's value as the object holds it right now, whatever the class-field semantics it was
 * compiled with: an own data property (a field initializer under `useDefineForClassFields: true`,
 * which shadows the prototype's accessor), the class's own getter, or the stored value.
 */
export function currentSourceValue(obj: object, name: string): unknown {
  const own = Object.getOwnPropertyDescriptor(obj, name);
  if (own && 'value' in own) return own.value;
  const getter = propertyHooksOf(obj, name)?.getter;
  return getter ? getter.call(obj) : readSourceValue(obj, name);
}

/**
 * Makes the decorated properties of `obj` go through their replicating accessors. Compiled with
 * `useDefineForClassFields: true` (TypeScript's default for ES2022+ targets), a field
 * initializer defines an own data property on the instance that hides the prototype's accessor:
 * every such property is removed and its value assigned through the accessor (so it is checked
 * and stored like any set). Accessor-declared properties read their getter once. Idempotent.
 */
export function adoptProperties(obj: object, names: readonly string[]): void {
  for (const name of names) {
    const own = Object.getOwnPropertyDescriptor(obj, name);
    if (own && 'value' in own) {
      if (!own.configurable || !Reflect.deleteProperty(obj, name)) {
        throw new UsageError('DECLARATION_INVALID', `property "${name}" of ${obj.constructor?.name ?? 'the object'} is a non-configurable own property (frozen or sealed object?): it cannot be replicated`);
      }
      if (own.value !== undefined) (obj as Record<string, unknown>)[name] = own.value;
      continue;
    }
    const hooks = propertyHooksOf(obj, name);
    if (hooks?.publish) hooks.publish(obj);
  }
}

/** Same value for change detection: Object.is, and Dates by their time. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
}

/** Local listeners: objects that are event emitters hear their own changes and signals too. */
export function emitLocally(obj: object, event: string, args: readonly unknown[]): void {
  const emit = (obj as { emit?: unknown }).emit;
  if (typeof emit === 'function') emit.call(obj, event, ...args);
}

/** emitLocally of a `<name>Changed` event: no arguments array unless the object emits. */
export function emitChangeLocally(obj: object, event: string, value: unknown): void {
  const emit = (obj as { emit?: unknown }).emit;
  if (typeof emit === 'function') emit.call(obj, event, value);
}
