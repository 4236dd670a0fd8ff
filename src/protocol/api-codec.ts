// Converts API descriptions to and from the ApiDefinition message that dynamic replicas receive,
// and wire types to and from TypeRef. A definition from the wire is validated as it is read:
// a hostile or broken peer gets a PROTOCOL_ERROR, not a half-built API.

import { ProtocolError } from '../errors';
import {
  makeApiDescription,
  type ApiDescription,
  type MethodDescription,
  type PropertyDescription,
  type PropertyMode,
} from '../api/api-description';
import { computeSignature } from '../api/signature';
import { sealType, type ScalarType, type WireType } from '../api/wire-type';

/** Object form of tsro.v1.TypeRef. */
export interface TypeRefMessage {
  scalar?: number | null;
  array?: TypeRefMessage | null;
  map?: TypeRefMessage | null;
  object?: { fields?: { name?: string | null; type?: TypeRefMessage | null }[] | null } | null;
  nullable?: TypeRefMessage | null;
  enumType?: EnumTypeMessage | null;
  valueType?: { name?: string | null; fields?: { name?: string | null; type?: TypeRefMessage | null }[] | null } | null;
  child?: { typeName?: string | null; signature?: string | null } | null;
  /** Set by the decoder: the member of the oneof read last (the one that counts). */
  kind?: string;
}

/** Object form of tsro.v1.EnumType. */
export interface EnumTypeMessage {
  name?: string | null;
  members?: { name?: string | null; number?: number | null; string?: string | null }[] | null;
}

interface MethodMessage {
  name?: string | null;
  params?: { name?: string | null; type?: TypeRefMessage | null }[] | null;
  returns?: TypeRefMessage | null;
  required?: number | null;
  stream?: boolean | null;
}

/** Object form of tsro.v1.ApiDefinition. */
export interface ApiDefinitionMessage {
  typeName?: string | null;
  signature?: string | null;
  properties?: { name?: string | null; type?: TypeRefMessage | null; mode?: number | null }[] | null;
  signals?: MethodMessage[] | null;
  slots?: MethodMessage[] | null;
}

// Numbers as in enum Scalar of tsro.proto; spec/golden.spec.ts pins them against the schema.
const SCALAR_CODES: Record<ScalarType, number> = {
  any: 0, void: 1, bool: 2, int32: 3, int64: 4, double: 5, string: 6, bytes: 7, date: 8,
};
const SCALAR_NAMES = Object.fromEntries(Object.entries(SCALAR_CODES).map(([k, v]) => [v, k])) as Record<number, ScalarType>;
// Numbers as in enum PropertyMode of tsro.proto.
const MODE_CODES: Record<PropertyMode, number> = { writable: 0, readonly: 1, constant: 2, sourceOnlySetter: 3 };
const MODE_NAMES = Object.fromEntries(Object.entries(MODE_CODES).map(([k, v]) => [v, k])) as Record<number, PropertyMode>;
const MAX_TYPE_DEPTH = 32;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function typeToMessage(t: WireType): TypeRefMessage {
  if (typeof t === 'string') return { scalar: SCALAR_CODES[t] };
  if ('array' in t) return { array: typeToMessage(t.array) };
  if ('map' in t) return { map: typeToMessage(t.map) };
  if ('nullable' in t) return { nullable: typeToMessage(t.nullable) };
  if ('child' in t) return { child: { typeName: t.child.typeName, signature: t.child.signature } };
  if ('enum' in t) {
    const members = Object.entries(t.enum).map(([name, v]) => (typeof v === 'number' ? { name, number: v } : { name, string: v }));
    return { enumType: t.name === undefined ? { members } : { name: t.name, members } };
  }
  if ('valueType' in t) {
    return { valueType: { name: t.valueType, fields: Object.entries(t.fields).map(([name, type]) => ({ name, type: typeToMessage(type) })) } };
  }
  return { object: { fields: Object.entries(t.object).map(([name, type]) => ({ name, type: typeToMessage(type) })) } };
}

function bad(msg: string): ProtocolError {
  return new ProtocolError('PROTOCOL_ERROR', `invalid API definition: ${msg}`);
}

export function typeFromMessage(m: TypeRefMessage | null | undefined, depth = 0): WireType {
  if (!m) return 'any';
  if (depth > MAX_TYPE_DEPTH) throw bad('type nested too deeply');
  // A decoded message names the member read last (protobuf's rule when several are present):
  // only that one counts.
  if (typeof m.kind === 'string') m = { [m.kind]: (m as Record<string, unknown>)[m.kind] } as TypeRefMessage;
  if (m.array) return { array: typeFromMessage(m.array, depth + 1) };
  if (m.map) return { map: typeFromMessage(m.map, depth + 1) };
  if (m.nullable) return { nullable: typeFromMessage(m.nullable, depth + 1) };
  if (m.object) {
    const object: Record<string, WireType> = Object.create(null);
    for (const f of m.object.fields ?? []) object[f.name ?? ''] = typeFromMessage(f.type, depth + 1);
    return { object: { ...object } };
  }
  if (m.enumType) return enumFromMessage(m.enumType);
  if (m.child) {
    const typeName = m.child.typeName ?? '';
    const signature = m.child.signature ?? '';
    if (!typeName || !signature) throw bad('a child type has no type name or signature');
    return sealType({ child: Object.freeze({ typeName, signature }) });
  }
  if (m.valueType) {
    const name = m.valueType.name ?? '';
    if (!name) throw bad('a value type has no name');
    const fields: Record<string, WireType> = {};
    for (const f of m.valueType.fields ?? []) {
      const key = f.name ?? '';
      if (!key || key === '__proto__') throw bad(`value type ${name} has a field named ${JSON.stringify(key)}`);
      if (hasOwn(fields, key)) throw bad(`value type ${name} has field ${JSON.stringify(key)} twice`);
      fields[key] = typeFromMessage(f.type, depth + 1);
    }
    if (Object.keys(fields).length === 0) throw bad(`value type ${name} has no fields`);
    return sealType({ valueType: name, fields: Object.freeze(fields) });
  }
  const scalar = SCALAR_NAMES[m.scalar ?? 0];
  if (!scalar) throw bad(`unknown scalar type ${m.scalar}`);
  return scalar;
}

function enumFromMessage(m: EnumTypeMessage): WireType {
  const members: Record<string, number | string> = {};
  for (const mem of m.members ?? []) {
    const key = mem.name ?? '';
    if (!key) throw bad('an enum member has no name');
    if (hasOwn(members, key)) throw bad(`enum member ${JSON.stringify(key)} is defined twice`);
    let value: number | string;
    const last = (mem as { value?: unknown }).value; // the oneof member read last, when decoded
    if (last === 'string' && typeof mem.string === 'string') value = mem.string;
    else if (last === 'number' && typeof mem.number === 'number') value = mem.number;
    else if (hasOwn(mem, 'string') && typeof mem.string === 'string') value = mem.string;
    else if (hasOwn(mem, 'number') && typeof mem.number === 'number') value = mem.number;
    else throw bad(`enum member ${JSON.stringify(key)} has no value`);
    Object.defineProperty(members, key, { value, writable: true, enumerable: true, configurable: true });
  }
  if (Object.keys(members).length === 0) throw bad('an enum has no members');
  Object.freeze(members);
  const name = m.name ?? '';
  return sealType(name ? { enum: members, name } : { enum: members });
}

function methodToMessage(m: MethodDescription): MethodMessage {
  return {
    name: m.name,
    params: m.params.map((p) => ({ name: p.name, type: typeToMessage(p.type) })),
    returns: typeToMessage(m.returns),
    required: m.required,
    ...(m.stream ? { stream: true } : {}),
  };
}

export function apiToMessage(api: ApiDescription): ApiDefinitionMessage {
  return {
    typeName: api.typeName,
    signature: api.signature,
    properties: api.properties.map((p) => ({ name: p.name, type: typeToMessage(p.type), mode: MODE_CODES[p.mode] })),
    signals: api.signals.map(methodToMessage),
    slots: api.slots.map(methodToMessage),
  };
}

function methodFromMessage(m: MethodMessage, index: number): MethodDescription {
  const params = (m.params ?? []).map((p) => ({ name: p.name ?? '', type: typeFromMessage(p.type) }));
  const required = m.required ?? 0;
  if (required > params.length) throw bad(`method "${m.name}" requires more arguments than it has`);
  const method = { name: m.name ?? '', index, params, required, returns: typeFromMessage(m.returns) };
  return m.stream ? { ...method, stream: true } : method;
}

/**
 * Reads a definition from the wire. The signature is recomputed from the members, so a peer
 * cannot claim one API and describe another.
 */
export function apiFromMessage(m: ApiDefinitionMessage): ApiDescription {
  const typeName = m.typeName ?? '';
  const properties: PropertyDescription[] = (m.properties ?? []).map((p, index) => {
    const mode = MODE_NAMES[p.mode ?? 0];
    if (!mode) throw bad(`property "${p.name}" has unknown mode ${p.mode}`);
    return { name: p.name ?? '', index, type: typeFromMessage(p.type), readonly: mode !== 'writable', mode };
  });
  const signals = (m.signals ?? []).map(methodFromMessage);
  const slots = (m.slots ?? []).map(methodFromMessage);
  const names = new Set<string>();
  for (const member of [...properties, ...signals, ...slots]) {
    if (!member.name) throw bad('a member has no name');
    if (names.has(member.name)) throw bad(`"${member.name}" is defined twice`);
    names.add(member.name);
  }
  const signature = computeSignature(typeName, properties, signals, slots);
  if (m.signature && m.signature !== signature) throw bad(`signature ${m.signature} does not match its members`);
  return makeApiDescription(typeName, properties, signals, slots, signature);
}
