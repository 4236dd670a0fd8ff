// Protobuf base-128 varints, the one implementation: the frame length prefix (FrameWriter
// writes it; FrameDecoder reads it inline, resumably across chunks, within the same limits) and
// the varints inside packets that the hot encoder writes and the hot decoder and frame-cost
// scan read.

/** The longest varint a frame prefix may use: 5 bytes carry 35 bits, enough for any uint32. */
export const MAX_VARINT32_BYTES = 5;

/** Bytes `writeVarint` needs for `n` (an integer in 0..0xFFFFFFFF). */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/**
 * Where the last `readVarint` stopped. A module slot rather than a returned pair, so the hot
 * decoder reads a varint without allocating.
 */
export let varintEnd = 0;

/**
 * Reads the varint at `pos` (not reading at or past `end`) and returns its low 32 bits,
 * unsigned, as protobuf does for uint32 fields; `varintEnd` is then the position just past it.
 * Returns -1 for a varint cut off by `end` or longer than 10 bytes (malformed).
 */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  let result = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (pos >= end) return -1;
    const b = buf[pos++]!;
    if (shift < 28) result |= (b & 0x7f) << shift;
    else if (shift === 28) result |= (b & 0x0f) << 28;
    if (b < 0x80) {
      varintEnd = pos;
      return result >>> 0;
    }
  }
  return -1;
}

/**
 * Writes `n` (an integer in 0..0xFFFFFFFF) as a varint into `buf` at `offset` and returns the
 * offset just past it. The caller guarantees `varintSize(n)` bytes of room.
 */
export function writeVarint(buf: Uint8Array, offset: number, n: number): number {
  // `>>>` (not `>>`) so that lengths of 2^31 and above stay unsigned.
  while (n >= 0x80) {
    buf[offset++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[offset++] = n;
  return offset;
}

// Sequence numbers (NATS tunnels and shared streams) count past 2^32 on a long-lived host: the
// same encoding, for any safe integer, with arithmetic instead of 32-bit shifts.

/** Bytes `writeVarint53` needs for `n` (a safe non-negative integer). */
export function varint53Size(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Writes `n` (a safe non-negative integer) at `offset`; returns the offset just past it. */
export function writeVarint53(buf: Uint8Array, offset: number, n: number): number {
  while (n >= 0x80) {
    buf[offset++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[offset++] = n;
  return offset;
}

/**
 * Reads a varint of at most 8 bytes (56 bits, enough for any safe integer) at `pos`, not at or
 * past `end`; `varintEnd` is then the position just past it. Returns -1 if it is cut off or longer.
 */
export function readVarint53(buf: Uint8Array, pos: number, end: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= end) return -1;
    const b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      varintEnd = pos;
      return value;
    }
    scale *= 0x80;
  }
  return -1;
}
