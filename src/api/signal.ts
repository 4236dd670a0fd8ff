// @Signal(options?): a method whose call emits a signal to every replica (and locally, if the
// object is an event emitter). The method's own body still runs first.

import 'reflect-metadata';
import { declareMember, declaredMethod } from './metadata';
import { emitLocally, sourceState } from './source-state';
import type { TypeSpec } from './wire-type';

export interface SignalOptions {
  /** Wire types of the parameters, where `design:paramtypes` is too coarse. */
  readonly params?: readonly TypeSpec[];
}

export function Signal(options: SignalOptions = {}): MethodDecorator {
  return (prototype: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor => {
    const { name, fn, params } = declaredMethod('signal', prototype, key, descriptor, options.params);
    declareMember(prototype, { kind: 'signal', name, params, required: params.length, returns: 'void' });
    const body = fn as (...args: unknown[]) => unknown;
    function emitSignal(this: object, ...args: unknown[]): unknown {
      const result = body.apply(this, args);
      for (const o of sourceState(this).observers) o.signalEmitted(name, args);
      emitLocally(this, name, args);
      return result;
    }
    Object.defineProperty(emitSignal, 'name', { value: name });
    return { ...descriptor, value: emitSignal };
  };
}
