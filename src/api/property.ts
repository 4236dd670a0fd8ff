// @Property(options?): a replicated property. Installs an accessor on the prototype that stores
// the value per instance and, when the value actually changes, checks it against the declared
// type, tells every observer (hosts) and emits `<name>Changed` locally if the object is an event
// emitter. Field initializers go through
// this accessor because the project compiles with useDefineForClassFields: false.
//
// Modes (docs/object-model.md, "Property modes"): writable (default), `readonly`, `constant` (the accessor
// refuses any change once the object has been remoted) and `sourceOnlySetter` (replicas get a
// generated slot `push<Name>(value)` that assigns through this accessor on the source; a method
// of that name the class or a subclass defines itself, undecorated, is used instead).

import 'reflect-metadata';
import { UsageError } from '../errors';
import { pushSlotName, type PropertyMode } from './api-description';
import { conformValue, needsRevive, reviveValue } from './conform';
import { childTypeOf, declareMember, isRemoteObjectClass, resolveWireType } from './metadata';
import { emitLocally, sameValue, sourceState } from './source-state';
import type { TypeSpec, WireType } from './wire-type';
import { modelChildType } from './model-type';

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
}

function modeOf(cls: string, key: string, options: PropertyOptions): PropertyMode {
  const set = (['readonly', 'constant', 'sourceOnlySetter'] as const).filter((m) => options[m] === true);
  if (set.length > 1) {
    throw new UsageError('DECLARATION_INVALID', `${cls}: property "${key}" can only be one of readonly, constant, sourceOnlySetter (got ${set.join(', ')})`);
  }
  return set[0] ?? 'writable';
}

export function Property(options: PropertyOptions = {}): PropertyDecorator {
  return (prototype: object, key: string | symbol): void => {
    const cls = (prototype as { constructor: { name: string } }).constructor.name;
    if (typeof key !== 'string') {
      throw new UsageError('DECLARATION_INVALID', `${cls}: @Property needs a string-named member`);
    }
    const isModel = options.model !== undefined;
    if (isModel && (options.type !== undefined || options.child === true)) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: model property "${key}" takes \`model\` (its row type), not \`type\` or \`child\``);
    }
    const isChild = isModel || isRemoteObjectClass(options.type);
    if (options.child === true && !isChild) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: child property "${key}" needs \`type\`: a remote object class`);
    }
    let type: WireType;
    let mode = modeOf(cls, key, options);
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
      type = resolveWireType(cls, `property "${key}"`, options.type, Reflect.getMetadata('design:type', prototype, key));
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
    Object.defineProperty(prototype, key, {
      configurable: true,
      enumerable: true,
      get(this: object): unknown {
        return sourceState(this).values[key];
      },
      set(this: object, value: unknown): void {
        const state = sourceState(this);
        if (key in state.values && sameValue(state.values[key], value)) return;
        if (constant && state.remoted) {
          throw new UsageError('READONLY', `${what} is constant: it cannot change once the object is remoted`);
        }
        // Checked and encoded before it is stored: a value of the wrong type or one that cannot
        // be carried throws here, and neither the object nor any replica sees it.
        const conformed = type === 'any' ? value : conformValue(type, value, what);
        for (const o of state.observers) o.propertyChanged(key, conformed);
        const stored = revive ? reviveValue(type, conformed) : conformed;
        state.values[key] = stored;
        emitLocally(this, changed, [stored]);
      },
    });
  };
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
