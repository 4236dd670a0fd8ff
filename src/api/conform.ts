// Checks values against their declared wire type (src/api/wire-type.ts) where they cross the
// API boundary: property values, signal arguments, slot arguments and return values. Whether a
// value can be carried at all is the value codec's business (src/protocol/value-codec.ts); this
// module only checks that it is what the declaration promised.
//
// The one coercion: int64 accepts a safe-integer number and turns it into a bigint. A value is
// returned as is unless something inside it was coerced, in which case the containing arrays,
// Maps and objects are copied (copy-on-write); the caller's value is never modified.

import { UsageError } from '../errors';
import { platform } from '../util/platform';
import { apiOf, type AnyClass } from './metadata';
import { ownApiOf } from './model-type';
import { type ChildTypeRef, type EnumType, type ValueTypeRef, type WireType, valueTypeClass, wireTypeLabel } from './wire-type';
import { defineOwn, isPlainObject } from '../util/objects';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;

/**
 * Checks `value` against `type` and returns it, possibly coerced (int64: a safe-integer number
 * becomes a bigint). `what` names the value for the error, e.g. `property "copies"`.
 * @throws UsageError TYPE_MISMATCH, e.g. `property "copies" expects int32, got 2.5`
 */
export function conformValue(type: WireType, value: unknown, what: string): unknown {
  return conform(type, value, what, '');
}

function mismatch(type: WireType, what: string, path: string, got: string): UsageError {
  return new UsageError(
    'TYPE_MISMATCH',
    `${what}${path === '' ? '' : ` at ${path}`} expects ${wireTypeLabel(type)}, got ${got}`,
  );
}

function fieldPath(path: string, key: string): string {
  return IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function shortString(s: string): string {
  return JSON.stringify(s.length > 32 ? `${s.slice(0, 32)}…` : s);
}

/** A short description of a value for messages; numbers bare when a number was expected. */
function describe(v: unknown, numeric: boolean): string {
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'number': {
      const n = Object.is(v, -0) ? '-0' : String(v);
      return numeric ? n : `number ${n}`;
    }
    case 'bigint': return numeric ? `${v}n` : `bigint ${v}n`;
    case 'string': return `string ${shortString(v)}`;
    case 'boolean': return `boolean ${v}`;
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default: {
      if (v === null) return 'null';
      if (Array.isArray(v)) return `an array (length ${v.length})`;
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) return 'a plain object';
      if (platform.isBuffer(v)) return 'a Buffer';
      if (v instanceof Uint8Array) return 'a Uint8Array';
      if (v instanceof Date) return 'a Date';
      if (v instanceof Map) return 'a Map';
      const ctor = proto !== null && typeof proto === 'object' ? (proto as { constructor?: unknown }).constructor : undefined;
      const name = typeof ctor === 'function' ? ctor.name : '';
      return name ? `an instance of ${name}` : 'an instance of an anonymous class';
    }
  }
}

/** A shallow copy of a plain object (same prototype, same key order). */
function copyPlain(v: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
  for (const k of keys) defineOwn(out, k, v[k]);
  return out;
}

/**
 * `shown` is the type named in an error at this path: `type` itself, except under a nullable,
 * where the message names the declared `T?`.
 */
function conform(type: WireType, v: unknown, what: string, path: string, shown: WireType = type): unknown {
  if (typeof type === 'string') {
    switch (type) {
      case 'any':
        return v;
      case 'void':
        if (v === undefined) return v;
        break;
      case 'bool':
        if (typeof v === 'boolean') return v;
        break;
      case 'int32':
        // (v | 0) === v: an integer in int32 range (-0 included).
        if (typeof v === 'number' && (v | 0) === v) return v;
        return failNumeric(type, shown, v, what, path);
      case 'int64':
        if (typeof v === 'bigint') {
          if (v >= INT64_MIN && v <= INT64_MAX) return v;
          throw mismatch(shown, what, path, `${v}n (out of the signed 64-bit range)`);
        }
        if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
        return failNumeric(type, shown, v, what, path);
      case 'double':
        if (typeof v === 'number') return v;
        return failNumeric(type, shown, v, what, path);
      case 'string':
        if (typeof v === 'string') return v;
        break;
      case 'bytes':
        if (v instanceof Uint8Array) return v;
        break;
      case 'date':
        if (v instanceof Date) return v;
        break;
    }
    throw mismatch(shown, what, path, describe(v, false));
  }
  if ('nullable' in type) {
    if (v === null) return v;
    if (v === undefined) throw mismatch(shown, what, path, 'undefined (null expected for no value)');
    return conform(type.nullable, v, what, path, shown);
  }
  if ('child' in type) return conformChild(type, shown, v, what, path);
  if ('array' in type) return conformArray(type, shown, v, what, path);
  if ('map' in type) return conformMap(type, shown, v, what, path);
  if ('enum' in type) {
    if ((typeof v === 'number' || typeof v === 'string') && enumValues(type).has(v)) return v;
    throw mismatch(shown, what, path, describe(v, false));
  }
  if ('valueType' in type) return conformValueType(type, shown, v, what, path);
  return conformObject(type, shown, v, what, path);
}

/**
 * A child object: null, or an instance of a remote object class whose API has the declared
 * signature (the declared class, a subclass, or any class with the same API). Returned as is.
 */
function conformChild(type: ChildTypeRef, shown: WireType, v: unknown, what: string, path: string): unknown {
  if (v === null) return v;
  if (v !== undefined && typeof v === 'object') {
    // A model presents an API of its own (its row type), not its class's.
    let signature = ownApiOf(v)?.signature;
    if (signature === undefined) {
      try {
        signature = apiOf((v as { constructor: AnyClass }).constructor).signature;
      } catch {
        signature = undefined;
      }
    }
    if (signature === type.child.signature) return v;
  }
  throw mismatch(shown, what, path, describe(v, false));
}

const enumValueSets = new WeakMap<EnumType, ReadonlySet<unknown>>();

/** The values of an enum type, as a set (made once per resolved enum type). */
function enumValues(type: EnumType): ReadonlySet<unknown> {
  let set = enumValueSets.get(type);
  if (set === undefined) {
    set = new Set(Object.values(type.enum));
    enumValueSets.set(type, set);
  }
  return set;
}

/**
 * A value type: an instance of its class (or of a subclass), or a plain object with exactly the
 * declared fields. Becomes a plain object with the declared fields in declared order (the form
 * that travels); a plain object already in that form is returned as is.
 */
function conformValueType(type: ValueTypeRef, shown: WireType, v: unknown, what: string, path: string): unknown {
  const fields = type.fields;
  const names = Object.keys(fields);
  let plain: boolean;
  let keys: readonly string[] = names;
  if (isPlainObject(v)) {
    plain = true;
    keys = Object.keys(v);
    for (const k of keys) {
      if (!Object.prototype.hasOwnProperty.call(fields, k)) {
        throw mismatch(shown, what, path, `an object with undeclared field ${JSON.stringify(k)}`);
      }
    }
  } else {
    const cls = valueTypeClass(type);
    if (cls === undefined || v === null || typeof v !== 'object' || !(v instanceof cls)) {
      throw mismatch(shown, what, path, describe(v, false));
    }
    plain = false;
  }
  const src = v as Record<string, unknown>;
  // As is only if it is plain, has every field in declared order and nothing is coerced.
  let asIs = plain && keys.length === names.length;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const present = plain ? propertyIsEnumerable.call(src, name) : name in src;
    if (!present) throw mismatch(shown, what, path, `${plain ? 'an object' : describe(v, false)} without field ${JSON.stringify(name)}`);
    if (asIs && keys[i] !== name) asIs = false;
    const x = src[name];
    const y = conform(fields[name]!, x, what, fieldPath(path, name));
    if (asIs && !Object.is(x, y)) asIs = false;
    defineOwn(out, name, y);
  }
  return asIs ? v : out;
}

function failNumeric(type: WireType, shown: WireType, v: unknown, what: string, path: string): never {
  let got = describe(v, true);
  if (typeof v === 'number') {
    if (type === 'int32' && Number.isInteger(v)) got += ' (out of the int32 range)';
    else if (type === 'int64' && Number.isInteger(v)) got += ' (not a safe integer; pass a bigint)';
  }
  throw mismatch(shown, what, path, got);
}

function conformArray(type: { readonly array: WireType }, shown: WireType, v: unknown, what: string, path: string): unknown {
  if (!Array.isArray(v)) throw mismatch(shown, what, path, describe(v, false));
  const el = type.array;
  if (el === 'any') return v;
  let out: unknown[] | undefined;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    const y = conform(el, x, what, `${path}[${i}]`);
    if (out !== undefined) out.push(y);
    else if (!Object.is(x, y)) {
      out = v.slice(0, i);
      out.push(y);
    }
  }
  return out ?? v;
}

function conformMap(type: { readonly map: WireType }, shown: WireType, v: unknown, what: string, path: string): unknown {
  const valueType = type.map;
  if (v instanceof Map) {
    const map = v as Map<unknown, unknown>;
    let out: Map<string, unknown> | undefined;
    for (const [k, x] of map) {
      if (typeof k !== 'string') {
        throw mismatch(shown, what, path, `a Map with a non-string key (${describe(k, false)})`);
      }
      const y = conform(valueType, x, what, `${path}.get(${JSON.stringify(k)})`);
      if (out === undefined && !Object.is(x, y)) {
        // Copy the entries before this one, then continue filling `out`.
        out = new Map<string, unknown>();
        for (const [k2, x2] of map) {
          if (k2 === k) break;
          out.set(k2 as string, x2);
        }
      }
      if (out !== undefined) out.set(k, y);
    }
    return out ?? v;
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const x = v[k];
      const y = conform(valueType, x, what, fieldPath(path, k));
      if (out === undefined && !Object.is(x, y)) out = copyPlain(v, keys);
      if (out !== undefined) defineOwn(out, k, y);
    }
    return out ?? v;
  }
  throw mismatch(shown, what, path, describe(v, false));
}

function conformObject(
  type: { readonly object: { readonly [field: string]: WireType } },
  shown: WireType,
  v: unknown,
  what: string,
  path: string,
): unknown {
  if (!isPlainObject(v)) throw mismatch(shown, what, path, describe(v, false));
  const fields = type.object;
  const keys = Object.keys(v);
  // Undeclared fields first: they are a mistake whatever the declared ones hold.
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(fields, k)) {
      throw mismatch(shown, what, path, `an object with undeclared field ${JSON.stringify(k)}`);
    }
  }
  let out: Record<string, unknown> | undefined;
  for (const name of Object.keys(fields)) {
    const ft = fields[name];
    if (!propertyIsEnumerable.call(v, name)) {
      if (ft === 'any' || (typeof ft === 'object' && 'nullable' in ft)) continue;
      throw mismatch(shown, what, path, `an object without field ${JSON.stringify(name)}`);
    }
    const x = v[name];
    const y = conform(ft, x, what, fieldPath(path, name));
    if (out === undefined && !Object.is(x, y)) out = copyPlain(v, keys);
    if (out !== undefined) defineOwn(out, name, y);
  }
  return out ?? v;
}

/**
 * True if `value` already is a `type` exactly as conformValue would return it, decided without
 * building an error message: the hot paths call conformValue (and pay for its `what` text) only
 * when this says no.
 */
export function conformsAsIs(type: WireType, value: unknown): boolean {
  switch (type) {
    case 'any':
      return true;
    case 'double':
      return typeof value === 'number';
    case 'int32':
      return typeof value === 'number' && (value | 0) === value;
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

// ---- reviving value types -----------------------------------------------------------------------

const reviveMemo = new WeakMap<object, boolean>();

/**
 * True if values of `type` contain value types with a class declared in this process, i.e. if
 * reviveValue would make anything. Cached per resolved type: hot paths ask once per API.
 */
export function needsRevive(type: WireType): boolean {
  if (typeof type === 'string') return false;
  let r = reviveMemo.get(type);
  if (r === undefined) {
    if ('array' in type) r = needsRevive(type.array);
    else if ('map' in type) r = needsRevive(type.map);
    else if ('nullable' in type) r = needsRevive(type.nullable);
    else if ('enum' in type || 'child' in type) r = false;
    else if ('valueType' in type) r = valueTypeClass(type) !== undefined || Object.values(type.fields).some(needsRevive);
    else r = Object.values(type.object).some(needsRevive);
    reviveMemo.set(type, r);
  }
  return r;
}

/**
 * The received form of a value of `type`: value types (with a class declared in this process)
 * become instances of their class, made with `Object.create(Cls.prototype)` and their declared
 * fields defined as own data properties (the constructor is not run; no other class is ever
 * instantiated, whatever keys the data has). Containers holding them are copied; anything else is
 * returned as is. Values that do not fit the type are left as they are, never rejected: checking
 * is conformValue's job.
 */
export function reviveValue(type: WireType, value: unknown): unknown {
  return needsRevive(type) ? revive(type, value) : value;
}

function revive(type: WireType, v: unknown): unknown {
  if (typeof type === 'string' || !needsRevive(type)) return v;
  if ('nullable' in type) return revive(type.nullable, v);
  if ('array' in type) return Array.isArray(v) ? v.map((x) => revive(type.array, x)) : v;
  if ('map' in type) {
    if (v instanceof Map) {
      const out = new Map<unknown, unknown>();
      for (const [k, x] of v as Map<unknown, unknown>) out.set(k, revive(type.map, x));
      return out;
    }
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) defineOwn(out, k, revive(type.map, v[k]));
    return out;
  }
  if ('enum' in type || 'child' in type) return v;
  if (!isPlainObject(v)) return v;
  const fields = 'valueType' in type ? type.fields : type.object;
  const cls = 'valueType' in type ? valueTypeClass(type) : undefined;
  let out: Record<string, unknown>;
  if (cls !== undefined) {
    // Own data properties, defined: no setter of the class runs.
    out = Object.create(cls.prototype as object) as Record<string, unknown>;
    for (const name of Object.keys(fields)) {
      if (!Object.prototype.hasOwnProperty.call(v, name)) continue;
      Object.defineProperty(out, name, { value: revive(fields[name]!, v[name]), writable: true, enumerable: true, configurable: true });
    }
  } else {
    out = copyPlain(v, Object.keys(v));
    for (const name of Object.keys(fields)) {
      if (Object.prototype.hasOwnProperty.call(v, name)) defineOwn(out, name, revive(fields[name]!, v[name]));
    }
  }
  return out;
}
