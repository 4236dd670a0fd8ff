// @Property(options?): a replicated property. Installs an accessor on the prototype that stores
// the value per instance and, when the value actually changes, checks it against the declared
// type, tells every observer (hosts) and emits `<name>Changed` locally if the object is an event
// emitter. Field initializers go through this accessor under `useDefineForClassFields: false`;
// under `true` (TypeScript's default for ES2022+ targets) they define an own data property that
// hides it, which the host adopts at enableRemoting (adoptProperties in host/source-state).
//
// On a get/set accessor pair of the class's own, the decorator keeps the class's getter and
// setter: a set (local or from a replica) runs the class's setter, then the getter's value is
// replicated if it changed. A getter alone is a read-only property; the class reports its
// changes with notifyPropertyChanged(this, name).
//
// Modes (docs/object-model.md, "Property modes"): writable (default), `readonly`, `constant` (the accessor
// refuses any change once the object has been remoted) and `sourceOnlySetter` (replicas get a
// generated slot `push<Name>(value)` that assigns through this accessor on the source; a method
// of that name the class or a subclass defines itself, undecorated, is used instead).

import 'reflect-metadata';
import { UsageError } from '../errors';
import { pushSlotName, type PropertyMode } from './api-description';
import { conformsAsIs, conformValue, needsRevive, reviveValue } from './conform';
import { childTypeOf, declareMember, isRemoteObjectClass, resolveWireType } from './metadata';
import { checkLegacyDecoratorCall, missingMetadata } from './decorator-checks';
import { emitChangeLocally, propertyHooksOf, sameValue, setPropertyHooks, sourceState } from './source-state';
import type { TypeSpec, WireType } from './wire-type';
import { modelChildType } from './model-type';

/** Options of `@Property(options)`. */
export interface PropertyOptions {
  /**
   * Wire type, where `design:type` is too coarse (int32, int64, arrays' element types, unions),
   * a TypeScript enum (`type: Color`, or `{ enum: Color, name: 'Color' }`) or a `@ValueType` class.
   */
  readonly type?: TypeSpec;
  /** Replicas may not set it. Default false: replicas' sets are forwarded to the source. */
  readonly readonly?: boolean;
  /**
   * Set once by the source (initializer, constructor, or before `enableRemoting`) and sent in
   * every replica's initial values; changing it after the object was remoted throws READONLY.
   * Replicas may not set it.
   */
  readonly constant?: boolean;
  /**
   * Replicas may not set it directly, but get a slot `push<Name>(value)` (e.g. `pushInkLevel`)
   * that asks the source to assign it (through its setter, so checks and change events apply).
   * Declare it on the class for typing: `declare pushInkLevel: (value: number) => void;`.
   */
  readonly sourceOnlySetter?: boolean;
  /**
   * Typed replicas remember the last value they saw in their node's `persistedStore` and start
   * from it (state `default`) before any connection.
   */
  readonly persisted?: boolean;
  /**
   * Documents (and checks) that `type` is a remote object class: the property holds a child
   * object (QtRO's CLASS property), remoted by the host as a hidden child source. A remote
   * object class given as `type` declares a child object with or without this flag. Child
   * properties are readonly for replicas (or `constant`), and cannot be `persisted`.
   */
  readonly child?: boolean;
  /**
   * The property holds a `ListModel` whose rows are of this type (QtRO's MODEL member): the host
   * remotes the model as a hidden child model source, and a replica's property is a
   * `ModelReplica` of it. Readonly for replicas (their rows are set through the model replica);
   * cannot be `persisted`; excludes `type`.
   */
  readonly model?: TypeSpec;
  /**
   * Checks a replica's set on the source before it is applied: throw to refuse it. The replica's
   * set (typed assignment or `dyn.set`) then rejects with a RemoteError carrying what was thrown
   * (its name, message and data). Runs with `this` as the source object; local sets skip it.
   */
  // A method signature, so a check written for the property's own type (`(v: number) => ...`) fits.
  validate?(value: unknown): void;
}

/**
 * The type of `@Property(...)`: it decorates a field, or a get/set accessor pair (whose
 * descriptor it replaces with a replicating one).
 */
export interface PropertyDecoratorFunction {
  (prototype: object, key: string | symbol): void;
  <T>(prototype: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> | void;
}

function modeOf(cls: string, key: string, options: PropertyOptions): PropertyMode {
  const set = (['readonly', 'constant', 'sourceOnlySetter'] as const).filter((m) => options[m] === true);
  if (set.length > 1) {
    throw new UsageError('DECLARATION_INVALID', `${cls}: property "${key}" can only be one of readonly, constant, sourceOnlySetter (got ${set.join(', ')})`);
  }
  return set[0] ?? 'writable';
}

/** Replicated property: a field (`@Property() level = 1`) or a get/set accessor pair. */
export function Property(options: PropertyOptions = {}): PropertyDecoratorFunction {
  return ((prototype: object, key: string | symbol, descriptor?: PropertyDescriptor): PropertyDescriptor | undefined => {
    checkLegacyDecoratorCall('@Property', prototype, key);
    const cls = (prototype as { constructor: { name: string } }).constructor.name;
    if (typeof key !== 'string') {
      throw new UsageError('DECLARATION_INVALID', `${cls}: @Property needs a string-named member`);
    }
    const accessor = descriptor !== undefined && (descriptor.get !== undefined || descriptor.set !== undefined);
    if (descriptor !== undefined && !accessor) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: @Property goes on a field or a get/set accessor, not on method "${key}" (use @Slot or @Signal)`);
    }
    if (accessor && descriptor.get === undefined) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: property "${key}" has a setter but no getter; replicas need to read it`);
    }
    if (options.validate !== undefined && typeof options.validate !== 'function') {
      throw new UsageError('DECLARATION_INVALID', `${cls}: property "${key}": validate must be a function`);
    }
    const isModel = options.model !== undefined;
    if (isModel && (options.type !== undefined || options.child === true)) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: model property "${key}" takes \`model\` (its row type), not \`type\` or \`child\``);
    }
    const isChild = isModel || isRemoteObjectClass(options.type);
    if (accessor && isChild) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: child or model property "${key}" must be a field, not an accessor (only the source sets it)`);
    }
    if (options.child === true && !isChild) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: child property "${key}" needs \`type\`: a remote object class`);
    }
    let type: WireType;
    let mode = modeOf(cls, key, options);
    // A getter alone: replicas cannot set it.
    if (accessor && descriptor.set === undefined && mode === 'writable') mode = 'readonly';
    if (isChild) {
      if (!isModel && options.type === (prototype as { constructor: unknown }).constructor) {
        throw new UsageError('DECLARATION_INVALID', `${cls}: property "${key}" cannot hold a child of its own class`);
      }
      if (mode === 'sourceOnlySetter' || options.persisted === true) {
        throw new UsageError('DECLARATION_INVALID', `${cls}: child property "${key}" cannot be sourceOnlySetter or persisted`);
      }
      try {
        type = isModel ? modelChildType(resolveWireType(cls, `rows of model property "${key}"`, options.model, undefined)) : childTypeOf(options.type as never);
      } catch (err) {
        throw new UsageError('DECLARATION_INVALID', `${cls}: property "${key}": ${(err as Error).message}`);
      }
      // Only the source sets a child: replicas see it readonly (QtRO's CLASS properties).
      if (mode === 'writable') mode = 'readonly';
    } else {
      const design: unknown = Reflect.getMetadata('design:type', prototype, key);
      if (design === undefined && options.type === undefined) throw missingMetadata(cls, `property "${key}"`, '{ type: ... }');
      type = resolveWireType(cls, `property "${key}"`, options.type, design);
    }
    declareMember(prototype, {
      kind: 'property',
      name: key,
      type,
      mode,
      persisted: options.persisted === true,
    });
    if (mode === 'sourceOnlySetter') declarePushSlot(prototype, key, type);
    const changed = `${key}Changed`;
    const what = `property "${key}" of ${cls}`;
    const constant = mode === 'constant';
    // Value types are stored as instances (what the getter returns) but sent as plain objects.
    const revive = needsRevive(type);
    const validate = options.validate as ((this: object, value: unknown) => void) | undefined;
    /** Checks, tells every observer (hosts) and stores a new value; then `<key>Changed` locally. */
    const store = (obj: object, value: unknown): void => {
      const state = sourceState(obj);
      const values = state.values;
      if (key in values && sameValue(values[key], value)) return;
      if (constant && state.remoted) {
        throw new UsageError('READONLY', `${what} is constant: it cannot change once the object is remoted`);
      }
      // Checked and encoded before it is stored: a value of the wrong type or one that cannot
      // be carried throws here, and neither the object nor any replica sees it.
      const conformed = conformsAsIs(type, value) ? value : conformValue(type, value, what);
      const observers = state.observers;
      for (let i = 0; i < observers.length; i++) observers[i]!.propertyChanged(key, conformed);
      const stored = revive ? reviveValue(type, conformed) : conformed;
      values[key] = stored;
      emitChangeLocally(obj, changed, stored);
    };
    if (!accessor) {
      setPropertyHooks(prototype, key, { validate });
      Object.defineProperty(prototype, key, {
        configurable: true,
        enumerable: true,
        get(this: object): unknown {
          return sourceState(this).values[key];
        },
        set(this: object, value: unknown): void {
          store(this, value);
        },
      });
      return undefined;
    }
    const getter = descriptor.get!;
    const setter = descriptor.set;
    const publish = (obj: object): void => store(obj, getter.call(obj));
    setPropertyHooks(prototype, key, { getter, validate, publish });
    return {
      configurable: true,
      enumerable: descriptor.enumerable ?? false,
      get: getter,
      set:
        setter &&
        function (this: object, value: unknown): void {
          if (constant && sourceState(this).remoted) {
            throw new UsageError('READONLY', `${what} is constant: it cannot change once the object is remoted`);
          }
          // The class's setter sees only values of the declared type; what it makes of them is
          // what its getter then returns, and that is what replicates.
          if (type !== 'any') conformValue(type, value, what);
          setter.call(this, value);
          publish(this);
        },
    };
  }) as PropertyDecoratorFunction;
}

/**
 * Tells tsro that a property declared on a getter (with or without a setter) may have a new
 * value: the getter is read and, if the value changed, it replicates and `<name>Changed` is
 * emitted. Call it from the class whenever what the getter computes from changes, e.g.
 * `notifyPropertyChanged(this, 'fahrenheit')` after setting the field it is computed from.
 * (A setter decorated with `@Property` reports its own changes.)
 */
export function notifyPropertyChanged<T extends object>(source: T, name: keyof T & string): void {
  const publish = propertyHooksOf(source, name)?.publish;
  if (publish === undefined) {
    throw new UsageError('UNKNOWN_MEMBER', `${source.constructor?.name ?? 'object'} has no @Property accessor "${name}" (a @Property field reports its changes when it is assigned)`);
  }
  publish(source);
}

/** The generated `push<Name>(value)` slot of a sourceOnlySetter property. */
function declarePushSlot(prototype: object, key: string, type: WireType): void {
  const name = pushSlotName(key);
  declareMember(prototype, {
    kind: 'slot',
    name,
    params: [{ name: 'value', type }],
    required: 1,
    returns: 'void',
    pushFor: key,
  });
  if (Object.prototype.hasOwnProperty.call(prototype, name)) return; // the class's own
  const push = {
    [name](this: Record<string, unknown>, value: unknown): void {
      this[key] = value;
    },
  }[name]!;
  Object.defineProperty(prototype, name, { configurable: true, writable: true, enumerable: false, value: push });
}
