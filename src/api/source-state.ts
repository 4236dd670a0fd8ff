// Per-instance state of a decorated object: the values behind its @Property accessors and the
// observers (host-side source bindings) that want to hear about property changes and signals.
// An object can be remoted by several hosts at once, hence a list of observers.

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

type WithState = { [STATE]?: SourceState };

/** The state of `obj`, created on first use. */
export function sourceState(obj: object): SourceState {
  const holder = obj as WithState;
  let state = holder[STATE];
  if (!state) {
    state = { values: Object.create(null) as Record<string, unknown>, observers: [], remoted: false };
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
