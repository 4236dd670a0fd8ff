// The decorated classes the benchmark remotes. Both the bench process and its children import
// this file, so typed replicas and sources agree on every signature.

import 'reflect-metadata';
import { Property, RemoteObjectType, Signal, Slot } from '../src/index';

/** Slot calls, property updates and signals. */
@RemoteObjectType('Bench')
export class BenchSource {
  @Property({ type: 'int32' }) value = 0;
  @Signal({ params: ['int32', 'string'] }) tick(_n: number, _s: string): void {}
  @Slot({ params: ['int32', 'int32'], returns: 'int32' }) add(a: number, b: number): number {
    return (a + b) | 0;
  }
  /** 0, 1, ... n-1: the stream scenario's items. */
  @Slot({ params: ['int32'], returns: { stream: 'int32' } }) async *count(n: number): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) yield i;
  }
}

/** Values of any size (the scale scenarios' value-size curve): the first 4 bytes number them. */
@RemoteObjectType('Bytes')
export class BytesSource {
  @Property({ type: 'bytes' }) data: Uint8Array = new Uint8Array(4);
}

/** Init of a large byte-array property. */
@RemoteObjectType('Blob')
export class BlobSource {
  @Property({ type: 'bytes' }) data: Uint8Array = new Uint8Array(0);
}

/** Init of a large number-array property. */
@RemoteObjectType('Numbers')
export class NumbersSource {
  @Property({ type: { array: 'double' } }) items: number[] = [];
}

export const BLOB_BYTES = 1024 * 1024;
export const NUMBERS_LENGTH = 256 * 1024;
export const WIDE_PROPERTIES = 1000;

/** 1000 int32 properties p0..p999, declared by applying the decorators in a loop. */
export class WideSource {
  [key: string]: unknown;
}
for (let i = 0; i < WIDE_PROPERTIES; i++) {
  Property({ type: 'int32' })(WideSource.prototype, `p${i}`);
}
RemoteObjectType('Wide')(WideSource);

export function makeBlob(): BlobSource {
  const b = new BlobSource();
  const data = new Uint8Array(BLOB_BYTES);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  b.data = data;
  return b;
}

/** Non-integers, so that the array travels as packed doubles (8 bytes each). */
export function makeNumbers(): NumbersSource {
  const n = new NumbersSource();
  n.items = Array.from({ length: NUMBERS_LENGTH }, (_, i) => i + 0.25);
  return n;
}

export function makeWide(): WideSource {
  const w = new WideSource();
  for (let i = 0; i < WIDE_PROPERTIES; i++) w[`p${i}`] = i * 1000;
  return w;
}

/** Snapshot kinds of the raw baseline's OP_SNAPSHOT, one per init case. */
export const SNAPSHOT_BLOB = 1;
export const SNAPSHOT_NUMBERS = 2;
export const SNAPSHOT_WIDE = 3;
export const SNAPSHOT_WIDE_NAMED = 4;

/**
 * The raw baseline's snapshot payloads: the same data as the sources hold, in the plainest
 * binary form (bytes as is; doubles and int32s little-endian; for the "dynamic" case the
 * property names first, as one '\n'-joined UTF-8 string after a u32 byte length).
 */
export function rawSnapshots(): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  m.set(SNAPSHOT_BLOB, makeBlob().data);
  const nums = Buffer.allocUnsafe(NUMBERS_LENGTH * 8);
  for (let i = 0; i < NUMBERS_LENGTH; i++) nums.writeDoubleLE(i + 0.25, i * 8);
  m.set(SNAPSHOT_NUMBERS, nums);
  const ints = Buffer.allocUnsafe(WIDE_PROPERTIES * 4);
  for (let i = 0; i < WIDE_PROPERTIES; i++) ints.writeInt32LE(i * 1000, i * 4);
  m.set(SNAPSHOT_WIDE, ints);
  const names = Buffer.from(Array.from({ length: WIDE_PROPERTIES }, (_, i) => `p${i}`).join('\n'));
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32LE(names.length, 0);
  m.set(SNAPSHOT_WIDE_NAMED, Buffer.concat([head, names, ints]));
  return m;
}
