// @Slot(options?): a method replicas may call. Its parameter types come from
// `design:paramtypes`; what it resolves with cannot be seen through Promise<T>, so `returns`
// names it (else it is `any`, or `void` for a method declared to return void).

import 'reflect-metadata';
import { UsageError } from '../errors';
import { declareMember, hasRestParameter, parameterNames, resolveWireType } from './metadata';
import type { TypeSpec } from './wire-type';

export interface SlotOptions {
  /** Wire types of the parameters, where `design:paramtypes` is too coarse. */
  readonly params?: readonly TypeSpec[];
  /** Wire type of the (awaited) return value. */
  readonly returns?: TypeSpec;
}

export function Slot(options: SlotOptions = {}): MethodDecorator {
  return (prototype: object, key: string | symbol, descriptor: PropertyDescriptor): void => {
    const cls = (prototype as { constructor: { name: string } }).constructor.name;
    const fn: unknown = descriptor.value;
    if (typeof key !== 'string' || typeof fn !== 'function') {
      throw new UsageError('DECLARATION_INVALID', `${cls}: @Slot goes on a string-named method`);
    }
    if (hasRestParameter(fn)) {
      throw new UsageError('DECLARATION_INVALID', `${cls}: slot "${key}" has a rest parameter; take an array instead`);
    }
    const design: unknown[] = Reflect.getMetadata('design:paramtypes', prototype, key) ?? [];
    const count = options.params?.length ?? design.length;
    const names = parameterNames(fn, count);
    const params = Array.from({ length: count }, (_, i) => ({
      name: names[i]!,
      type: resolveWireType(cls, `parameter ${i + 1} of slot "${key}"`, options.params?.[i], design[i]),
    }));
    const designReturn: unknown = Reflect.getMetadata('design:returntype', prototype, key);
    const returns = resolveWireType(cls, `return of slot "${key}"`, options.returns, designReturn);
    // fn.length stops at the first parameter with a default value, which is what may be omitted.
    const required = Math.min((fn as Function).length, count);
    declareMember(prototype, { kind: 'slot', name: key, params, required, returns });
  };
}
