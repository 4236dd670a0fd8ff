// What the decorators record, and how a class's remote API is resolved from it.
//
// Each decorator appends a member declaration to its class's own list (kept with
// reflect-metadata on the prototype, so a subclass never mutates its ancestor's list). The API
// of a class is resolved once and cached: the nearest class in the prototype chain that carries
// its own @RemoteObjectType is the API class; its members and its ancestors' (ancestors first,
// each in declaration order) form the API. Members a subclass of the API class adds are not
// remoted, as in QtRO, so a source `PrinterService extends Printer` has Printer's signature.

import 'reflect-metadata';
import { UsageError } from '../errors';
import { checkLegacyDecoratorCall, declaresParameters, missingMetadata } from './decorator-checks';
import {
  makeApiDescription,
  type ApiDescription,
  type MethodDescription,
  type ParamDescription,
  type PropertyDescription,
  type PropertyMode,
} from './api-description';
import { computeSignature } from './signature';
import {
  normalizeType,
  registerChildType,
  sealType,
  valueTypeOf,
  wireTypeFromDesign,
  type ChildTypeRef,
  type TypeSpec,
  type WireType,
} from './wire-type';
import { classChain } from '../util/objects';

const MEMBERS_KEY = 'tsro:members';
const TYPE_NAME_KEY = 'tsro:typeName';
// Which loaded copy of tsro declared a class's remote members. Decorator metadata lives in the
// process-wide reflect-metadata store, but a source's values and hooks live in module state of
// the copy whose decorators ran: a class declared with one copy (say 'tsro' from one install)
// and remoted or acquired through another (a second install, or a path import next to the
// package name) would replicate nothing. apiOf refuses it instead.
const COPY_KEY = 'tsro:copy';
const THIS_COPY: object = Object.freeze({});

/** A class that may carry decorators. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyClass = abstract new (...args: any[]) => object;

export type MemberDeclaration =
  | {
      readonly kind: 'property';
      readonly name: string;
      readonly type: WireType;
      readonly mode: PropertyMode;
      readonly persisted: boolean;
    }
  | {
      readonly kind: 'signal' | 'slot';
      readonly name: string;
      readonly params: readonly ParamDescription[];
      readonly required: number;
      readonly returns: WireType;
      /** A stream slot: `returns` is the type of each item. */
      readonly stream?: boolean;
      /** Set on the slot a `sourceOnlySetter` property generates: the property's name. */
      readonly pushFor?: string;
    };

/**
 * Names a replica handle uses for itself: its public API (everything else lives behind a
 * #private field) and JavaScript's own. A remote member with one of these names would collide
 * with them on typed replicas, so declaring one is an error. spec/lib/reserved-names.spec.ts
 * checks that every member of the handle classes is listed.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  // the public replica API (ReplicaHandle, DynamicReplica)
  'state', 'name', 'on', 'off', 'once', 'release', 'waitForSource', 'isReplicaValid', 'listenerCount', 'signatureMismatch',
  'propertyNames', 'get', 'set', 'invoke', 'api', 'withCallOptions',
  // JavaScript's own
  'constructor', '__proto__', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf',
  'propertyIsEnumerable', 'toLocaleString', 'then',
]);
const RESERVED = RESERVED_NAMES;

function declarationError(cls: string, msg: string): UsageError {
  return new UsageError('DECLARATION_INVALID', `${cls}: ${msg}`);
}

/** Records a member declaration on `prototype`'s class. */
export function declareMember(prototype: object, decl: MemberDeclaration): void {
  const cls = (prototype as { constructor?: { name?: string } }).constructor?.name ?? '<anonymous>';
  if (RESERVED.has(decl.name)) {
    throw declarationError(cls, `"${decl.name}" cannot be a remote member: replicas reserve that name`);
  }
  const own: MemberDeclaration[] | undefined = Reflect.getOwnMetadata(MEMBERS_KEY, prototype);
  const list = own ?? [];
  const previous = list.find((m) => m.name === decl.name);
  if (previous) {
    const pushFor = previous.kind === 'slot' ? previous.pushFor : decl.kind === 'slot' ? decl.pushFor : undefined;
    if (pushFor !== undefined) {
      throw declarationError(cls, `"${decl.name}" is the push slot generated for sourceOnlySetter property "${pushFor}"; declare it without a decorator to override it`);
    }
    throw declarationError(cls, `"${decl.name}" is decorated twice`);
  }
  list.push(decl);
  if (!own) Reflect.defineMetadata(MEMBERS_KEY, list, prototype);
  Reflect.defineMetadata(COPY_KEY, THIS_COPY, prototype);
}

/** Records the type name given by @RemoteObjectType. */
export function declareTypeName(ctor: AnyClass, typeName: string): void {
  Reflect.defineMetadata(TYPE_NAME_KEY, typeName, ctor);
  Reflect.defineMetadata(COPY_KEY, THIS_COPY, ctor);
}

/** Throws if a class of `ctor`'s chain was declared with another loaded copy of tsro. */
function checkSameCopy(ctor: AnyClass): void {
  for (const c of classChain(ctor)) {
    for (const target of [c, (c as { prototype: object }).prototype]) {
      const copy: unknown = Reflect.getOwnMetadata(COPY_KEY, target);
      if (copy !== undefined && copy !== THIS_COPY) {
        throw declarationError(
          (c as AnyClass).name,
          'its decorators come from another copy of tsro than the one remoting or acquiring it, so nothing would replicate. Load tsro once per process: check for two installs (npm ls tsro) or imports of tsro by a file path beside the package name',
        );
      }
    }
  }
}

/** The @RemoteObjectType name of this class or its nearest ancestor that has one. */
export function typeNameOf(ctor: AnyClass): string | undefined {
  return findApiClass(ctor) ? Reflect.getOwnMetadata(TYPE_NAME_KEY, findApiClass(ctor)!) : undefined;
}

function findApiClass(ctor: AnyClass): AnyClass | undefined {
  for (const c of classChain(ctor)) if (Reflect.hasOwnMetadata(TYPE_NAME_KEY, c)) return c as AnyClass;
  return undefined;
}

/**
 * Wire type of a declaration: the explicit option if given (resolved: enums, value type classes,
 * containers of them), else from metadata (a @ValueType class is its value type).
 */
export function resolveWireType(cls: string, what: string, explicit: unknown, design: unknown): WireType {
  if (explicit !== undefined) {
    try {
      return normalizeType(explicit);
    } catch (err) {
      throw declarationError(cls, `${what}: ${(err as Error).message}`);
    }
  }
  return wireTypeFromDesign(design);
}

/**
 * True if `cls` is a remote object class (it or an ancestor has @RemoteObjectType or decorated
 * members), and not a @ValueType class: as a property's type, it declares a child object.
 */
export function isRemoteObjectClass(cls: unknown): cls is AnyClass {
  if (typeof cls !== 'function' || valueTypeOf(cls) !== undefined) return false;
  if (findApiClass(cls as AnyClass)) return true;
  for (const c of classChain(cls)) {
    const proto: unknown = c.prototype;
    if (proto && typeof proto === 'object' && Reflect.hasOwnMetadata(MEMBERS_KEY, proto)) return true;
  }
  return false;
}

const childTypes = new WeakMap<object, ChildTypeRef>();

/** The child type of a remote object class: its type name and API signature (resolved once). */
export function childTypeOf(cls: AnyClass): ChildTypeRef {
  let t = childTypes.get(cls);
  if (!t) {
    const api = apiOf(cls);
    t = sealType({ child: Object.freeze({ typeName: api.typeName, signature: api.signature }) });
    registerChildType(t, cls);
    childTypes.set(cls, t);
  }
  return t;
}

/** Parameter names from a function's source text; empty names where that fails. */
export function parameterNames(fn: Function, count: number): string[] {
  const src = Function.prototype.toString.call(fn);
  const open = src.indexOf('(');
  let names: string[] = [];
  if (open >= 0) {
    let depth = 0;
    let end = open;
    for (; end < src.length; end++) {
      const ch = src[end];
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') {
        depth--;
        if (depth === 0) break;
      }
    }
    names = src
      .slice(open + 1, end)
      .split(',')
      .map((p) => p.trim().replace(/^\.\.\./, '').split(/[\s=:]/)[0] ?? '')
      .filter((p, i, all) => p.length > 0 || i < all.length - 1);
  }
  return Array.from({ length: count }, (_, i) => (/^[A-Za-z_$][\w$]*$/.test(names[i] ?? '') ? names[i]! : ''));
}

/** True if the function's parameter list has a rest parameter. */
export function hasRestParameter(fn: Function): boolean {
  const src = Function.prototype.toString.call(fn);
  const close = src.indexOf(')');
  return close > 0 && src.slice(0, close).includes('...');
}

const apiCache = new WeakMap<object, ApiDescription>();

/**
 * The remote API of a class (see the header for the rules). Throws DECLARATION_INVALID when the
 * class has no decorated member or a name is declared twice across kinds.
 */
export function apiOf(ctor: AnyClass): ApiDescription {
  const cached = apiCache.get(ctor);
  if (cached) return cached;
  checkSameCopy(ctor);
  const apiClass = findApiClass(ctor) ?? ctor;
  const typeName: string = Reflect.getOwnMetadata(TYPE_NAME_KEY, apiClass) ?? apiClass.name;
  if (apiClass !== ctor) checkNoSubclassMembers(ctor, apiClass, typeName);

  const chain = [...classChain(apiClass)].reverse().map((c) => c.prototype as object);
  const properties: PropertyDescription[] = [];
  const signals: MethodDescription[] = [];
  const slots: MethodDescription[] = [];
  const seen = new Map<string, string>();
  for (const proto of chain) {
    const members: MemberDeclaration[] = Reflect.getOwnMetadata(MEMBERS_KEY, proto) ?? [];
    for (const m of members) {
      const previous = seen.get(m.name);
      if (previous !== undefined) {
        throw declarationError(apiClass.name, `"${m.name}" is declared both as ${previous} and as ${m.kind}`);
      }
      seen.set(m.name, m.kind);
      if (m.kind === 'property') {
        properties.push({
          name: m.name,
          index: properties.length,
          type: m.type,
          readonly: m.mode !== 'writable',
          mode: m.mode,
          persisted: m.persisted,
        });
      } else {
        const list = m.kind === 'signal' ? signals : slots;
        const method = { name: m.name, index: list.length, params: m.params, required: m.required, returns: m.returns };
        list.push(m.stream ? { ...method, stream: true } : method);
      }
    }
  }
  for (const p of properties) {
    const changed = `${p.name}Changed`;
    if (seen.has(changed)) {
      throw declarationError(apiClass.name, `"${changed}" clashes with the change event of property "${p.name}"`);
    }
  }
  if (properties.length + signals.length + slots.length === 0) {
    throw declarationError(apiClass.name, 'has no @Property, @Signal or @Slot members, so there is nothing to remote');
  }
  const api = makeApiDescription(typeName, properties, signals, slots, computeSignature(typeName, properties, signals, slots));
  apiCache.set(ctor, api);
  return api;
}

/**
 * Members decorated in a subclass of the API class would not be remoted (the API is the class
 * that carries the type name, as in QtRO): a decorator that does nothing is an error. Members the
 * API class declares already (an override) are fine: the subclass's code runs for them.
 */
function checkNoSubclassMembers(ctor: AnyClass, apiClass: AnyClass, typeName: string): void {
  const api = new Set<string>();
  for (let c: unknown = apiClass; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const m of (Reflect.getOwnMetadata(MEMBERS_KEY, (c as { prototype: object }).prototype) ?? []) as MemberDeclaration[]) api.add(m.name);
  }
  for (let c: unknown = ctor; c !== apiClass && typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    const members: MemberDeclaration[] = Reflect.getOwnMetadata(MEMBERS_KEY, (c as { prototype: object }).prototype) ?? [];
    const extra = members.filter((m) => !api.has(m.name));
    if (extra.length === 0) continue;
    const sub = (c as AnyClass).name;
    const list = extra.map((m) => `${decoratorOf(m)} ${m.name}`).join(', ');
    throw declarationError(
      sub,
      `${list} ${extra.length === 1 ? 'is' : 'are'} declared in a subclass of ${apiClass.name}, the @RemoteObjectType('${typeName}') class, so ${extra.length === 1 ? 'it is' : 'they are'} not remoted: the remote API is the class that carries the type name and its ancestors. Declare ${extra.length === 1 ? 'it' : 'them'} on ${apiClass.name}, or give ${sub} a type of its own with @RemoteObjectType('...')`,
    );
  }
}

function decoratorOf(m: MemberDeclaration): string {
  return m.kind === 'property' ? '@Property' : m.kind === 'signal' ? '@Signal' : '@Slot';
}

/**
 * The checked method and parameter list of a @Signal or @Slot: a string-named method without a
 * rest parameter, its parameters typed by the explicit option or by `design:paramtypes`.
 */
export function declaredMethod(
  decorator: 'signal' | 'slot',
  prototype: object,
  key: string | symbol,
  descriptor: PropertyDescriptor,
  explicit: readonly TypeSpec[] | undefined,
): { readonly cls: string; readonly name: string; readonly fn: Function; readonly params: ParamDescription[] } {
  const label = decorator === 'signal' ? '@Signal' : '@Slot';
  checkLegacyDecoratorCall(label, prototype, key);
  const cls = (prototype as { constructor: { name: string } }).constructor.name;
  const fn: unknown = descriptor?.value;
  if (typeof key !== 'string' || typeof fn !== 'function') {
    throw new UsageError('DECLARATION_INVALID', `${cls}: ${label} goes on a string-named method`);
  }
  if (hasRestParameter(fn)) {
    throw new UsageError('DECLARATION_INVALID', `${cls}: ${decorator} "${key}" has a rest parameter; take an array instead`);
  }
  const designTypes: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', prototype, key);
  if (designTypes === undefined && explicit === undefined && declaresParameters(fn)) {
    throw missingMetadata(cls, `the parameters of ${decorator} "${key}"`, '{ params: [...] }');
  }
  const design = designTypes ?? [];
  const count = explicit?.length ?? design.length;
  const names = parameterNames(fn, count);
  const params = Array.from({ length: count }, (_, i) => ({
    name: names[i]!,
    type: resolveWireType(cls, `parameter ${i + 1} of ${decorator} "${key}"`, explicit?.[i], design[i]),
  }));
  return { cls, name: key, fn, params };
}
