// Encoders for the four packets that carry steady-state traffic: PropertyChange, SignalEmit,
// Invoke and InvokeReply. They write the exact bytes protobufjs would write for the same
// message (spec/protocol/hot-packets.spec.ts checks that, field by field and on random input),
// straight from JavaScript values into one exactly-sized buffer.
//
// Why not protobufjs's encoder here: it builds a list of write operations per field and a state
// object per nested message, then copies; measured at 300-600 ns for a one-int property change,
// it was most of a slot call's cost. Sizes here are computed first, so nested lengths are known
// and nothing is written twice. Values other than the common scalars (arrays, objects, Maps,
// Dates, bigints) are encoded by the general value codec and protobufjs, and embedded as the
// nested message bytes they are on the wire. All other packets use protobufjs.

import { schema } from './schema';
import { encodeValue } from './value-codec';
import { varintSize, writeVarint } from '../transport/varint';
import { platform } from '../util/platform';

// Kinds of a planned value; numbers are the Value field each is written to.
const UNDEFINED = 0;
const INT = 1;
const DOUBLE = 2;
const STRING = 3;
const BOOL = 4;
const BYTES = 5;
const NULL = 6;
const BUFFER = 12;
const COMPLEX = -1;

// Plans for the values of the packet being encoded. Encoding is synchronous and never
// re-entered, so one set of scratch arrays serves every call.
let kinds = new Int32Array(8);
let contentLengths = new Int32Array(8);
let payloadLengths = new Int32Array(8);
let complex: (Uint8Array | undefined)[] = [];

// Doubles are written little-endian into these 8 bytes, then copied: no DataView per value.
const doubleBytes = new Uint8Array(8);
const doubleView = new DataView(doubleBytes.buffer);


function zigzag(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

function isShortAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function isInt32(v: number): boolean {
  return (v | 0) === v && !(v === 0 && 1 / v < 0);
}

function ensureCapacity(n: number): void {
  if (kinds.length >= n) return;
  const size = Math.max(n, kinds.length * 2);
  kinds = new Int32Array(size);
  contentLengths = new Int32Array(size);
  payloadLengths = new Int32Array(size);
}

/** Names a value in error messages; called only when a value cannot be carried. */
export type What = string | ((i: number) => string);

/** Plans value `i`; returns the size of its Value message (content only). */
function plan(i: number, v: unknown, what: What): number {
  let kind: number;
  let content: number;
  let payload = 0;
  switch (typeof v) {
    case 'number':
      if (isInt32(v)) {
        kind = INT;
        content = 1 + varintSize(zigzag(v));
      } else {
        kind = DOUBLE;
        content = 9;
      }
      break;
    case 'string':
      if (v.length < 64 && isShortAscii(v)) {
        // ASCII is well-formed and one byte a character: no scan by the UTF-8 encoder.
        kind = STRING;
        payload = v.length;
        content = 1 + varintSize(payload) + payload;
      } else if (v.isWellFormed()) {
        kind = STRING;
        payload = platform.utf8Length(v);
        content = 1 + varintSize(payload) + payload;
      } else {
        kind = COMPLEX;
        content = 0;
      }
      break;
    case 'boolean':
      kind = BOOL;
      content = 2;
      break;
    case 'undefined':
      kind = UNDEFINED;
      content = 0;
      break;
    default:
      if (v === null) {
        kind = NULL;
        content = 2;
      } else if (v instanceof Uint8Array && (Object.getPrototypeOf(v) === Uint8Array.prototype || platform.isBuffer(v))) {
        kind = Object.getPrototypeOf(v) === Uint8Array.prototype ? BYTES : BUFFER;
        payload = v.length;
        content = 1 + varintSize(payload) + payload;
      } else {
        kind = COMPLEX;
        content = 0;
      }
  }
  if (kind === COMPLEX) {
    // The general codec checks carriability (and throws naming `what`) and handles nesting.
    const bytes = schema.Value.encode(encodeValue(v, typeof what === 'string' ? what : what(i))).finish();
    complex[i] = bytes;
    content = bytes.length;
  }
  kinds[i] = kind;
  contentLengths[i] = content;
  payloadLengths[i] = payload;
  return content;
}

/** Bytes a planned value takes as a length-delimited field (tag, length, content). */
function fieldSize(i: number): number {
  const c = contentLengths[i]!;
  return 1 + varintSize(c) + c;
}

// The packet being written: out[at...]. Module state rather than an object per packet, as the
// plans above (encoding is synchronous and never re-entered).
let out: Uint8Array = new Uint8Array(0);
let at = 0;

function putVarint(n: number): void {
  at = writeVarint(out, at, n);
}

/** A uint32 field, omitted when 0 as proto3 (and protobufjs) do. */
function putUint(tag: number, n: number): void {
  if (n === 0) return;
  out[at++] = tag;
  putVarint(n);
}

/** Planned value `i` as a length-delimited field with this tag. */
function putValue(tag: number, i: number, v: unknown): void {
  const buf = out;
  buf[at++] = tag;
  putVarint(contentLengths[i]!);
  switch (kinds[i]) {
    case UNDEFINED:
      return;
    case INT:
      buf[at++] = 0x08;
      putVarint(zigzag(v as number));
      return;
    case DOUBLE: {
      buf[at++] = 0x11;
      doubleView.setFloat64(0, v as number, true);
      const p = at;
      for (let k = 0; k < 8; k++) buf[p + k] = doubleBytes[k]!;
      at = p + 8;
      return;
    }
    case STRING: {
      buf[at++] = 0x1a;
      const n = payloadLengths[i]!;
      putVarint(n);
      const str = v as string;
      const p = at;
      if (n === str.length && n < 48) {
        // ASCII (see plan): a loop beats a call into the UTF-8 encoder for short strings.
        for (let k = 0; k < n; k++) buf[p + k] = str.charCodeAt(k);
      } else if (n > 0) {
        platform.utf8Write(buf, str, p);
      }
      at = p + n;
      return;
    }
    case BOOL:
      buf[at++] = 0x20;
      buf[at++] = v ? 1 : 0;
      return;
    case NULL:
      buf[at++] = 0x30;
      buf[at++] = 0;
      return;
    case BYTES:
    case BUFFER: {
      buf[at++] = kinds[i] === BYTES ? 0x2a : 0x62;
      const n = payloadLengths[i]!;
      putVarint(n);
      buf.set(v as Uint8Array, at);
      at += n;
      return;
    }
    default: {
      const bytes = complex[i]!;
      complex[i] = undefined;
      buf.set(bytes, at);
      at += bytes.length;
    }
  }
}

// Small packets are cut from a shared slab, as Buffer.allocUnsafe does from its pool, but as
// plain Uint8Array views: a Buffer is a subclass instance whose construction costs about twice a
// view's (measured 91 vs 43 ns on Node.js 20), per packet. A slab is never written again where
// it was handed out (a packet may sit in a send queue), and is dropped once used up.
const SLAB_SIZE = 8 * 1024;
const SLAB_MAX_PACKET = 1024;
let slab: ArrayBuffer = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

function allocate(n: number): Uint8Array {
  if (n > SLAB_MAX_PACKET) return platform.allocUnsafe(n);
  if (SLAB_SIZE - slabUsed < n) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab, slabUsed, n);
  slabUsed += n;
  return bytes;
}

const EMPTY = new Uint8Array(0);

/** The packet written, no longer held here (it may be large). */
function finish(): Uint8Array {
  const bytes = out;
  out = EMPTY;
  return bytes;
}

/** Starts a packet of `body` bytes in Packet field `packetTag` (a one-byte tag). */
function start(packetTag: number, body: number): void {
  out = allocate(1 + varintSize(body) + body);
  out[0] = packetTag;
  at = 1;
  putVarint(body);
}

function uintFieldSize(n: number): number {
  return n === 0 ? 0 : 1 + varintSize(n);
}

/** Packet{propertyChange: {source, index, value}}. */
export function encodePropertyChange(source: number, index: number, value: unknown, what: What): Uint8Array {
  plan(0, value, what);
  const body = uintFieldSize(source) + uintFieldSize(index) + fieldSize(0);
  start(0x0a, body);
  putUint(0x08, source);
  putUint(0x10, index);
  putValue(0x1a, 0, value);
  return finish();
}

function planAll(values: readonly unknown[], what: What): number {
  const n = values.length;
  ensureCapacity(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    plan(i, values[i], what);
    size += fieldSize(i);
  }
  return size;
}

/** Packet{signal: {source, index, args}}. */
export function encodeSignal(source: number, index: number, args: readonly unknown[], what: What): Uint8Array {
  const body = uintFieldSize(source) + uintFieldSize(index) + planAll(args, what);
  start(0x22, body);
  putUint(0x08, source);
  putUint(0x10, index);
  for (let i = 0; i < args.length; i++) putValue(0x1a, i, args[i]);
  return finish();
}

/** Packet{invoke: {source, index, serial, args}}. */
export function encodeInvoke(
  source: number,
  index: number,
  serial: number,
  args: readonly unknown[],
  what: What,
): Uint8Array {
  const body = uintFieldSize(source) + uintFieldSize(index) + uintFieldSize(serial) + planAll(args, what);
  start(0x12, body);
  putUint(0x08, source);
  putUint(0x10, index);
  putUint(0x18, serial);
  for (let i = 0; i < args.length; i++) putValue(0x22, i, args[i]);
  return finish();
}

/** Packet{reply: {serial, value}}: a successful call's answer. */
export function encodeReplyValue(serial: number, value: unknown, what: What): Uint8Array {
  plan(0, value, what);
  const body = uintFieldSize(serial) + fieldSize(0);
  start(0x1a, body);
  putUint(0x08, serial);
  putValue(0x12, 0, value);
  return finish();
}

/**
 * The bytes one stream item takes in a StreamItems packet (its `items` field: tag, length,
 * Value): the producer counts them against the byte window as items are produced. Throws
 * NOT_SERIALIZABLE (naming `what`) if the value cannot be carried.
 */
export function streamItemSize(value: unknown, what: What): number {
  plan(0, value, what);
  complex[0] = undefined;
  return fieldSize(0);
}

/** Packet{streamItems: {serial, items}}. */
export function encodeStreamItems(serial: number, items: readonly unknown[], what: What): Uint8Array {
  const body = uintFieldSize(serial) + planAll(items, what);
  // Packet field 21, length-delimited: a two-byte tag.
  out = allocate(2 + varintSize(body) + body);
  out[0] = 0xaa;
  out[1] = 0x01;
  at = 2;
  putVarint(body);
  putUint(0x08, serial);
  for (let i = 0; i < items.length; i++) putValue(0x12, i, items[i]);
  return finish();
}
