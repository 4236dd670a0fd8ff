// Measures the most memory one admitted frame can make a receiver hold, under the default
// limits, for every shape of value that costs the most per byte. Run by
// spec/hardening/frame-memory.spec.ts as `node --expose-gc frame-memory-child.js`; prints one
// JSON line per shape: the frame's size, the heap its decoding holds at its peak (protobufjs's
// message tree and the decoded values alive together) and what the decoded values keep after.
// Every frame is the largest of its shape that the default value budget and frame limit admit.

import { checkFrameCost, DEFAULT_MAX_VALUES_PER_FRAME } from '../../src/protocol/frame-cost';
import { decodeHotPacket } from '../../src/protocol/hot-decoder';
import { decodePacket } from '../../src/protocol/packet-codec';
import { decodeValue } from '../../src/protocol/value-codec';
import { DEFAULT_MAX_FRAME_SIZE } from '../../src/transport/frame-link';
import { ld, repeat, varint } from './raw-protobuf';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');




// Value members (tsro.proto): bytes 5, bigint 7, date 8, list 9, object 10, map 11, buffer 12,
// doubles 13, ints 14, string 3, int 1.
const items: Record<string, (i: number) => Buffer> = {
  'empty Maps': () => Buffer.from([0x5a, 0x00]),
  'empty objects': () => Buffer.from([0x52, 0x00]),
  'empty lists': () => Buffer.from([0x4a, 0x00]),
  'empty bytes': () => Buffer.from([0x2a, 0x00]),
  'empty Buffers': () => Buffer.from([0x62, 0x00]),
  'zero bigints': () => Buffer.from([0x3a, 0x00]),
  dates: () => Buffer.from([0x41, 0, 0, 0, 0, 0, 0, 0, 0]),
  'empty strings': () => Buffer.from([0x1a, 0x00]),
  undefineds: () => Buffer.alloc(0),
  'one-element number arrays': () => Buffer.from([0x72, 0x03, 0x0a, 0x01, 0x02]),
};

/** SetProperty{value: Value{list: ValueList{items: n of item}}}: the general decoding path. */
function listFrame(item: (i: number) => Buffer, n: number): Buffer {
  const one = ld([0x0a], item(0));
  const value = ld([0x4a], repeat(one, n));
  return ld([0x2a], Buffer.concat([Buffer.from([0x08, 1, 0x10, 0]), ld([0x1a], value)]));
}

/** Invoke{args: n of item}: the hot decoding path (fast Invoke decoder). */
function invokeFrame(item: (i: number) => Buffer, n: number): Buffer {
  const args = repeat(ld([0x22], item(0)), n);
  return ld([0x12], Buffer.concat([Buffer.from([0x08, 1, 0x10, 0, 0x18, 1]), args]));
}

/** An object with n distinct keys (padded to `width` characters), every value undefined. */
function keysFrame(n: number, width = 0): Buffer {
  const fields: Buffer[] = [];
  for (let i = 0; i < n; i++) fields.push(ld([0x0a], ld([0x0a], Buffer.from(i.toString(36).padStart(width, '.')))));
  const value = ld([0x52], Buffer.concat(fields));
  return ld([0x2a], Buffer.concat([Buffer.from([0x08, 1, 0x10, 0]), ld([0x1a], value)]));
}

/** Map entries whose key and value are unset. */
function entriesFrame(n: number): Buffer {
  const value = ld([0x5a], repeat(Buffer.from([0x0a, 0x00]), n));
  return ld([0x2a], Buffer.concat([Buffer.from([0x08, 1, 0x10, 0]), ld([0x1a], value)]));
}

/** One packed int array of n numbers (each one byte on the wire). */
function packedFrame(n: number): Buffer {
  const value = ld([0x72], ld([0x0a], Buffer.alloc(n)));
  return ld([0x2a], Buffer.concat([Buffer.from([0x08, 1, 0x10, 0]), ld([0x1a], value)]));
}

/** One string as long as the frame limit allows, of 2-byte UTF-8 characters (UTF-16 in memory). */
function stringFrame(): Buffer {
  const chars = Math.floor((DEFAULT_MAX_FRAME_SIZE - 32) / 2);
  const value = ld([0x1a], Buffer.from('é'.repeat(chars)));
  return ld([0x2a], Buffer.concat([Buffer.from([0x08, 1, 0x10, 0]), ld([0x1a], value)]));
}

function admitted(frame: Buffer): boolean {
  if (frame.length > DEFAULT_MAX_FRAME_SIZE) return false;
  try {
    checkFrameCost(frame, DEFAULT_MAX_VALUES_PER_FRAME);
    return true;
  } catch {
    return false;
  }
}

/** The largest n whose frame is admitted (cost and size grow linearly with n). */
function largest(make: (n: number) => Buffer): number {
  const f1 = make(1);
  const f2 = make(2);
  const c1 = checkFrameCost(f1, Number.MAX_SAFE_INTEGER);
  const per = checkFrameCost(f2, Number.MAX_SAFE_INTEGER) - c1;
  const bytesPer = f2.length - f1.length;
  let n = Math.min(Math.floor((DEFAULT_MAX_VALUES_PER_FRAME - c1) / per) + 1, Math.floor((DEFAULT_MAX_FRAME_SIZE - f1.length) / bytesPer) + 1);
  while (n > 1 && !admitted(make(n))) n--; // a length prefix may grow by a byte
  if (admitted(make(n + 1))) throw new Error('largest: not the largest');
  return n;
}

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function measure(shape: string, path: 'general' | 'hot', frame: Buffer): void {
  if (!admitted(frame)) throw new Error(`${shape}: the frame is not admitted`);
  gc!();
  gc!();
  const base = used();
  let peak = 0;
  // Decoded inside a function of its own, so that nothing but what it returns outlives it.
  const kept = ((): unknown => {
    let out: unknown;
    if (path === 'general') {
      const packet = decodePacket(frame);
      out = decodeValue(packet.setProperty!.value);
      gc!();
      peak = used() - base; // the message tree and the values, both alive
      return out;
    }
    decodeHotPacket(frame, {
      invoke: (_s, _i, _serial, args) => {
        out = args;
      },
    });
    gc!();
    peak = used() - base;
    return out;
  })();
  gc!();
  gc!();
  const retained = used() - base;
  if (kept === undefined) throw new Error(`${shape}: nothing decoded`);
  process.stdout.write(`${JSON.stringify({ shape, path, frameBytes: frame.length, peakBytes: peak, retainedBytes: retained })}\n`);
}

for (const [name, item] of Object.entries(items)) {
  measure(`list of ${name}`, 'general', listFrame(item, largest((n) => listFrame(item, n))));
  measure(`Invoke with arguments: ${name}`, 'hot', invokeFrame(item, largest((n) => invokeFrame(item, n))));
}
measure('object with distinct short keys', 'general', keysFrame(largest(keysFrame)));
// As many keys as the budget admits, each as long as the frame limit then allows: the most
// string content and the most objects at once.
{
  const keys = largest(keysFrame);
  const width = Math.floor((DEFAULT_MAX_FRAME_SIZE - 64) / keys) - 8;
  measure('object with distinct keys filling the frame', 'general', keysFrame(keys, width));
}
{
  const n = largest((k) => listFrame(() => Buffer.from([0x1a, 0x00]), k));
  const width = Math.floor((DEFAULT_MAX_FRAME_SIZE - 64) / n) - 8;
  const item = (): Buffer => Buffer.concat([Buffer.from([0x1a, width]), Buffer.alloc(width, 0x61)]);
  if (width < 128) measure('list of strings filling the frame', 'general', listFrame(item, n));
}
measure('Map of empty entries', 'general', entriesFrame(largest(entriesFrame)));
measure('packed int array', 'general', packedFrame(largest(packedFrame)));
measure('one string of 2-byte characters', 'general', stringFrame());
