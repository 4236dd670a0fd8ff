// How a failure message shows what a test was watching: a replica with its name, state and
// property values; anything else (a Node, an EventEmitter, a source object) by its class name.
// Values are shown the way node:util.inspect shows them, kept to one short line each.

import { inspect } from 'node:util';

/**
 * What the kit's helpers listen to: a replica, a Node, or any emitter with on/off, whatever its
 * own event typing (the parameters are `never` so that every such signature fits).
 */
export interface EventTargetLike {
  /** Adds a listener. */
  on(event: never, listener: never): unknown;
  /** Removes a listener. */
  off(event: never, listener: never): unknown;
}

/**
 * An emitter the kit cannot type the events of: a dynamic replica, a Node, any emitter, but not
 * a typed replica (its events are known, so a misspelt name is a compile error, not a timeout).
 */
export type UntypedTarget = EventTargetLike & {
  /** Absent: what tells an untyped target from a typed replica. */
  readonly isReplicaValid?: undefined;
};

type Listener = (...args: never[]) => void;

/** Adds `listener` for `event`; returns the function that removes it. */
export function listen(target: EventTargetLike, event: string, listener: Listener): () => void {
  const t = target as unknown as { on(e: string, l: Listener): unknown; off(e: string, l: Listener): unknown };
  t.on(event, listener);
  return () => void t.off(event, listener);
}

interface ReplicaLike {
  readonly name: string;
  readonly state: string;
}

interface DynamicLike extends ReplicaLike {
  readonly propertyNames: readonly string[];
  get(name: string): unknown;
}

export function isReplicaLike(target: unknown): target is ReplicaLike {
  const t = target as Partial<ReplicaLike> | null;
  return typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.state === 'string' && typeof (t as { isReplicaValid?: unknown }).isReplicaValid === 'function';
}

function isDynamicLike(target: ReplicaLike): target is DynamicLike {
  const t = target as Partial<DynamicLike>;
  return Array.isArray(t.propertyNames) && typeof t.get === 'function';
}

/** One value, on one line, short. */
export function show(value: unknown): string {
  return inspect(value, { depth: 3, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 80 });
}

/** `replica "Printer"`, or the class name of another emitter. */
export function nameOf(target: unknown): string {
  if (isReplicaLike(target)) return `replica "${target.name}"`;
  const ctor = (target as { constructor?: { name?: string } } | null)?.constructor?.name;
  return ctor ? `the ${ctor}` : 'the emitter';
}

/**
 * The replica's state and values, for the end of a failure message: `state valid, values
 * { inkLevel: 3, busy: false }`. Typed replicas show the state and `extra` properties only (the
 * watched one): their property names are not listed at run time.
 */
export function stateOf(target: unknown, extra: readonly string[] = []): string {
  if (!isReplicaLike(target)) return '';
  const parts = [`state ${target.state}`];
  const names = isDynamicLike(target) ? target.propertyNames : extra;
  if (names.length > 0 && target.state !== 'uninitialized') {
    const values: string[] = [];
    for (const name of names) values.push(`${name}: ${show(readProperty(target, name))}`);
    parts.push(`values { ${values.join(', ')} }`);
  }
  return parts.join(', ');
}

/** A property's value as the replica shows it now; an error reading it is shown, not thrown. */
export function readProperty(target: object, name: string): unknown {
  try {
    return isDynamicLike(target as ReplicaLike) ? (target as DynamicLike).get(name) : (target as Record<string, unknown>)[name];
  } catch (err) {
    return `<${err instanceof Error ? err.message : String(err)}>`;
  }
}
