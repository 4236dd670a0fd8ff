// @Signal(options?): a method whose call emits a signal to every replica (and locally, if the
// object is an event emitter). The method's own body still runs first.

import 'reflect-metadata';
import { declareMember, declaredMethod } from './metadata';
import { emitLocally, sourceState } from './source-state';
import type { TypeSpec } from './wire-type';

declare const signalMarker: unique symbol;

/**
 * The return type to declare a signal with: `@Signal() jammed(page: number, reason: string): Signal {}`.
 * To the compiler it is `void` (the body returns nothing); to {@link Replica} it says that the
 * method is a signal, so a typed replica offers it as an event and not as a method. Decorators
 * cannot change types, so without it a method declared `: void` could be a signal or a slot.
 */
export type Signal = void & {
  /** Type-level only (never present): marks the method as a signal. */
  readonly [signalMarker]?: 'signal';
};

/** Options of `@Signal(options)`. */
export interface SignalOptions {
  /** Wire types of the parameters, where `design:paramtypes` is too coarse. */
  readonly params?: readonly TypeSpec[];
}

/**
 * Declares a signal: calling the method on the source emits it to every replica (after the
 * method's own body ran). Its parameter types come from `design:paramtypes`, or `params`.
 * Declare it as returning {@link Signal} so typed replicas know it is an event.
 */
export function Signal(options: SignalOptions = {}): MethodDecorator {
  return (prototype: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor => {
    const { name, fn, params } = declaredMethod('signal', prototype, key, descriptor, options.params);
    declareMember(prototype, { kind: 'signal', name, params, required: params.length, returns: 'void' });
    const body = fn as (...args: unknown[]) => unknown;
    function emitSignal(this: object, ...args: unknown[]): unknown {
      const result = body.apply(this, args);
      const observers = sourceState(this).observers;
      for (let i = 0; i < observers.length; i++) observers[i]!.signalEmitted(name, args);
      emitLocally(this, name, args);
      return result;
    }
    Object.defineProperty(emitSignal, 'name', { value: name });
    return { ...descriptor, value: emitSignal };
  };
}
