// @Slot(options?): a method replicas may call. Its parameter types come from
// `design:paramtypes`; what it resolves with cannot be seen through Promise<T>, so `returns`
// names it (else it is `any`, or `void` for a method declared to return void).

import 'reflect-metadata';
import { declareMember, declaredMethod, resolveWireType } from './metadata';
import { missingMetadata } from './decorator-checks';
import type { TypeSpec } from './wire-type';

/** Options of `@Slot(options)`. */
export interface SlotOptions {
  /** Wire types of the parameters, where `design:paramtypes` is too coarse. */
  readonly params?: readonly TypeSpec[];
  /**
   * Wire type of the (awaited) return value; or `{ stream: T }` for a slot that returns an async
   * iterable (an async generator) of T: replicas consume the call with `for await`.
   */
  readonly returns?:
    | TypeSpec
    | {
        /** The type of each item of a stream slot. */
        readonly stream: TypeSpec;
      };
}

/** `{ stream: T }`: exactly one own key, `stream`. */
function streamOf(spec: unknown): TypeSpec | undefined {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  const keys = Object.keys(spec);
  return keys.length === 1 && keys[0] === 'stream' ? (spec as { stream: TypeSpec }).stream : undefined;
}

/**
 * Declares a slot: a method replicas may call (`await replica.print('x')`, `dyn.invoke('print',
 * 'x')`). Its parameter types come from `design:paramtypes` (or `params`); what it resolves with
 * from `returns` (metadata sees only `Promise`), else `void` for a method declared to return
 * void, else `any`. A slot may throw (or reject): the caller gets a RemoteError.
 */
export function Slot(options: SlotOptions = {}): MethodDecorator {
  return (prototype: object, key: string | symbol, descriptor: PropertyDescriptor): void => {
    const { cls, name, fn, params } = declaredMethod('slot', prototype, key, descriptor, options.params);
    const item = streamOf(options.returns);
    // Metadata off (no design:paramtypes, which every decorated method gets when it is on): the
    // return type cannot be known either.
    if (options.returns === undefined && Reflect.getMetadata('design:paramtypes', prototype, name) === undefined) {
      throw missingMetadata(cls, `slot "${name}"`, "{ returns: ... } (e.g. 'void', 'double', 'string')");
    }
    // fn.length stops at the first parameter with a default value, which is what may be omitted.
    const required = Math.min(fn.length, params.length);
    if (item !== undefined) {
      const returns = resolveWireType(cls, `items of stream slot "${name}"`, item, undefined);
      declareMember(prototype, { kind: 'slot', name, params, required, returns, stream: true });
      return;
    }
    const designReturn: unknown = Reflect.getMetadata('design:returntype', prototype, name);
    const returns = resolveWireType(cls, `return of slot "${name}"`, options.returns as TypeSpec | undefined, designReturn);
    declareMember(prototype, { kind: 'slot', name, params, required, returns });
  };
}
