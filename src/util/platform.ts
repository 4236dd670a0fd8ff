// What the platform-free core asks of its JavaScript runtime beyond the language: a few byte
// operations and a way to defer work to the next turn. The defaults here are plain JavaScript
// (Uint8Array, TextEncoder/TextDecoder, queueMicrotask) and run anywhere; the Node.js entry
// point installs faster equivalents built on Buffer (src/util/node/node-platform.ts), measured
// on the hot paths. Nothing else in the core may touch Buffer or other Node.js globals.
//
// `isBuffer`/`toBuffer` carry a second byte type: in Node.js a Buffer travels as its own kind and
// arrives as a Buffer, any other Uint8Array as a plain Uint8Array. Without such a type both are
// Uint8Array.

export interface Platform {
  /** A new array of `n` bytes whose contents are unspecified: the caller writes every byte. */
  allocUnsafe(n: number): Uint8Array;
  /** Bytes of `s` in UTF-8 (`s` is well-formed). */
  utf8Length(s: string): number;
  /** Writes well-formed `s` as UTF-8 at `offset`; there is room for utf8Length(s) bytes. */
  utf8Write(buf: Uint8Array, s: string, offset: number): void;
  /** Decodes `buf[start, end)`, known to be valid UTF-8. */
  utf8Slice(buf: Uint8Array, start: number, end: number): string;
  /** Whether `buf[start, end)` is valid UTF-8. */
  isUtf8(buf: Uint8Array, start: number, end: number): boolean;
  /** Whether `v` is the runtime's own byte type (Node.js: a Buffer), carried as a distinct kind. */
  isBuffer(v: unknown): boolean;
  /** `bytes` as the runtime's own byte type, sharing memory where possible. */
  toBuffer(bytes: Uint8Array): Uint8Array;
  /** Runs `fn` once, soon after the current turn (batches the frames written during it). */
  schedule(fn: () => void): void;
  /** Names the runtime in the handshake, e.g. `node/v20.19.0`; empty if unknown. */
  readonly runtime: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair (the string is well-formed): four bytes for both halves.
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The plain-JavaScript platform: what runs in browsers and any other runtime. */
export const portablePlatform: Platform = {
  allocUnsafe: (n) => new Uint8Array(n),
  utf8Length,
  utf8Write(buf, s, offset) {
    encoder.encodeInto(s, buf.subarray(offset));
  },
  utf8Slice: (buf, start, end) => decoder.decode(buf.subarray(start, end)),
  isUtf8(buf, start, end) {
    try {
      strictDecoder.decode(buf.subarray(start, end));
      return true;
    } catch {
      return false;
    }
  },
  isBuffer: () => false,
  toBuffer: (bytes) => bytes,
  schedule: (fn) => queueMicrotask(fn),
  runtime: '',
};

/** The platform in use; its members are replaced by installPlatform, never the object itself. */
export const platform: Platform = { ...portablePlatform };

/** Installs a runtime's implementation (the Node.js entry point does it when it loads). */
export function installPlatform(p: Platform): void {
  Object.assign(platform, p);
}
