// Wire types: what a property, signal argument or slot parameter is declared to carry.
// Reflection metadata gives a constructor (Number, String, ...); it is blind to unions,
// `T | null`, array element types and `Promise<T>`, so decorators also accept an explicit
// WireType. The declared type takes part in the API signature and is checked when values cross
// the wire; the value itself travels self-describing (see Value in transport/tsro.proto).

/** A leaf type. `any` accepts every value tsro can carry; `void` is a slot that returns nothing. */
export type ScalarType = 'any' | 'void' | 'bool' | 'int32' | 'int64' | 'double' | 'string' | 'bytes' | 'date';

/** A declared wire type. */
export type WireType =
  | ScalarType
  | { readonly array: WireType }
  | { readonly map: WireType }
  | { readonly object: { readonly [field: string]: WireType } }
  | { readonly nullable: WireType };

const SCALARS: ReadonlySet<string> = new Set<ScalarType>([
  'any', 'void', 'bool', 'int32', 'int64', 'double', 'string', 'bytes', 'date',
]);

/** True if `t` is a well-formed WireType (checked when decorators run, so mistakes fail early). */
export function isWireType(t: unknown): t is WireType {
  if (typeof t === 'string') return SCALARS.has(t);
  if (t === null || typeof t !== 'object') return false;
  const keys = Object.keys(t);
  if (keys.length !== 1) return false;
  const rec = t as Record<string, unknown>;
  switch (keys[0]) {
    case 'array':
    case 'map':
    case 'nullable':
      return isWireType(rec[keys[0]]);
    case 'object': {
      const fields = rec.object;
      if (fields === null || typeof fields !== 'object') return false;
      return Object.values(fields as object).every(isWireType);
    }
    default:
      return false;
  }
}

/**
 * The wire type reflection metadata implies for a design-time constructor. Anything metadata
 * cannot see through (unions, interfaces, Promise) becomes `any`.
 */
export function wireTypeFromDesign(ctor: unknown): WireType {
  switch (ctor) {
    case Number: return 'double';
    case String: return 'string';
    case Boolean: return 'bool';
    case BigInt: return 'int64';
    case Date: return 'date';
    case Uint8Array: return 'bytes';
    case Array: return { array: 'any' };
    case Map: return { map: 'any' };
    case undefined: return 'void';
    default:
      if (typeof Buffer !== 'undefined' && ctor === Buffer) return 'bytes';
      return 'any';
  }
}

/** A canonical, order-preserving text form of a type, used by signatures and messages. */
export function wireTypeToString(t: WireType): string {
  if (typeof t === 'string') return t;
  if ('array' in t) return `${wireTypeToString(t.array)}[]`;
  if ('map' in t) return `map<${wireTypeToString(t.map)}>`;
  if ('nullable' in t) return `${wireTypeToString(t.nullable)}?`;
  const fields = Object.entries(t.object).map(([k, v]) => `${JSON.stringify(k)}:${wireTypeToString(v)}`);
  return `{${fields.join(',')}}`;
}
