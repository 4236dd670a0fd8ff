// Structural equality of carriable values (what the value codec sends), as node:util's
// isDeepStrictEqual decides it for them, without depending on Node.js: primitives by Object.is,
// containers by contents, and prototypes must match (a Buffer is not equal to a Uint8Array with
// the same bytes, a Date not to a number). Used to tell whether a re-initialized property changed.

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], y[i])) return false;
    return true;
  }
  if (ArrayBuffer.isView(a)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const yv = b as ArrayBufferView;
    if (x.length !== yv.byteLength) return false;
    const y = new Uint8Array(yv.buffer, yv.byteOffset, yv.byteLength);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof Map) return mapsEqual(a, b as Map<unknown, unknown>);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function mapsEqual(a: Map<unknown, unknown>, b: Map<unknown, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    if (b.has(k)) {
      if (!deepEqual(v, b.get(k))) return false;
      continue;
    }
    if (typeof k !== 'object' || k === null) return false;
    // An object key: equal if some structurally equal key maps to an equal value.
    let found = false;
    for (const [k2, v2] of b) {
      if (typeof k2 === 'object' && deepEqual(k, k2) && deepEqual(v, v2)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}
