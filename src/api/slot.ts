// @Slot(options?): a method replicas may call. Its parameter types come from
// `design:paramtypes`; what it resolves with cannot be seen through Promise<T>, so `returns`
// names it (else it is `any`, or `void` for a method declared to return void).

import 'reflect-metadata';
import { declareMember, declaredMethod, resolveWireType } from './metadata';
import type { TypeSpec } from './wire-type';

export interface SlotOptions {
  /** Wire types of the parameters, where `design:paramtypes` is too coarse. */
  readonly params?: readonly TypeSpec[];
  /** Wire type of the (awaited) return value. */
  readonly returns?: TypeSpec;
}

export function Slot(options: SlotOptions = {}): MethodDecorator {
  return (prototype: object, key: string | symbol, descriptor: PropertyDescriptor): void => {
    const { cls, name, fn, params } = declaredMethod('slot', prototype, key, descriptor, options.params);
    const designReturn: unknown = Reflect.getMetadata('design:returntype', prototype, name);
    const returns = resolveWireType(cls, `return of slot "${name}"`, options.returns, designReturn);
    // fn.length stops at the first parameter with a default value, which is what may be omitted.
    const required = Math.min(fn.length, params.length);
    declareMember(prototype, { kind: 'slot', name, params, required, returns });
  };
}
