// @Property(options?): a replicated property. Installs an accessor on the prototype that stores
// the value per instance and, when the value actually changes, checks it against the declared
// type, tells every observer (hosts) and emits `<name>Changed` locally if the object is an event
// emitter. Field initializers go through
// this accessor because the project compiles with useDefineForClassFields: false.

import 'reflect-metadata';
import { UsageError } from '../errors';
import { conformValue } from './conform';
import { declareMember, resolveWireType } from './metadata';
import { emitLocally, sameValue, sourceState } from './source-state';
import type { WireType } from './wire-type';

export interface PropertyOptions {
  /** Wire type, where `design:type` is too coarse (int32, int64, arrays' element types, unions). */
  readonly type?: WireType;
  /** Replicas may not set it. Default false: replicas' sets are forwarded to the source. */
  readonly readonly?: boolean;
  /**
   * Typed replicas remember the last value they saw in their node's `persistedStore` and start
   * from it (state `default`) before any connection.
   */
  readonly persisted?: boolean;
}

export function Property(options: PropertyOptions = {}): PropertyDecorator {
  return (prototype: object, key: string | symbol): void => {
    const cls = (prototype as { constructor: { name: string } }).constructor.name;
    if (typeof key !== 'string') {
      throw new UsageError('DECLARATION_INVALID', `${cls}: @Property needs a string-named member`);
    }
    const type = resolveWireType(cls, `property "${key}"`, options.type, Reflect.getMetadata('design:type', prototype, key));
    declareMember(prototype, {
      kind: 'property',
      name: key,
      type,
      readonly: options.readonly === true,
      persisted: options.persisted === true,
    });
    const changed = `${key}Changed`;
    const what = `property "${key}" of ${cls}`;
    Object.defineProperty(prototype, key, {
      configurable: true,
      enumerable: true,
      get(this: object): unknown {
        return sourceState(this).values[key];
      },
      set(this: object, value: unknown): void {
        const state = sourceState(this);
        if (key in state.values && sameValue(state.values[key], value)) return;
        // Checked and encoded before it is stored: a value of the wrong type or one that cannot
        // be carried throws here, and neither the object nor any replica sees it.
        const conformed = type === 'any' ? value : conformValue(type, value, what);
        for (const o of state.observers) o.propertyChanged(key, conformed);
        state.values[key] = conformed;
        emitLocally(this, changed, [conformed]);
      },
    });
  };
}
