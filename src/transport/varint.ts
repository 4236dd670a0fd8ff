// The frame length prefix: a protobuf base-128 varint holding an unsigned 32-bit length. Shared by
// FrameWriter (encode) and FrameDecoder (which decodes inline on its hot path, but relies on the
// same limits).

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
