// A deep copy of a carriable value (what the value codec can send), keeping its exact types:
// Buffer stays Buffer, Uint8Array stays Uint8Array, plain objects keep their keys as own data
// properties. Used so that handles never share mutable default values.

export function cloneValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (v instanceof Uint8Array) return v.slice();
  if (v instanceof Date) return new Date(v.getTime());
  if (Array.isArray(v)) return v.map(cloneValue);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [cloneValue(k), cloneValue(x)]));
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out = Object.create(proto as object | null) as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    Object.defineProperty(out, key, {
      value: cloneValue((v as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
