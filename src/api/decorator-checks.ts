// Checks that tsro's decorators run the way they were written for: TypeScript's legacy
// ("experimental") decorators with type metadata. Either setting missing from a consumer's
// tsconfig.json would otherwise fail later, far from its cause.

import { UsageError } from '../errors';

/**
 * Compiled without `experimentalDecorators`, TypeScript 5+ calls decorators the standard way,
 * with (value, context): the context object says so.
 */
export function checkLegacyDecoratorCall(decorator: string, _target: unknown, key: unknown): void {
  if (typeof key === 'object' && key !== null && 'kind' in key) {
    throw new UsageError(
      'DECLARATION_INVALID',
      `${decorator} is a TypeScript "experimental" decorator: set "experimentalDecorators": true and "emitDecoratorMetadata": true in tsconfig.json`,
    );
  }
}

/** The error for a member whose types cannot be known: emitDecoratorMetadata is off. */
export function missingMetadata(cls: string, what: string, explicit: string): UsageError {
  return new UsageError(
    'DECLARATION_INVALID',
    `${cls}: ${what} has no type metadata. Set "emitDecoratorMetadata": true (with "experimentalDecorators": true) in tsconfig.json, or give the type explicitly with ${explicit}`,
  );
}

/** True if a function's source text declares at least one parameter. */
export function declaresParameters(fn: Function): boolean {
  const src = Function.prototype.toString.call(fn);
  const open = src.indexOf('(');
  return open >= 0 && !/^\s*\)/.test(src.slice(open + 1));
}
