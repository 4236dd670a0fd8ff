// @Signal(options?): a method whose call emits a signal to every replica (and locally, if the
// object is an event emitter). The method's own body still runs first.

import 'reflect-metadata';
import { UsageError } from '../errors';
import { declareMember, hasRestParameter, parameterNames, resolveWireType } from './metadata';
import { emitLocally, sourceState } from './source-state';
import type { TypeSpec } from './wire-type';

export interface SignalOptions {
  /** Wire types of the parameters, where `design:paramtypes` is too coarse. */
  readonly params?: readonly TypeSpec[];
}

export function Signal(options: SignalOptions = {}): MethodDecorator {
  return (prototype: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor => {
    const cls = (prototype as { constructor: { name: string } }).constructor.name;
    const original: unknown = descriptor.value;
    if (typeof key !== 'string' || typeof original !== 'function') {
      throw new UsageError('DECLARATION_INVALID', `${cls}: @Signal goes on a string-named method`);
    }
    if (hasRestParameter(original)) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: signal "${key}" has a rest parameter; take an array instead`);
    }
    const design: unknown[] = Reflect.getMetadata('design:paramtypes', prototype, key) ?? [];
    const count = options.params?.length ?? design.length;
    const names = parameterNames(original, count);
    const params = Array.from({ length: count }, (_, i) => ({
      name: names[i]!,
      type: resolveWireType(cls, `parameter ${i + 1} of signal "${key}"`, options.params?.[i], design[i]),
    }));
    declareMember(prototype, { kind: 'signal', name: key, params, required: count, returns: 'void' });
    const body = original as (...args: unknown[]) => unknown;
    function emitSignal(this: object, ...args: unknown[]): unknown {
      const result = body.apply(this, args);
      for (const o of sourceState(this).observers) o.signalEmitted(key as string, args);
      emitLocally(this, key as string, args);
      return result;
    }
    Object.defineProperty(emitSignal, 'name', { value: key });
    return { ...descriptor, value: emitSignal };
  };
}
