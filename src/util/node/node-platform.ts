// The Node.js implementation of the core's Platform (src/util/platform.ts), installed when this
// module loads: Buffer's pooled allocation and native UTF-8 code, which the hot encoder and
// decoder measurably gain from (bench: properties and signals with strings), setImmediate for
// batching writes after the I/O callbacks of a loop iteration, and Buffer as a carried kind of
// its own so Buffers arrive as Buffers.

import { Buffer, isUtf8 } from 'node:buffer';
import { installPlatform, type Platform } from '../platform';

// Buffer's native UTF-8 decoder, callable on any Uint8Array (frames may be plain views). It is
// not documented API, so a Node.js without it gets the documented (slightly slower) path.
type Utf8Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeUtf8Slice = (Buffer.prototype as unknown as { utf8Slice?: Utf8Slice }).utf8Slice;
type Utf8Write = (this: Uint8Array, s: string, offset: number, length: number) => number;
const nativeUtf8Write = (Buffer.prototype as unknown as { utf8Write?: Utf8Write }).utf8Write;

const char = String.fromCharCode;

/** The ASCII string of n <= 8 bytes at b[p...]: eight codes read (past n: ignored), cut to n. */
function ascii8(b: Uint8Array, p: number, n: number): string {
  const s = char(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
  return n === 8 ? s : s.substring(0, n);
}

/**
 * buf[start, end) as a string if it is ASCII of at most 16 bytes, else undefined. Made with
 * String.fromCharCode (the codes as arguments), which is 3-6x cheaper than Buffer's native
 * decoder for short strings (a native call and its setup: ~150-210 ns on Node.js 20), and short
 * strings are most strings on the hot path. Bytes read past `end` are dropped (past the array's
 * end they read as undefined, i.e. U+0000).
 */
function shortAscii(b: Uint8Array, start: number, end: number): string | undefined {
  const n = end - start;
  if (n > 16) return undefined;
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return undefined;
  return n <= 8 ? ascii8(b, start, n) : ascii8(b, start, 8) + ascii8(b, start + 8, n - 8);
}

export const nodePlatform: Platform = {
  allocUnsafe: (n) => Buffer.allocUnsafe(n),
  utf8Length: (s) => Buffer.byteLength(s, 'utf8'),
  utf8Write:
    typeof nativeUtf8Write === 'function'
      ? (buf, s, offset) => {
          nativeUtf8Write.call(buf, s, offset, buf.length - offset);
        }
      : (buf, s, offset) => {
          Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).write(s, offset, 'utf8');
        },
  utf8Slice:
    typeof nativeUtf8Slice === 'function'
      ? (buf, start, end) => shortAscii(buf, start, end) ?? nativeUtf8Slice.call(buf, start, end)
      : (buf, start, end) => Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8'),
  isUtf8: (buf, start, end) => isUtf8(buf.subarray(start, end)),
  isBuffer: (v) => Buffer.isBuffer(v),
  toBuffer: (b) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
  schedule: (fn) => {
    setImmediate(fn);
  },
  runtime: `node/${process.version}`,
};

installPlatform(nodePlatform);
