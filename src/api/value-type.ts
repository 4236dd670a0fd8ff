// @ValueType(name?) and @Field(options?): plain data classes (QtRO's PODs / Q_GADGETs) usable as
// the type of a property, a signal or slot parameter, a slot's return value, and inside arrays,
// maps, nullables, object types and other value types.
//
//   @ValueType()
//   class Point {
//     @Field() x: number = 0;            // design:type Number -> double
//     @Field({ type: 'int32' }) tag = 0; // explicit, as for @Property
//   }
//
// On the wire a value type is an ordinary Struct (a plain object with the declared fields, in
// order): no class name travels. Sending takes an instance (or a plain object with exactly the
// declared fields) and checks every field; receiving gives typed replicas (and a source, for the
// slot arguments and property sets it receives) instances again, made with
// `Object.create(Cls.prototype)` and the fields defined as own data properties: the constructor
// does NOT run (it may need arguments or have side effects), and only classes registered with
// @ValueType are ever instantiated. Dynamic replicas get plain objects. The name and the fields
// (names and types, in order) take part in the API signature.
//
// Fields are resolved when @ValueType runs (after every @Field of the class): a value type used
// by another must be declared first, and a value type cannot contain itself.

import { checkLegacyDecoratorCall, missingMetadata } from './decorator-checks';
import 'reflect-metadata';
import { UsageError } from '../errors';
import {
  normalizeType,
  registerValueType,
  sealType,
  wireTypeFromDesign,
  type ClassLike,
  type TypeSpec,
  type ValueTypeRef,
  type WireType,
} from './wire-type';
import { classChain } from '../util/objects';

const FIELDS_KEY = 'tsro:fields';

/** Options of `@Field(options)`. */
export interface FieldOptions {
  /** Wire type, where `design:type` is too coarse (int32, int64, arrays' element types, enums). */
  readonly type?: TypeSpec;
}

interface FieldDeclaration {
  readonly name: string;
  readonly explicit: unknown;
  readonly design: unknown;
}

function declarationError(cls: string, msg: string): UsageError {
  return new UsageError('DECLARATION_INVALID', `${cls}: ${msg}`);
}

/** A field of a `@ValueType` class. */
export function Field(options: FieldOptions = {}): PropertyDecorator {
  return (prototype: object, key: string | symbol): void => {
    checkLegacyDecoratorCall('@Field', prototype, key);
    const cls = (prototype as { constructor: { name: string } }).constructor.name;
    if (typeof key !== 'string') throw declarationError(cls, '@Field needs a string-named member');
    const own: FieldDeclaration[] | undefined = Reflect.getOwnMetadata(FIELDS_KEY, prototype);
    const list = own ?? [];
    if (list.some((f) => f.name === key)) throw declarationError(cls, `field "${key}" is decorated twice`);
    const design: unknown = Reflect.getMetadata('design:type', prototype, key);
    if (design === undefined && options.type === undefined) throw missingMetadata(cls, `field "${key}"`, '@Field({ type: ... })');
    list.push({ name: key, explicit: options.type, design });
    if (!own) Reflect.defineMetadata(FIELDS_KEY, list, prototype);
  };
}

/**
 * Declares a value type; `name` (default: the class name) is what the API signature and dynamic
 * replicas' API descriptions call it. Fields of ancestors come first.
 */
export function ValueType(name?: string): <C extends ClassLike>(target: C) => C {
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new UsageError('DECLARATION_INVALID', `@ValueType needs a non-empty name, got ${String(name)}`);
  }
  return <C extends ClassLike>(target: C): C => {
    const typeName = name ?? target.name;
    if (!typeName) throw new UsageError('DECLARATION_INVALID', '@ValueType on an anonymous class needs a name');
    const chain = [...classChain(target)].reverse().map((c) => c.prototype as object);
    const fields: Record<string, WireType> = {};
    for (const proto of chain) {
      const decls: FieldDeclaration[] = Reflect.getOwnMetadata(FIELDS_KEY, proto) ?? [];
      for (const f of decls) {
        if (Object.prototype.hasOwnProperty.call(fields, f.name)) {
          throw declarationError(target.name, `field "${f.name}" is declared twice (also by an ancestor)`);
        }
        if (f.name === '__proto__') throw declarationError(target.name, 'a field cannot be named "__proto__"');
        let type: WireType;
        try {
          if (f.explicit !== undefined) type = normalizeType(f.explicit, target);
          else if (f.design === target) throw new Error(`value type ${target.name} cannot contain itself`);
          else type = wireTypeFromDesign(f.design);
        } catch (err) {
          throw declarationError(target.name, `field "${f.name}": ${(err as Error).message}`);
        }
        fields[f.name] = type;
      }
    }
    if (Object.keys(fields).length === 0) throw declarationError(target.name, '@ValueType has no @Field members');
    const ref: ValueTypeRef = sealType({ valueType: typeName, fields: Object.freeze(fields) });
    registerValueType(target, ref);
    return target;
  };
}
