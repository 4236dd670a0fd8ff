// Wire types: what a property, signal argument or slot parameter is declared to carry.
// Reflection metadata gives a constructor (Number, String, ...); it is blind to unions,
// `T | null`, array element types, enums and `Promise<T>`, so decorators also accept an explicit
// type. The declared type takes part in the API signature and is checked when values cross
// the wire; the value itself travels self-describing (see Value in src/protocol/tsro.proto).
//
// Two forms:
// - TypeSpec, what a declaration may say: a WireType, or a TypeScript enum object, or a
//   @ValueType class, nested anywhere a type goes (`{ array: Point }`, `{ nullable: Color }`).
// - WireType, the resolved form every layer works with (normalizeType turns a TypeSpec into
//   one): scalars, containers, `{ enum: { Member: value, ... }, name? }` (reverse mappings of
//   numeric enums stripped) and `{ valueType: 'Point', fields: { x: 'double', ... } }`.
//   A child object property (QtRO's CLASS) resolves to `{ child: { typeName, signature } }`
//   (metadata.ts childTypeOf; the class is kept aside like a value type's, childTypeClass).
//   Resolved types are frozen; the class of a value type is kept aside (valueTypeClass), so a
//   type that came over the wire never names a class and never makes one.


import { defineOwn } from '../util/objects';
/** A leaf type. `any` accepts every value tsro can carry; `void` is a slot that returns nothing. */
export type ScalarType = 'any' | 'void' | 'bool' | 'int32' | 'int64' | 'double' | 'string' | 'bytes' | 'date';

/** Members of an enum as declared: name -> value (a TypeScript enum object is one). */
export type EnumMembers = { readonly [member: string]: number | string };

/** A resolved enum type: its members in declaration order, and its name if one was given. */
export interface EnumType {
  /** Member name -> value, in declaration order. */
  readonly enum: EnumMembers;
  /** The enum's name, if the declaration gave one (part of the signature). */
  readonly name?: string;
}

/** A resolved value type (QtRO's POD/gadget): its name and its fields in declaration order. */
export interface ValueTypeRef {
  /** The `@ValueType` name. */
  readonly valueType: string;
  /** Field name -> wire type, in declaration order. */
  readonly fields: { readonly [field: string]: WireType };
}

/**
 * A child object (QtRO's CLASS property): another remote object class, by its type name and API
 * signature. Only a property may have this type; on the wire its value is the name of the hidden
 * child source the host remotes the object under (a string), or null.
 */
export interface ChildTypeRef {
  /** The child class's type name and API signature. */
  readonly child: {
    /** The child class's `@RemoteObjectType` name. */
    readonly typeName: string;
    /** The child class's API signature. */
    readonly signature: string;
  };
}

/** A declared wire type, resolved. */
export type WireType =
  | ChildTypeRef
  | ScalarType
  | {
      /** An array of this element type. */
      readonly array: WireType;
    }
  | {
      /** A Map with string keys and values of this type. */
      readonly map: WireType;
    }
  | {
      /** A plain object with exactly these fields. */
      readonly object: { readonly [field: string]: WireType };
    }
  | {
      /** This type, or null. */
      readonly nullable: WireType;
    }
  | EnumType
  | ValueTypeRef;

/** A class (used for `@ValueType` classes in type declarations). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ClassLike = abstract new (...args: any[]) => object;

/**
 * What a declaration may give as a type: a WireType; a TypeScript enum (the enum object itself,
 * or `{ enum: E, name?: 'E' }`); a `@ValueType` class; or containers of these.
 *
 * An enum object is told from a container type by its shape: a one-key object whose key is
 * `array`, `map`, `object` or `nullable` is a container, so an enum whose only member is named
 * like that must be given as `{ enum: E }`, which is always safe.
 */
export type TypeSpec =
  | WireType
  | ClassLike
  | EnumMembers
  | {
      /** A TypeScript enum object. */
      readonly enum: EnumMembers;
      /** Its name (defaults to none; part of the signature). */
      readonly name?: string;
    }
  | {
      /** An array of this element type. */
      readonly array: TypeSpec;
    }
  | {
      /** A Map with string keys and values of this type. */
      readonly map: TypeSpec;
    }
  | {
      /** This type, or null. */
      readonly nullable: TypeSpec;
    }
  | {
      /** A plain object with exactly these fields. */
      readonly object: { readonly [field: string]: TypeSpec };
    };

const SCALARS: ReadonlySet<string> = new Set<ScalarType>([
  'any', 'void', 'bool', 'int32', 'int64', 'double', 'string', 'bytes', 'date',
]);

const MAX_TYPE_DEPTH = 32;

// ---- value type registry ----------------------------------------------------------------------

/** @ValueType classes -> their resolved type. Only these are ever instantiated from wire data. */
const valueTypesByClass = new WeakMap<object, ValueTypeRef>();
/** Resolved value types -> their class (absent for value types that came over the wire). */
const classesByValueType = new WeakMap<object, ClassLike>();

/** Registers a @ValueType class (called by the decorator). */
export function registerValueType(cls: ClassLike, ref: ValueTypeRef): void {
  valueTypesByClass.set(cls, ref);
  classesByValueType.set(ref, cls);
}

/** The resolved type of a @ValueType class; undefined for any other value. */
export function valueTypeOf(cls: unknown): ValueTypeRef | undefined {
  return typeof cls === 'function' ? valueTypesByClass.get(cls) : undefined;
}

/** The class behind a resolved value type, if it was declared in this process. */
export function valueTypeClass(ref: ValueTypeRef): ClassLike | undefined {
  return classesByValueType.get(ref);
}

// ---- child object types ----------------------------------------------------------------------

/** Resolved child types -> the remote object class they were declared with (this process only). */
const classesByChildType = new WeakMap<object, ClassLike>();

/** Records the class behind a resolved child type (called by metadata.ts). */
export function registerChildType(ref: ChildTypeRef, cls: ClassLike): void {
  classesByChildType.set(ref, cls);
}

/** The class behind a resolved child type, if it was declared in this process. */
export function childTypeClass(ref: ChildTypeRef): ClassLike | undefined {
  return classesByChildType.get(ref);
}

/** True if `t` is a child object type. */
export function isChildType(t: WireType | undefined): t is ChildTypeRef {
  return typeof t === 'object' && t !== null && 'child' in t;
}

// ---- resolution -------------------------------------------------------------------------------

/** Every object normalizeType returned (or was built as resolved): resolving them again is free. */
const resolved = new WeakSet<object>();

/** Marks a freshly built resolved type (frozen, and known as resolved). */
export function sealType<T extends object>(t: T): T {
  Object.freeze(t);
  resolved.add(t);
  return t;
}

/**
 * The members of a TypeScript enum object: its own enumerable keys with number or string values,
 * without the reverse mappings (`E[0] === 'A'`) numeric enums also carry. Undefined if the object
 * has anything else.
 */
export function enumMembers(obj: object): [string, number | string][] | undefined {
  const rec = obj as Record<string, unknown>;
  const out: [string, number | string][] = [];
  for (const key of Object.keys(obj)) {
    const v = rec[key];
    if (typeof v === 'number') {
      out.push([key, v]);
    } else if (typeof v === 'string') {
      // A reverse mapping: key "0" -> "A" where E.A === 0.
      const forward = Object.prototype.hasOwnProperty.call(obj, v) ? rec[v] : undefined;
      if (typeof forward === 'number' && String(forward) === key) continue;
      out.push([key, v]);
    } else {
      return undefined;
    }
  }
  return out;
}

const enumCache = new WeakMap<object, Map<string, EnumType>>();

function makeEnumType(members: [string, number | string][], name: string | undefined): EnumType {
  const rec: Record<string, number | string> = {};
  for (const [k, v] of members) defineOwn(rec, k, v);
  Object.freeze(rec);
  return sealType(name === undefined ? { enum: rec } : { enum: rec, name });
}

function resolveEnum(obj: object, name: string | undefined): EnumType {
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new Error(`an enum's name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  let byName = enumCache.get(obj);
  const key = name ?? '\u0000';
  const cached = byName?.get(key);
  if (cached) return cached;
  const members = enumMembers(obj);
  if (members === undefined) throw new Error('an enum may only have number or string members');
  if (members.length === 0) throw new Error('an enum needs at least one member');
  const t = makeEnumType(members, name);
  if (!byName) enumCache.set(obj, (byName = new Map()));
  byName.set(key, t);
  return t;
}

function describeSpec(spec: unknown): string {
  if (typeof spec === 'function') return spec.name ? `class ${spec.name}` : 'an anonymous class';
  try {
    return JSON.stringify(spec) ?? String(spec);
  } catch {
    return String(spec);
  }
}

/**
 * Resolves a TypeSpec to a WireType. Throws a plain Error saying what is wrong (decorators wrap
 * it into DECLARATION_INVALID). `self` is the @ValueType class being declared, to name the
 * mistake of a value type that contains itself.
 */
export function normalizeType(spec: unknown, self?: ClassLike, depth = 0): WireType {
  if (typeof spec === 'string') {
    if (SCALARS.has(spec)) return spec as ScalarType;
    throw new Error(`${JSON.stringify(spec)} is not a wire type`);
  }
  if (depth > MAX_TYPE_DEPTH) throw new Error(`type nested more than ${MAX_TYPE_DEPTH} levels deep`);
  if (typeof spec === 'function') {
    const vt = valueTypeOf(spec);
    if (vt) return vt;
    if (self !== undefined && spec === self) throw new Error(`value type ${self.name} cannot contain itself`);
    throw new Error(`${describeSpec(spec)} is not a @ValueType class (nor an enum or wire type)`);
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new Error(`${describeSpec(spec)} is not a wire type`);
  }
  if (resolved.has(spec)) return spec as WireType;
  const rec = spec as Record<string, unknown>;
  const keys = Object.keys(spec);
  // { enum: E } / { enum: E, name: 'E' }: an enum member's value is never an object.
  if (
    keys.includes('enum') &&
    keys.every((k) => k === 'enum' || k === 'name') &&
    rec.enum !== null &&
    typeof rec.enum === 'object'
  ) {
    return resolveEnum(rec.enum as object, rec.name as string | undefined);
  }
  if (
    keys.length === 2 &&
    typeof rec.valueType === 'string' &&
    rec.fields !== null &&
    typeof rec.fields === 'object'
  ) {
    // The resolved form of a value type without a class (as dynamic replicas see it).
    return sealType({ valueType: rec.valueType, fields: normalizeFields(rec.fields as object, self, depth) });
  }
  if (keys.length === 1) {
    switch (keys[0]) {
      case 'child': {
        // The resolved form of a child type without a class (as dynamic replicas see it).
        const c = rec.child as Record<string, unknown> | null;
        if (c !== null && typeof c === 'object' && typeof c.typeName === 'string' && typeof c.signature === 'string') {
          return sealType({ child: Object.freeze({ typeName: c.typeName, signature: c.signature }) });
        }
        break;
      }
      case 'array':
        return sealType({ array: normalizeType(rec.array, self, depth + 1) });
      case 'map':
        return sealType({ map: normalizeType(rec.map, self, depth + 1) });
      case 'nullable':
        return sealType({ nullable: normalizeType(rec.nullable, self, depth + 1) });
      case 'object':
        if (rec.object !== null && typeof rec.object === 'object') {
          return sealType({ object: normalizeFields(rec.object as object, self, depth) });
        }
        break;
    }
  }
  if (keys.length > 0 && enumMembers(spec) !== undefined) return resolveEnum(spec, undefined);
  throw new Error(`${describeSpec(spec)} is not a wire type`);
}

function normalizeFields(fields: object, self: ClassLike | undefined, depth: number): Record<string, WireType> {
  const out: Record<string, WireType> = {};
  for (const [k, v] of Object.entries(fields)) defineOwn(out, k, normalizeType(v, self, depth + 1));
  return Object.freeze(out);
}

/**
 * The wire type reflection metadata implies for a design-time constructor. A @ValueType class is
 * its value type; anything else metadata cannot see through (unions, interfaces, enums, Promise,
 * other classes) becomes `any`.
 */
export function wireTypeFromDesign(ctor: unknown): WireType {
  switch (ctor) {
    case Number: return 'double';
    case String: return 'string';
    case Boolean: return 'bool';
    case BigInt: return 'int64';
    case Date: return 'date';
    case Uint8Array: return 'bytes';
    case Array: return ARRAY_ANY;
    case Map: return MAP_ANY;
    case undefined: return 'void';
    default:
      // Node.js's Buffer, or any other subclass of Uint8Array.
      if (typeof ctor === 'function' && ctor.prototype instanceof Uint8Array) return 'bytes';
      return valueTypeOf(ctor) ?? 'any';
  }
}

const ARRAY_ANY = sealType({ array: 'any' as const });
const MAP_ANY = sealType({ map: 'any' as const });

function enumValueText(v: number | string): string {
  return typeof v === 'string' ? JSON.stringify(v) : Object.is(v, -0) ? '-0' : String(v);
}

/**
 * A canonical, order-preserving text form of a type, used by signatures (so it covers everything
 * that crosses the wire: enum names, members and values; value type names and fields).
 */
export function wireTypeToString(t: WireType): string {
  if (typeof t === 'string') return t;
  if ('array' in t) return `${wireTypeToString(t.array)}[]`;
  if ('map' in t) return `map<${wireTypeToString(t.map)}>`;
  if ('nullable' in t) return `${wireTypeToString(t.nullable)}?`;
  if ('child' in t) return `child ${JSON.stringify(t.child.typeName)}@${t.child.signature}`;
  if ('enum' in t) {
    const members = Object.entries(t.enum).map(([k, v]) => `${JSON.stringify(k)}=${enumValueText(v)}`);
    return `enum${t.name === undefined ? '' : ` ${JSON.stringify(t.name)}`}{${members.join(',')}}`;
  }
  const fields = Object.entries('valueType' in t ? t.fields : t.object).map(([k, v]) => `${JSON.stringify(k)}:${wireTypeToString(v)}`);
  return 'valueType' in t ? `value ${JSON.stringify(t.valueType)}{${fields.join(',')}}` : `{${fields.join(',')}}`;
}

/** A short form for messages: value types and named enums by their name. */
export function wireTypeLabel(t: WireType): string {
  if (typeof t === 'string') return t;
  if ('array' in t) return `${wireTypeLabel(t.array)}[]`;
  if ('map' in t) return `map<${wireTypeLabel(t.map)}>`;
  if ('nullable' in t) return `${wireTypeLabel(t.nullable)}?`;
  if ('child' in t) return `child ${t.child.typeName}`;
  if ('enum' in t) {
    const values = Object.values(t.enum).map(enumValueText);
    const list = values.length > 8 ? `${values.slice(0, 8).join(', ')}, …` : values.join(', ');
    return `enum ${t.name ?? ''}(${list})`.replace('enum (', 'enum(');
  }
  if ('valueType' in t) return t.valueType;
  return wireTypeToString(t);
}
