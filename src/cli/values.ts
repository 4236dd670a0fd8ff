// Values on the command line and in the CLI's output.
//
// - Humans: `formatValue` prints a JSON-like text that shows what JSON cannot: `12n`, `-0`,
//   `NaN`, `undefined`, Dates in ISO form, `<Uint8Array 3 bytes: 010203>`, `Map(1) {"a" => 1}`.
// - Machines (`--json`): `toJson` maps every value tsro can carry onto plain JSON, tagging what
//   JSON has no form for with a one-key object (`{"$bigint":"12"}`...); `fromJson` reverses it.
//   Command-line arguments are read with `fromJson`, so the tags work there too.
// - `coerceToType` turns a parsed argument into what its declared wire type wants where the
//   command line cannot say it directly (an integer for int64, an ISO string for a date...);
//   the library's own check (TYPE_MISMATCH) has the last word.

import * as types from 'node:util/types';
import type { WireType } from '../api/wire-type';
import { ReplicaHandle } from '../replica/replica-handle';
import { defineOwn, isPlainObject } from '../util/objects';

/** A JSON value, as JSON.parse returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The one-key objects that stand for values JSON has no form for. Documented in docs/cli.md. */
export const TAGS = ['$bigint', '$bytes', '$date', '$map', '$undefined', '$number', '$object'] as const;
const TAG_SET: ReadonlySet<string> = new Set(TAGS);

const MAX_BYTES_SHOWN = 64;


function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function bytesKind(v: Uint8Array): string {
  return Buffer.isBuffer(v) ? 'Buffer' : 'Uint8Array';
}

function numberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

// ---------------------------------------------------------------------------------------------
// Human form

/** A readable, JSON-like rendering of a value; long containers are spread over several lines. */
export function formatValue(v: unknown, width = 80): string {
  // A child object property shows the child source's name.
  if (v instanceof ReplicaHandle) v = v.name;
  return format(v, '', width);
}

function format(v: unknown, indent: string, width: number): string {
  const flat = formatFlat(v);
  if (flat.length + indent.length <= width || !isContainer(v)) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + format(x, inner, width)).join(',\n')}\n${indent}]`;
  }
  if (types.isMap(v)) {
    const m = v as Map<unknown, unknown>;
    const entries = [...m].map(([k, x]) => `${inner}${formatFlat(k)} => ${format(x, inner, width)}`);
    return `Map(${m.size}) {\n${entries.join(',\n')}\n${indent}}`;
  }
  const o = v as Record<string, unknown>;
  const entries = Object.keys(o).map((k) => `${inner}${JSON.stringify(k)}: ${format(o[k], inner, width)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

function isContainer(v: unknown): boolean {
  return Array.isArray(v) || types.isMap(v) || isPlainObject(v);
}

function formatFlat(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return numberText(v);
    case 'bigint':
      return `${v}n`;
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return String(v);
    case 'symbol':
    case 'function':
      return String(v);
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(formatFlat).join(', ')}]`;
  if (types.isUint8Array(v)) {
    const b = v as Uint8Array;
    const shown = b.byteLength > MAX_BYTES_SHOWN ? `${hex(b.subarray(0, MAX_BYTES_SHOWN))}...` : hex(b);
    return `<${bytesKind(b)} ${b.byteLength} byte${b.byteLength === 1 ? '' : 's'}${b.byteLength ? `: ${shown}` : ''}>`;
  }
  if (types.isDate(v)) {
    const d = v as Date;
    return Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString();
  }
  if (types.isMap(v)) {
    const m = v as Map<unknown, unknown>;
    if (m.size === 0) return 'Map(0) {}';
    return `Map(${m.size}) {${[...m].map(([k, x]) => `${formatFlat(k)} => ${formatFlat(x)}`).join(', ')}}`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const fields = keys.length === 0 ? '{}' : `{${keys.map((k) => `${JSON.stringify(k)}: ${formatFlat(o[k])}`).join(', ')}}`;
  if (isPlainObject(v)) return fields;
  // An instance of a class (a value type revived on this side): its name, then its fields.
  const ctor = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return `${ctor || 'object'} ${fields}`;
}

// ---------------------------------------------------------------------------------------------
// Machine form

/**
 * The JSON form of a value (see docs/cli.md, "--json encoding"): JSON values as they are, and
 * - bigint `{"$bigint":"12"}`, Uint8Array/Buffer `{"$bytes":"0102ff"}` (hex),
 *   Date `{"$date":"2024-05-01T12:00:00.000Z"}` (`null` for an invalid Date),
 *   Map `{"$map":[[key, value], ...]}`, undefined `{"$undefined":true}`,
 *   -0, NaN and ±Infinity `{"$number":"-0"}` / `"NaN"` / `"Infinity"` / `"-Infinity"`;
 * - a plain object whose only key is one of these tags is wrapped: `{"$object":{"$date":1}}`.
 */
export function toJson(v: unknown): Json {
  if (v instanceof ReplicaHandle) return v.name; // a child object: its source's name
  switch (typeof v) {
    case 'undefined':
      return { $undefined: true };
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0) ? v : { $number: numberText(v) };
    case 'bigint':
      return { $bigint: v.toString() };
    case 'string':
    case 'boolean':
      return v;
    case 'symbol':
    case 'function':
      return String(v);
  }
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(toJson);
  if (types.isUint8Array(v)) return { $bytes: hex(v as Uint8Array) };
  if (types.isDate(v)) {
    const d = v as Date;
    return { $date: Number.isNaN(d.getTime()) ? null : d.toISOString() };
  }
  if (types.isMap(v)) return { $map: [...(v as Map<unknown, unknown>)].map(([k, x]) => [toJson(k), toJson(x)]) };
  const o = v as Record<string, unknown>;
  const out: { [key: string]: Json } = {};
  const keys = Object.keys(o);
  for (const k of keys) defineOwn(out, k, toJson(o[k]));
  return keys.length === 1 && TAG_SET.has(keys[0]!) ? { $object: out } : out;
}

/** Thrown by `fromJson` for a malformed tag; the message says what is wrong. */
export class JsonValueError extends Error {}

/** The value a JSON form stands for (the inverse of `toJson`). */
export function fromJson(j: Json): unknown {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map(fromJson);
  const keys = Object.keys(j);
  if (keys.length === 1 && TAG_SET.has(keys[0]!)) return fromTag(keys[0]!, j[keys[0]!]!);
  const out: Record<string, unknown> = {};
  for (const k of keys) defineOwn(out, k, fromJson(j[k]!));
  return out;
}

function fromTag(tag: string, x: Json): unknown {
  const bad = (expected: string): JsonValueError =>
    new JsonValueError(`{"${tag}": ...} expects ${expected}, got ${JSON.stringify(x)}`);
  switch (tag) {
    case '$bigint':
      if ((typeof x === 'string' && /^-?\d+$/.test(x)) || (typeof x === 'number' && Number.isSafeInteger(x))) return BigInt(x);
      throw bad('an integer as a string');
    case '$bytes':
      if (typeof x === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(x)) return new Uint8Array(Buffer.from(x, 'hex'));
      throw bad('an even number of hex digits');
    case '$date': {
      if (x === null) return new Date(NaN);
      if (typeof x === 'string' || typeof x === 'number') {
        const d = new Date(x);
        if (!Number.isNaN(d.getTime())) return d;
      }
      throw bad('an ISO date string or milliseconds since 1970');
    }
    case '$map':
      if (Array.isArray(x) && x.every((e) => Array.isArray(e) && e.length === 2)) {
        return new Map((x as Json[][]).map(([k, v]) => [fromJson(k!), fromJson(v!)]));
      }
      throw bad('an array of [key, value] pairs');
    case '$undefined':
      if (x === true) return undefined;
      throw bad('true');
    case '$number':
      switch (x) {
        case '-0': return -0;
        case 'NaN': return NaN;
        case 'Infinity': return Infinity;
        case '-Infinity': return -Infinity;
      }
      if (typeof x === 'number') return x;
      throw bad('"-0", "NaN", "Infinity" or "-Infinity"');
    case '$object': {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) throw bad('an object');
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(x)) defineOwn(out, k, fromJson(x[k]!));
      return out;
    }
  }
  throw new JsonValueError(`unknown tag ${tag}`);
}

// ---------------------------------------------------------------------------------------------
// Arguments

/** Thrown by `parseArgument` when the text is not JSON; `hint` suggests a fix. */
export class ArgumentSyntaxError extends Error {}

/**
 * Reads one command-line value for a parameter or property of `type`: JSON with the tags above.
 * An integer literal for an int64 is read exactly (JSON numbers lose precision past 2^53).
 */
export function parseArgument(text: string, type: WireType): unknown {
  if (/^-?\d+$/.test(text) && acceptsInt64(type)) return BigInt(text);
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    const hint = text.trim() === '' ? '' : `; a string must be quoted, e.g. '${JSON.stringify(shown)}'`;
    throw new ArgumentSyntaxError(`${JSON.stringify(shown)} is not valid JSON${hint}`);
  }
  try {
    return coerceToType(type, fromJson(json));
  } catch (err) {
    if (err instanceof JsonValueError) throw new ArgumentSyntaxError(err.message);
    throw err;
  }
}

function acceptsInt64(type: WireType): boolean {
  return type === 'int64' || (typeof type === 'object' && 'nullable' in type && type.nullable === 'int64');
}

/**
 * Converts what JSON can express into what `type` wants, where that is unambiguous: int64 from
 * an integer string, date from an ISO string or a number of milliseconds, bytes from an array of
 * byte values, an enum from a member's name; recursively through arrays, maps, objects, value
 * types and nullables. Anything else is left as
 * it is for the library's check to accept or refuse.
 */
export function coerceToType(type: WireType, v: unknown): unknown {
  if (typeof type === 'string') {
    switch (type) {
      case 'int64':
        return typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : v;
      case 'date':
        if (typeof v === 'string' || typeof v === 'number') {
          const d = new Date(v);
          return Number.isNaN(d.getTime()) ? v : d;
        }
        return v;
      case 'bytes':
        if (Array.isArray(v) && v.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
          return new Uint8Array(v as number[]);
        }
        return v;
      default:
        return v;
    }
  }
  if ('nullable' in type) return v === null ? v : coerceToType(type.nullable, v);
  if ('array' in type) return Array.isArray(v) ? v.map((x) => coerceToType(type.array, x)) : v;
  if ('map' in type) {
    if (types.isMap(v)) return new Map([...(v as Map<unknown, unknown>)].map(([k, x]) => [k, coerceToType(type.map, x)]));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) defineOwn(out, k, coerceToType(type.map, v[k]));
      return out;
    }
    return v;
  }
  if ('enum' in type) {
    // A member's name stands for its value, unless it is itself one of the values.
    const values = Object.values(type.enum);
    if (typeof v === 'string' && !values.includes(v) && Object.prototype.hasOwnProperty.call(type.enum, v)) return type.enum[v];
    return v;
  }
  if ('child' in type) return v;
  const fields = 'valueType' in type ? type.fields : type.object;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const ft = Object.prototype.hasOwnProperty.call(fields, k) ? fields[k] : undefined;
      defineOwn(out, k, ft === undefined ? v[k] : coerceToType(ft, v[k]));
    }
    return out;
  }
  return v;
}
