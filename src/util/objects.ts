// Small object helpers every layer needs, kept once because some of them carry safety rules:
// keys such as `__proto__` become own data (never a prototype change), copies stop at a fixed
// depth (never a stack overflow on a cyclic or hostile value), and a prototype chain is walked
// the same way everywhere. Also the argument-count check that replicas and hosts both make.

import { UsageError } from '../errors';
import { platform } from './platform';

/**
 * Sets an own, enumerable, writable data property, also for keys such as `__proto__`,
 * `constructor` or `toString`: an assignment would change the prototype or be shadowed by it.
 */
export function defineOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key in Object.prototype) {
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

/** A non-array object whose prototype is Object.prototype or null. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `cls` and its ancestor classes, nearest first (Function.prototype excluded). */
export function* classChain(cls: unknown): Generator<Function> {
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    yield c as Function;
  }
}

/** `obj` and the objects of its prototype chain, nearest first, up to `stop` (excluded; default: the end). */
export function* prototypeChain(obj: unknown, stop: object | null = null): Generator<object> {
  for (let o: unknown = obj; o !== null && o !== stop && (typeof o === 'object' || typeof o === 'function'); o = Object.getPrototypeOf(o)) {
    yield o as object;
  }
}

/** Deeper than anything the value codec carries (it stops at 32 levels). */
export const MAX_COPY_DEPTH = 40;

/**
 * A deep copy of the containers in a carriable value (arrays, Maps, plain objects, bytes,
 * Dates), keeping exact types (a Buffer stays a Buffer) and keys as own data properties;
 * anything else, and anything below MAX_COPY_DEPTH, is kept as is.
 */
export function copyValue(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > MAX_COPY_DEPTH) return v;
  if (platform.isBuffer(v)) {
    const copy = new Uint8Array((v as Uint8Array).length);
    copy.set(v as Uint8Array);
    return platform.toBuffer(copy);
  }
  if (v instanceof Uint8Array) return v.slice();
  if (v instanceof Date) return new Date(v.getTime());
  if (Array.isArray(v)) return v.map((x) => copyValue(x, depth + 1));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [copyValue(k, depth + 1), copyValue(x, depth + 1)]));
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out = Object.create(proto as object | null) as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    Object.defineProperty(out, key, {
      value: copyValue((v as Record<string, unknown>)[key], depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Throws unless a call passes exactly the declared number of arguments.
 * `what` names the callee, e.g. `slot "print"`.
 * @throws UsageError ARGUMENT_COUNT, e.g. `slot "print" takes 1 argument, got 2`
 */
export function checkArgumentCount(expected: number, got: number, what: string): void {
  if (expected !== got) {
    throw new UsageError('ARGUMENT_COUNT', `${what} takes ${expected} argument${expected === 1 ? '' : 's'}, got ${got}`);
  }
}

/**
 * Throws unless a call passes between `required` and `max` arguments (a slot with optional
 * parameters); the message names the bound that was missed.
 */
export function checkArgumentRange(required: number, max: number, got: number, what: string): void {
  if (got < required || got > max) checkArgumentCount(got < required ? required : max, got, what);
}
