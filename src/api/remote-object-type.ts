// @RemoteObjectType(name): the class info that names a remote API (and the default source name).

import { UsageError } from '../errors';
import { declareTypeName, type AnyClass } from './metadata';
import { checkLegacyDecoratorCall } from './decorator-checks';

/** Names the remote type; subclasses inherit it. The source name defaults to it. */
export function RemoteObjectType(name: string): <C extends AnyClass>(target: C) => C {
  if (typeof name !== 'string' || name.length === 0) {
    throw new UsageError('DECLARATION_INVALID', `@RemoteObjectType needs a non-empty name, got ${String(name)}`);
  }
  return <C extends AnyClass>(target: C, context?: unknown): C => {
    checkLegacyDecoratorCall('@RemoteObjectType', target, context);
    declareTypeName(target, name);
    return target;
  };
}
