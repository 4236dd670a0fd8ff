// Helpers for spec/hardening/*: fast-check arbitraries of values tsro can carry, an exact
// comparison of values (types, -0, NaN, Buffer vs Uint8Array, key order, prototypes), sample
// packets of every kind, and byte mutations of encoded frames.

import * as fc from 'fast-check';
import type { PacketKind, PacketMessage } from '../../src/protocol/messages';
import { encodePacket } from '../../src/protocol/packet-codec';
import { PROTOCOL_VERSION } from '../../src/protocol/protocol-version';
import { encodeValue, encodeValues, type ValueMessage } from '../../src/protocol/value-codec';
import { varint } from './raw-protobuf';

// ---- exact comparison ------------------------------------------------------------------------

function describeValue(v: unknown): string {
  try {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    if (v instanceof Date) return `Date(${v.getTime()})`;
    if (Buffer.isBuffer(v)) return `Buffer[${v.length}]`;
    if (v instanceof Uint8Array) return `Uint8Array[${v.length}]`;
    if (v instanceof Map) return `Map(${v.size})`;
    if (Array.isArray(v)) return `Array(${v.length})`;
    return v === null ? 'null' : typeof v === 'object' ? 'object' : String(v);
  } catch {
    return '?';
  }
}

/**
 * Where `actual` differs from `expected`, as a path and a description; undefined if they are
 * the same value in every way the value codec promises to keep: the type (Buffer is not a plain
 * Uint8Array), numbers by Object.is (-0, NaN), Dates by time (invalid Dates included), arrays
 * without holes, Maps and plain objects in the same order, plain objects with Object.prototype
 * (a decoded object always has it) and only own enumerable data properties (`__proto__` included).
 */
export function difference(expected: unknown, actual: unknown, path = '$'): string | undefined {
  const bad = (why: string): string => `${path}: ${why} (expected ${describeValue(expected)}, got ${describeValue(actual)})`;
  if (typeof expected !== typeof actual) return bad('different type');
  switch (typeof expected) {
    case 'number':
      return Object.is(expected, actual) ? undefined : bad('different number');
    case 'string':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return expected === actual ? undefined : bad('different value');
    case 'object':
      break;
    default:
      return bad(`uncomparable ${typeof expected}`);
  }
  if (expected === null || actual === null) return expected === actual ? undefined : bad('null vs object');
  const e = expected as object;
  const a = actual as object;
  if (e instanceof Uint8Array) {
    if (!(a instanceof Uint8Array)) return bad('not a Uint8Array');
    if (Buffer.isBuffer(e) !== Buffer.isBuffer(a)) return bad('Buffer vs plain Uint8Array');
    if (!Buffer.isBuffer(a) && Object.getPrototypeOf(a) !== Uint8Array.prototype) return bad('not exactly a Uint8Array');
    return Buffer.compare(Buffer.from(e.buffer, e.byteOffset, e.byteLength), Buffer.from(a.buffer, a.byteOffset, a.byteLength)) === 0
      ? undefined
      : bad('different bytes');
  }
  if (e instanceof Date) {
    if (!(a instanceof Date)) return bad('not a Date');
    return Object.is(e.getTime(), a.getTime()) ? undefined : bad('different time');
  }
  if (e instanceof Map) {
    if (!(a instanceof Map)) return bad('not a Map');
    if (e.size !== a.size) return bad('different size');
    const ea = [...e];
    const aa = [...a];
    for (let i = 0; i < ea.length; i++) {
      const dk = difference(ea[i]![0], aa[i]![0], `${path}.keys()[${i}]`);
      if (dk) return dk;
      const dv = difference(ea[i]![1], aa[i]![1], `${path}.values()[${i}]`);
      if (dv) return dv;
    }
    return undefined;
  }
  if (Array.isArray(e)) {
    if (!Array.isArray(a)) return bad('not an array');
    if (e.length !== a.length) return bad('different length');
    for (let i = 0; i < e.length; i++) {
      if (!(i in a)) return bad(`hole at ${i}`);
      const d = difference(e[i], a[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype) return bad('decoded object without Object.prototype');
  const ek = Object.keys(e);
  const ak = Reflect.ownKeys(a);
  if (ek.length !== ak.length || ek.some((k, i) => k !== ak[i])) {
    return bad(`different keys ${JSON.stringify(ek)} vs ${JSON.stringify(ak.map(String))}`);
  }
  for (const k of ek) {
    const desc = Object.getOwnPropertyDescriptor(a, k)!;
    if (!('value' in desc) || !desc.enumerable) return bad(`key ${JSON.stringify(k)} is not an enumerable data property`);
    const d = difference((e as Record<string, unknown>)[k], desc.value, `${path}[${JSON.stringify(k)}]`);
    if (d) return d;
  }
  return undefined;
}

/** Same as `difference`, for lists of values (arguments). */
export function listDifference(expected: readonly unknown[], actual: readonly unknown[], what = 'args'): string | undefined {
  if (expected.length !== actual.length) return `${what}: ${expected.length} values expected, got ${actual.length}`;
  for (let i = 0; i < expected.length; i++) {
    const d = difference(expected[i], actual[i], `${what}[${i}]`);
    if (d) return d;
  }
  return undefined;
}

// ---- carriable values --------------------------------------------------------------------------

/** Sets an own enumerable data property, `__proto__` included (as JSON.parse does). */
export function defineOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Keys that are dangerous if a decoder assigned them naively, plus ordinary and odd ones. */
export const trickyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', '0', '1', '10', 'a', 'length'),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ maxLength: 6 }),
);

/** Scalars and byte arrays: every leaf kind of tsro.v1.Value. */
export const leafValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.double(), // -0, NaN, ±Infinity included
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MIN_VALUE, 0.1),
  fc.string({ unit: 'binary', maxLength: 24 }), // well-formed UTF-16, astral planes included
  fc.string({ maxLength: 24 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
  fc.constantFrom(0n, -1n, 1n, 127n, 128n, -128n, -129n, 2n ** 47n, -(2n ** 47n), 2n ** 48n, -(2n ** 48n) - 1n),
  fc.date({ noInvalidDate: false }),
  fc.constant(new Date(NaN)),
  fc.uint8Array({ maxLength: 24 }),
  fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
);

interface ValueArbs {
  value: unknown;
  array: unknown[];
  object: Record<string, unknown>;
  map: Map<unknown, unknown>;
}

const nested = fc.letrec<ValueArbs>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafValue, tie('array'), tie('object'), tie('map')),
  array: fc.oneof(
    fc.array(tie('value'), { maxLength: 5 }),
    // All int32 / all numbers: the packed encodings.
    fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 8 }),
    fc.array(fc.double(), { minLength: 1, maxLength: 8 }),
  ),
  object: fc.array(fc.tuple(trickyKey, tie('value')), { maxLength: 5 }).map((entries) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) defineOwn(o, k, v);
    return o;
  }),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((entries) => new Map(entries)),
}));

/** Any value tsro can carry: leaves, arrays (packed or not), plain objects, Maps, nested. */
export const carriableValue: fc.Arbitrary<unknown> = nested.value;

// ---- sample packets of every kind ----------------------------------------------------------------

function v(x: unknown): ValueMessage {
  return encodeValue(x, 'sample');
}

const someValues: unknown[] = [
  0, -0, 1, -1, 2 ** 31 - 1, 0.5, NaN, 'text', 'é日本😀', true, null, undefined, 2n ** 70n, -5n, new Date(1234),
  new Uint8Array([1, 2, 3]), Buffer.from('buf'), [1, 2, 3], [0.5, -0], ['a', { b: [null] }], { x: 1, y: 'z' },
  new Map<unknown, unknown>([['k', 1], [2n, new Date(5)]]),
];

const definition = {
  typeName: 'Sample',
  signature: '',
  properties: [
    { name: 'count', type: { scalar: 3 }, mode: 0 },
    { name: 'label', type: { scalar: 6 }, mode: 1 },
    { name: 'shape', type: { object: { fields: [{ name: 'w', type: { scalar: 5 } }, { name: 'h', type: { nullable: { scalar: 5 } } }] } } },
  ],
  signals: [{ name: 'moved', params: [{ name: 'x', type: { scalar: 5 } }], returns: { scalar: 1 }, required: 1 }],
  slots: [{ name: 'go', params: [{ name: 'to', type: { array: { scalar: 6 } } }, { name: 'opt', type: { map: { scalar: 0 } } }], returns: { scalar: 4 }, required: 1 }],
};

/** Valid packets of every kind, with values of every kind inside. */
export function samplePackets(): { kind: PacketKind; packet: PacketMessage }[] {
  const out: { kind: PacketKind; packet: PacketMessage }[] = [];
  const add = (kind: PacketKind, packet: PacketMessage): void => {
    out.push({ kind, packet });
  };
  for (const x of someValues) {
    add('propertyChange', { propertyChange: { source: 3, index: 1, value: v(x) } });
    add('signal', { signal: { source: 2, index: 0, args: [v(x), v('second'), v(x)] } });
    add('invoke', { invoke: { source: 1, index: 2, serial: 77, args: [v(x), v(x)] } });
    add('reply', { reply: { serial: 77, value: v(x) } });
    add('setProperty', { setProperty: { source: 1, index: 0, value: v(x), serial: 9 } });
  }
  add('invoke', { invoke: { source: 300, index: 0, serial: 0xffffffff, args: encodeValues([1, 'two', [3]], () => 'a') } });
  add('reply', { reply: { serial: 5, error: { code: 'REMOTE', name: 'RangeError', message: 'bad' } } });
  add('handshake', { handshake: { version: PROTOCOL_VERSION, agent: 'fuzz', maxFrameSize: 1 << 20 } });
  const info = { id: 7, name: 'Sample', typeName: 'Sample', signature: 'ab'.repeat(32) };
  add('sourceList', { sourceList: { sources: [info, { ...info, id: 8, name: 'Other' }] } });
  add('sourceAdded', { sourceAdded: { source: info } });
  add('sourceRemoved', { sourceRemoved: { source: 7 } });
  add('handshake', { handshake: { version: PROTOCOL_VERSION, agent: 'fuzz', maxFrameSize: 1 << 20, sourceListLimit: 1000 } });
  add('sourceList', { sourceList: { partial: true, total: 10000 } });
  add('sourceQuery', { sourceQuery: { request: 3, names: ['Sample', 'Other', ''] } });
  add('sourceQuery', { sourceQuery: { request: 4, after: 7, limit: 500 } });
  add('sourcePage', { sourcePage: { request: 3, sources: [info, { ...info, id: 8, name: 'Other' }], next: 8 } });
  add('acquire', { acquire: { source: 7, wantDefinition: true } });
  add('release', { release: { source: 7 } });
  add('acquireRefused', { acquireRefused: { source: 7, error: { code: 'FRAME_TOO_LARGE', name: 'ProtocolError', message: 'too big' } } });
  add('init', { init: { source: 7, values: [v(3), v('x'), v({ w: 1, h: null })] } });
  add('init', { init: { source: 7, values: [v(3), v('x'), v({ w: 1, h: 2 })], definition } as never });
  add('reply', {
    reply: { serial: 6, error: { code: 'REMOTE', name: 'E', message: 'm', data: v({ id: 3 }), cause: { code: 'REMOTE', name: 'C', message: 'c' } } },
  });
  add('cancel', { cancel: { serial: 77, code: 'TIMEOUT' } });
  add('streamItems', { streamItems: { serial: 77, items: someValues.map((x) => v(x)) } });
  add('streamCredit', { streamCredit: { serial: 77, items: 256 } });
  add('ping', { ping: { nonce: 12345 } });
  add('pong', { pong: { nonce: 12345 } });
  add('goodbye', { goodbye: { error: { code: 'PROTOCOL_ERROR', name: 'ProtocolError', message: 'bye' } } });
  // Models
  add('modelInit', { modelInit: { source: 7, count: 1000, rowType: { scalar: 6 }, readonly: true } });
  add('rowsRequest', { rowsRequest: { source: 7, request: 1, start: 10, count: 20, cacheSize: 1000, fields: ['title'], uncached: true } });
  add('rowsReply', { rowsReply: { source: 7, request: 1, start: 10, rows: [v('a'), v({ w: 1, h: 2 })] } });
  add('rowsReply', { rowsReply: { source: 7, request: 2, error: { code: 'OUT_OF_RANGE', name: 'UsageError', message: 'no' } } });
  add('rowsInserted', { rowsInserted: { source: 7, start: 3, count: 2, rows: [v('a'), v('b')] } });
  add('rowsRemoved', { rowsRemoved: { source: 7, start: 3, count: 2 } });
  add('rowsMoved', { rowsMoved: { source: 7, start: 3, count: 2, destination: 9 } });
  add('rowsChanged', { rowsChanged: { source: 7, start: 3, rows: [v('c')] } });
  add('modelReset', { modelReset: { source: 7, count: 5 } });
  add('rowSet', { rowSet: { source: 7, request: 3, index: 4, row: v('d') } });
  return out;
}

/** Encoded sample packets (frame bodies, no length prefix). */
export function sampleFrames(): Uint8Array[] {
  return samplePackets().map((s) => encodePacket(s.packet));
}

// ---- mutations ---------------------------------------------------------------------------------

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; at: number; count: number };

/** One mutation; positions are taken modulo the length when applied. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x1a, 0x22, 0xc0) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

/** Applies mutations in order to a copy of `bytes`. */
export function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = Buffer.from(bytes);
  for (const m of mutations) {
    const len = b.length;
    switch (m.op) {
      case 'flip':
        if (len > 0) b[m.at % len] ^= 1 << m.bit;
        break;
      case 'set':
        if (len > 0) b[m.at % len] = m.byte;
        break;
      case 'insert': {
        const at = m.at % (len + 1);
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      }
      case 'delete': {
        if (len === 0) break;
        const at = m.at % len;
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
      }
      case 'truncate':
        b = b.subarray(0, m.at % (len + 1));
        break;
      case 'duplicate': {
        if (len === 0) break;
        const at = m.at % len;
        b = Buffer.concat([b.subarray(0, at + m.count), b.subarray(at)]);
        break;
      }
    }
  }
  return Uint8Array.from(b);
}

/** A sample frame body with 1-3 mutations applied. */
export function mutatedFrame(frames: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.integer({ min: 0, max: frames.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([i, ms]) => mutate(frames[i]!, ms));
}

/** Splits `bytes` into chunks at the given cut points (taken modulo the length, deduplicated). */
export function chunk(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  if (bytes.length === 0) return [bytes];
  const points = [...new Set(cuts.map((c) => c % bytes.length))].filter((c) => c > 0).sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

// ---- amplification -----------------------------------------------------------------------------


/**
 * The body of an Invoke whose one argument is a list of `items` empty Values: 2 bytes on the
 * wire per item, one JavaScript object (or more) per item once decoded. The densest way to make
 * a decoder allocate.
 */
export function denseInvokeBody(source: number, index: number, serial: number, items: number): Buffer {
  const list = Buffer.alloc(2 * items);
  for (let i = 0; i < items; i++) list[2 * i] = 0x0a; // ValueList.items, length 0
  const value = Buffer.concat([Buffer.from([0x4a]), varint(list.length), list]); // Value.list
  const invoke = Buffer.concat([
    Buffer.from([0x08]), varint(source),
    Buffer.from([0x10]), varint(index),
    Buffer.from([0x18]), varint(serial),
    Buffer.from([0x22]), varint(value.length), value,
  ]);
  return Buffer.concat([Buffer.from([0x12]), varint(invoke.length), invoke]); // Packet.invoke
}
