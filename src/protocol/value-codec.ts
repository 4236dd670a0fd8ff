// Converts JavaScript values to and from the protobufjs object form of `tsro.v1.Value` (see
// src/protocol/tsro.proto): what `schema.Value.encode(obj)` takes and `schema.Value.decode(bytes)`
// returns. Values are self-describing, so every value tsro can carry round-trips exactly:
//
//   number     int32 and not -0 -> `int` (sint32); any other number (-0, NaN, ±Infinity,
//              fractions, integers outside int32) -> `double`
//   string     `string` (must be well-formed UTF-16, see below)
//   boolean    `bool`
//   undefined  no field set (an empty Value)
//   null       `null: 0`
//   bigint     `bigint`: two's complement, little-endian, shortest form (0n = no bytes)
//   Date       `date`: getTime() (an invalid Date travels as NaN)
//   Buffer     `buffer` (the runtime's own byte type, see util/platform.ts); any other
//              Uint8Array -> `bytes`. Without Buffer (browsers) both are Uint8Array.
//   Array      non-empty, every element an int32 number (none -0) -> `ints` (packed);
//              else non-empty and every element a number -> `doubles` (packed);
//              else `list` (holes of a sparse array become undefined)
//   plain obj  (prototype Object.prototype or null) -> `object`, fields in Object.keys order
//   Map        `map`, keys and values are Values
//   value type an instance of a @ValueType class (src/api/value-type.ts) -> `object` with its
//              declared fields only, in declared order (no class name travels; the receiver
//              gets a plain object unless a declared type tells it to make an instance). Where
//              the declared type is the value type, conformValue has already made it plain;
//              this is for values declared `any`. Checked only after every other kind, so it
//              costs nothing to other values.
//
// Anything else (functions, symbols, cycles, class instances such as Set, RegExp, Promise or
// typed arrays other than Uint8Array, strings with lone surrogates, nesting deeper than
// MAX_VALUE_DEPTH) throws UsageError('NOT_SERIALIZABLE') naming what was being sent and the
// path inside the value. The encoder returns a whole message or throws; nothing is half-sent.
//
// Things worth knowing:
// - Lone surrogates: protobufjs verifies UTF-8 when it DECODES a proto3 string and throws on
//   the WTF-8 bytes its encoder writes for a short string with a lone surrogate (a long one is
//   silently written with U+FFFD instead). Either way the string cannot round-trip, and a bad
//   string would make the whole packet undecodable on the peer, so the encoder refuses it.
// - The message refers to the caller's Uint8Array/Buffer bytes (no copy): encode it before the
//   bytes change. Arrays, objects and Maps are snapshotted into the message.
// - decodeValue returns byte arrays that are VIEWS over the decoded message's memory (which
//   protobufjs itself takes as views over the received frame): no copy, but they keep that
//   memory alive and see any later change to it. A received frame buffer must not be reused.
//   Likewise a decoded packed number array is the message's own `items` array, not a copy.
// - Decoded plain objects always have Object.prototype; every key becomes an own data property
//   (`__proto__` included), so a peer cannot pollute prototypes.
// - Depth: protobufjs refuses to encode or decode messages nested more than 100 deep (a plain
//   Error "max depth exceeded"); a Value sits at depth 2 inside a Packet and every object/Map
//   level costs 3 more, so values nest at most MAX_VALUE_DEPTH (32) containers deep, checked
//   here so that the sender gets a NOT_SERIALIZABLE naming the value instead.

import { valueTypeOf, type ValueTypeRef } from '../api/wire-type';
import { ProtocolError, UsageError } from '../errors';
import { defineOwn } from '../util/objects';
import { platform } from '../util/platform';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** The protobufjs object form of `tsro.v1.Value`; at most one field is set (none = undefined). */
export interface ValueMessage {
  int?: number;
  double?: number;
  string?: string;
  bool?: boolean;
  bytes?: Uint8Array;
  null?: number;
  bigint?: Uint8Array;
  date?: number;
  list?: ValueListMessage | null;
  object?: StructMessage | null;
  map?: MapValueMessage | null;
  buffer?: Uint8Array;
  doubles?: PackedNumbersMessage | null;
  ints?: PackedNumbersMessage | null;
}

/** `tsro.v1.ValueList`. */
export interface ValueListMessage {
  items?: (ValueMessage | null | undefined)[] | null;
}

/** `tsro.v1.Struct`. */
export interface StructMessage {
  fields?: StructFieldMessage[] | null;
}

/** `tsro.v1.Struct.Field`. */
export interface StructFieldMessage {
  key?: string | null;
  value?: ValueMessage | null;
}

/** `tsro.v1.MapValue`. */
export interface MapValueMessage {
  entries?: MapEntryMessage[] | null;
}

/** `tsro.v1.MapValue.Entry`. */
export interface MapEntryMessage {
  key?: ValueMessage | null;
  value?: ValueMessage | null;
}

/** `tsro.v1.PackedDoubles` / `tsro.v1.PackedInts`. */
export interface PackedNumbersMessage {
  items?: number[] | null;
}

/**
 * How many containers (arrays, plain objects, Maps) a value may nest, the outermost one
 * counting as 1. Deeper values would exceed protobufjs's recursion limit (100 nested messages,
 * enforced by both its encoder and decoder) inside a Packet, so the encoder refuses them.
 */
export const MAX_VALUE_DEPTH = 32;

// ---- encoding -------------------------------------------------------------------------------

type WhatFn = (i: number) => string;

// Path segment kinds, kept in parallel arrays so that no object is allocated per element.
const SEG_INDEX = 0;     // seg: array index
const SEG_FIELD = 1;     // seg: object key
const SEG_MAP_KEY = 2;   // seg: entry index
const SEG_MAP_VALUE = 3; // seg: the entry's key, idx: entry index

/** Per-call state, allocated only when the value contains an array, object or Map. */
class EncodeState {
  /** Containers being encoded, outermost first: the ancestors of the current value. */
  readonly stack: object[] = [];
  /** segKinds[d]/segs[d]/segIdx[d]: how the value at depth d+1 is reached from stack[d]. */
  readonly segKinds: number[] = [];
  readonly segs: unknown[] = [];
  readonly segIdx: number[] = [];
  constructor(
    readonly what: string | WhatFn,
    readonly whatIndex: number,
  ) {}
}

function nameOf(what: string | WhatFn, i: number): string {
  return typeof what === 'string' ? what : what(i);
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatKey(key: unknown): string {
  switch (typeof key) {
    case 'string': return JSON.stringify(key);
    case 'bigint': return `${key}n`;
    case 'number':
      return Object.is(key, -0) ? '-0' : String(key);
    case 'boolean':
    case 'undefined':
      return String(key);
    default:
      return key === null ? 'null' : '';
  }
}

/** The path of the value at depth `depth` (0 = the value itself), e.g. `.coords[2].f`. */
function pathTo(st: EncodeState | null, depth: number): string {
  if (st === null) return '';
  let out = '';
  for (let d = 0; d < depth; d++) {
    const seg = st.segs[d];
    switch (st.segKinds[d]) {
      case SEG_INDEX:
        out += `[${seg as number}]`;
        break;
      case SEG_FIELD:
        out += IDENT.test(seg as string) ? `.${seg as string}` : `[${JSON.stringify(seg)}]`;
        break;
      case SEG_MAP_KEY:
        out += `.keys()[${seg as number}]`;
        break;
      default: {
        const k = formatKey(seg);
        out += k === '' ? `.values()[${st.segIdx[d]}]` : `.get(${k})`;
      }
    }
  }
  return out;
}

function notSerializable(st: EncodeState | null, what: string | WhatFn, whatIndex: number, desc: string, depth: number): UsageError {
  const path = pathTo(st, depth);
  return new UsageError(
    'NOT_SERIALIZABLE',
    `cannot send ${nameOf(what, whatIndex)}: ${desc}${path === '' ? '' : ` at ${path}`}`,
  );
}

function describeInstance(v: object): string {
  const proto: unknown = Object.getPrototypeOf(v);
  const ctor = proto !== null && typeof proto === 'object' ? (proto as { constructor?: unknown }).constructor : undefined;
  const name = typeof ctor === 'function' ? ctor.name : '';
  return name ? `an instance of ${name} (only plain objects, arrays, Map, Date and Uint8Array can be sent)` : 'an instance of an anonymous class';
}

const TOO_BIG = `a bigint larger than ${64 * 1024} bytes (MAX_BIGINT_BYTES)`;

function describeUnsendable(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  return describeInstance(v as object);
}

const isWellFormed = (String.prototype as unknown as { isWellFormed?: (this: string) => boolean }).isWellFormed;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function wellFormed(s: string): boolean {
  return isWellFormed !== undefined ? isWellFormed.call(s) : !LONE_SURROGATE.test(s);
}

function describeLoneSurrogate(s: string, as: string): string {
  const m = LONE_SURROGATE.exec(s);
  const at = m === null ? 0 : m.index;
  const code = s.charCodeAt(at).toString(16).toUpperCase();
  return `${as} with a lone surrogate (U+${code} at index ${at}), which UTF-8 cannot carry`;
}

function encodeNumber(n: number): ValueMessage {
  // (n | 0) === n: an int32 (also true for -0, told apart by 1 / n).
  return (n | 0) === n && (n !== 0 || 1 / n > 0) ? { int: n } : { double: n };
}

/** bigint -> two's complement, little-endian, shortest form; 0n -> no bytes. */
export function bigintToBytes(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0);
  if (n >= -0x800000000000n && n < 0x800000000000n) {
    // Fits 6 bytes: exact in double arithmetic.
    let x = Number(n);
    const out = new Uint8Array(6);
    let len = 0;
    for (;;) {
      const b = ((x % 256) + 256) % 256;
      out[len++] = b;
      x = (x - b) / 256;
      if ((x === 0 && b < 0x80) || (x === -1 && b >= 0x80)) break;
    }
    return out.subarray(0, len);
  }
  // Large: via hex, in linear time. For n < 0, two's complement of n is the bitwise complement
  // of -n - 1.
  const neg = n < 0n;
  const m = neg ? -n - 1n : n;
  let hex = m.toString(16);
  if (hex.length & 1) hex = '0' + hex;
  const bigEndian = hexToBytes(hex);
  const len = bigEndian.length;
  const signRoom = bigEndian[0]! >= 0x80 ? 1 : 0;
  const out = new Uint8Array(len + signRoom);
  for (let i = 0; i < len; i++) {
    const b = bigEndian[len - 1 - i]!;
    out[i] = neg ? ~b & 0xff : b;
  }
  if (signRoom) out[len] = neg ? 0xff : 0;
  return out;
}

/**
 * The largest bigint carried, in bytes of two's complement (2^524287 or so). Converting a
 * bigint costs time superlinear in its size; a bound keeps one hostile value from stalling a
 * process for seconds. int64 needs 8.
 */
export const MAX_BIGINT_BYTES = 64 * 1024;

const BIGINT_LIMIT = 1n << BigInt(MAX_BIGINT_BYTES * 8 - 1);

function bigintFits(n: bigint): boolean {
  return n < BIGINT_LIMIT && n >= -BIGINT_LIMIT;
}

/** Two's complement little-endian bytes (any length, shortest or not) -> bigint; none -> 0n. */
export function bytesToBigint(b: Uint8Array): bigint {
  const len = b.length;
  if (len === 0) return 0n;
  if (len <= 6) {
    let v = 0;
    for (let i = len - 1; i >= 0; i--) v = v * 256 + b[i];
    if (b[len - 1] >= 0x80) v -= 2 ** (8 * len);
    return BigInt(v);
  }
  if (len > MAX_BIGINT_BYTES) {
    throw new ProtocolError('PROTOCOL_ERROR', `a bigint of ${len} bytes; at most ${MAX_BIGINT_BYTES} are accepted`);
  }
  const hex = bytesToHex(Uint8Array.from(b).reverse());
  let v = BigInt('0x' + hex);
  if (b[len - 1] >= 0x80) v -= 1n << BigInt(8 * len);
  return v;
}

/**
 * Encodes one JavaScript value. `what` names what is being sent (e.g. `property "position"`)
 * and appears in the error when the value cannot be carried.
 * @throws UsageError NOT_SERIALIZABLE
 */
export function encodeValue(value: unknown, what: string): ValueMessage {
  return encodeTop(value, what, 0);
}

/**
 * Encodes a list of values (arguments); `what(i)` names value i and is only called for an error.
 * @throws UsageError NOT_SERIALIZABLE
 */
export function encodeValues(values: readonly unknown[], what: (i: number) => string): ValueMessage[] {
  const out: ValueMessage[] = [];
  for (let i = 0; i < values.length; i++) out.push(encodeTop(values[i], what, i));
  return out;
}

function encodeTop(value: unknown, what: string | WhatFn, whatIndex: number): ValueMessage {
  if (typeof value !== 'object' || value === null) return encodeScalar(value, null, what, whatIndex);
  // Dates and bytes need no per-call state; containers (and errors) get it.
  return encodeLeafObject(value) ?? encodeObject(value, new EncodeState(what, whatIndex));
}

/** Encodes a value inside a container; `st.stack` holds its ancestors. */
function encodeInner(value: unknown, st: EncodeState): ValueMessage {
  if (typeof value !== 'object' || value === null) return encodeScalar(value, st, st.what, st.whatIndex);
  return encodeObject(value, st);
}

/** Anything but a non-null object; `st` is null at the top level (no container state yet). */
function encodeScalar(value: unknown, st: EncodeState | null, what: string | WhatFn, whatIndex: number): ValueMessage {
  const depth = st === null ? 0 : st.stack.length;
  switch (typeof value) {
    case 'number':
      return encodeNumber(value);
    case 'string':
      if (!wellFormed(value)) throw notSerializable(st, what, whatIndex, describeLoneSurrogate(value, 'a string'), depth);
      return { string: value };
    case 'boolean':
      return { bool: value };
    case 'undefined':
      return {};
    case 'bigint':
      if (!bigintFits(value)) throw notSerializable(st, what, whatIndex, TOO_BIG, depth);
      return { bigint: bigintToBytes(value) };
    case 'object':
      return { null: 0 };
    default:
      throw notSerializable(st, what, whatIndex, describeUnsendable(value), depth);
  }
}

/** Encodes a Date or Uint8Array; undefined for anything else. */
function encodeLeafObject(obj: object): ValueMessage | undefined {
  if (Array.isArray(obj)) return undefined;
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) return undefined;
  if (obj instanceof Uint8Array) return platform.isBuffer(obj) ? { buffer: obj } : { bytes: obj };
  if (obj instanceof Date) return { date: (obj as Date).getTime() };
  return undefined;
}

function encodeObject(obj: object, st: EncodeState): ValueMessage {
  if (Array.isArray(obj)) return encodeArray(obj as unknown[], st);
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) return encodePlain(obj as Record<string, unknown>, st);
  if (obj instanceof Uint8Array) return platform.isBuffer(obj) ? { buffer: obj } : { bytes: obj };
  if (obj instanceof Date) return { date: (obj as Date).getTime() };
  if (obj instanceof Map) return encodeMap(obj as Map<unknown, unknown>, st);
  const valueType = valueTypeOfInstance(proto);
  if (valueType !== undefined) return encodeValueType(obj as Record<string, unknown>, valueType, st);
  throw notSerializable(st, st.what, st.whatIndex, describeInstance(obj), st.stack.length);
}

/** The value type of the nearest class in a prototype chain that is a @ValueType, if any. */
function valueTypeOfInstance(proto: unknown): ValueTypeRef | undefined {
  for (let p = proto; p !== null && typeof p === 'object' && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const ctor = Object.prototype.hasOwnProperty.call(p, 'constructor') ? (p as { constructor: unknown }).constructor : undefined;
    const vt = valueTypeOf(ctor);
    if (vt !== undefined) return vt;
  }
  return undefined;
}

/** An instance of a value type: a Struct of its declared fields that it has, in declared order. */
function encodeValueType(obj: Record<string, unknown>, type: ValueTypeRef, st: EncodeState): ValueMessage {
  enter(obj, st);
  const depth = st.stack.length - 1;
  st.segKinds[depth] = SEG_FIELD;
  const fields: StructFieldMessage[] = [];
  for (const key of Object.keys(type.fields)) {
    if (!(key in obj)) continue;
    st.segs[depth] = key;
    fields.push({ key, value: encodeInner(obj[key], st) });
  }
  st.stack.pop();
  return { object: { fields } };
}

/** Pushes a container on the ancestor stack, refusing cycles and excessive depth. */
function enter(obj: object, st: EncodeState): void {
  const stack = st.stack;
  const depth = stack.length;
  for (let i = 0; i < depth; i++) {
    if (stack[i] === obj) {
      const target = i === 0 ? 'the value itself' : pathTo(st, i);
      throw notSerializable(st, st.what, st.whatIndex, `a cyclic reference (back to ${target})`, depth);
    }
  }
  if (depth >= MAX_VALUE_DEPTH) {
    throw notSerializable(st, st.what, st.whatIndex, `a value nested more than ${MAX_VALUE_DEPTH} levels deep`, depth);
  }
  stack.push(obj);
}

function encodeArray(arr: unknown[], st: EncodeState): ValueMessage {
  const len = arr.length;
  if (len > 0) {
    let allNumbers = true;
    let allInts = true;
    for (let i = 0; i < len; i++) {
      const x = arr[i];
      if (typeof x !== 'number') {
        allNumbers = false;
        break;
      }
      if (allInts && ((x | 0) !== x || (x === 0 && 1 / x < 0))) allInts = false;
    }
    // Packed arrays are checked above, so a hole (read as undefined) never gets here.
    if (allNumbers) return allInts ? { ints: { items: arr.slice() as number[] } } : { doubles: { items: arr.slice() as number[] } };
  }
  enter(arr, st);
  const depth = st.stack.length - 1;
  st.segKinds[depth] = SEG_INDEX;
  const items: ValueMessage[] = [];
  for (let i = 0; i < len; i++) {
    st.segs[depth] = i;
    items.push(encodeInner(arr[i], st));
  }
  st.stack.pop();
  return { list: { items } };
}

function encodePlain(obj: Record<string, unknown>, st: EncodeState): ValueMessage {
  enter(obj, st);
  const depth = st.stack.length - 1;
  st.segKinds[depth] = SEG_FIELD;
  const keys = Object.keys(obj);
  const fields: StructFieldMessage[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    st.segs[depth] = key;
    if (!wellFormed(key)) {
      throw notSerializable(st, st.what, st.whatIndex, describeLoneSurrogate(key, 'a property name'), depth + 1);
    }
    fields.push({ key, value: encodeInner(obj[key], st) });
  }
  st.stack.pop();
  return { object: { fields } };
}

function encodeMap(map: Map<unknown, unknown>, st: EncodeState): ValueMessage {
  enter(map, st);
  const depth = st.stack.length - 1;
  const entries: MapEntryMessage[] = [];
  let i = 0;
  for (const [k, v] of map) {
    st.segKinds[depth] = SEG_MAP_KEY;
    st.segs[depth] = i;
    const key = encodeInner(k, st);
    st.segKinds[depth] = SEG_MAP_VALUE;
    st.segs[depth] = k;
    st.segIdx[depth] = i;
    entries.push({ key, value: encodeInner(v, st) });
    i++;
  }
  st.stack.pop();
  return { map: { entries } };
}

// ---- decoding -------------------------------------------------------------------------------

/**
 * Decodes a Value message (a protobufjs-decoded message, where the set oneof field is an own
 * property, or the plain object form encodeValue makes). An empty message, null or undefined
 * is `undefined`; so is a kind this version does not know.
 */
export function decodeValue(msg: ValueMessage | null | undefined): unknown {
  if (msg == null) return undefined;
  // The plain object form (no `kind`): the first own enumerable property that is set.
  // Object.keys is ~20x faster here than for-in, which walks the prototype's enumerable defaults.
  // A decoded message names the member read last: that one counts, as in every protobuf
  // implementation (a Value carrying several members is read last-wins).
  let kind = (msg as { kind?: string }).kind;
  if (kind === undefined) {
    const keys = Object.keys(msg);
    for (let i = 0; i < keys.length; i++) {
      if ((msg as Record<string, unknown>)[keys[i]] != null) {
        kind = keys[i];
        break;
      }
    }
  }
  switch (kind) {
    case 'int': return msg.int;
    case 'string': return msg.string;
    case 'double': return msg.double;
    case 'bool': return msg.bool;
    case 'null': return null;
    case 'list': return decodeList(msg.list!);
    case 'object': return decodeStruct(msg.object!);
    case 'ints': return msg.ints!.items ?? [];
    case 'doubles': return msg.doubles!.items ?? [];
    case 'bytes': {
      const b = msg.bytes!;
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    case 'buffer': {
      const b = msg.buffer!;
      return platform.toBuffer(b);
    }
    case 'bigint': return bytesToBigint(msg.bigint!);
    case 'date': return new Date(msg.date!);
    case 'map': return decodeMap(msg.map!);
    default: return undefined;
  }
}

/** Decodes a list of Value messages (arguments); absent means none. */
export function decodeValues(msgs: readonly (ValueMessage | null | undefined)[] | undefined | null): unknown[] {
  const out: unknown[] = [];
  if (msgs == null) return out;
  for (let i = 0; i < msgs.length; i++) out.push(decodeValue(msgs[i]));
  return out;
}

function decodeList(list: ValueListMessage): unknown[] {
  const items = list.items;
  const out: unknown[] = [];
  if (items == null) return out;
  for (let i = 0; i < items.length; i++) out.push(decodeValue(items[i]));
  return out;
}

function decodeStruct(struct: StructMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = struct.fields;
  if (fields == null) return out;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    defineOwn(out, f.key ?? '', decodeValue(f.value));
  }
  return out;
}

function decodeMap(map: MapValueMessage): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  const entries = map.entries;
  if (entries == null) return out;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    out.set(decodeValue(e.key), decodeValue(e.value));
  }
  return out;
}
