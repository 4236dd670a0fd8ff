// Protobuf bytes written by hand, for specs that send what no encoder would write (a Value with
// a million empty maps, two members of one oneof): varints, length-delimited fields, runs of one
// element. Independent of tsro's own encoder on purpose.

/** A base-128 varint of a non-negative integer (up to 2^53). */
export function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A length-delimited field: its key byte(s), the body's length, the body. */
export function ld(key: number | readonly number[], body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(typeof key === 'number' ? [key] : key), varint(body.length), body]);
}

/** `one` n times over. */
export function repeat(one: Buffer, n: number): Buffer {
  const out = Buffer.allocUnsafe(one.length * n);
  for (let i = 0; i < n; i++) one.copy(out, i * one.length);
  return out;
}
