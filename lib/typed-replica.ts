// Typed replicas: `node.acquire(Printer)` returns an object with Printer's properties as fields
// (the class's initial values until initialized), its slots as methods returning Promises and
// its signals as events. One replica class is generated per API class, with accessors and
// methods on its prototype, so handles themselves stay small.

import type { ApiDescription } from '../decorators/api-description';
import { apiOf, type AnyClass } from '../decorators/metadata';
import { readSourceValue } from '../decorators/source-state';
import { cloneValue } from './clone-value';
import type { ReplicaCore } from './replica-core';
import { ReplicaHandle, type ReplicaOwner } from './replica-handle';

export class TypedReplica extends ReplicaHandle {
  /** This handle's own copy of the class defaults: mutating one never reaches another handle. */
  private readonly defaults: readonly unknown[];

  constructor(
    core: ReplicaCore,
    owner: ReplicaOwner,
    private readonly api: ApiDescription,
    defaults: readonly unknown[],
  ) {
    super(core, owner);
    this.defaults = defaults.map(cloneValue);
    this.attach();
  }

  /** @internal */
  get classApi(): ApiDescription {
    return this.api;
  }

  /** @internal */
  snapshot(): readonly unknown[] {
    const values = this.core.values;
    return values && this.core.api?.signature === this.api.signature ? values : this.defaults;
  }

  /** @internal */
  readProperty(index: number): unknown {
    return this.snapshot()[index];
  }

  /** @internal */
  assignProperty(index: number, value: unknown): void {
    const prop = this.api.properties[index]!;
    this.writeProperty(prop, value).catch((err: unknown) =>
      this.owner.logger.warn(`setting property "${prop.name}" of "${this.name}" failed`, err),
    );
  }

  /** @internal */
  call(index: number, args: unknown[]): Promise<unknown> {
    return this.callSlot(this.api.slots[index]!, args);
  }
}

type TypedReplicaClass = new (core: ReplicaCore, owner: ReplicaOwner, api: ApiDescription, defaults: readonly unknown[]) => TypedReplica;

const classes = new WeakMap<object, { ctor: TypedReplicaClass; defaults: readonly unknown[] }>();

/**
 * The class's initial property values: it is constructed once, with no arguments, and its
 * decorated properties read. A constructor that needs arguments or throws leaves them undefined.
 */
function readDefaults(cls: AnyClass, api: ApiDescription, owner: ReplicaOwner): readonly unknown[] {
  try {
    const instance = new (cls as unknown as new () => object)();
    return api.properties.map((p) => readSourceValue(instance, p.name));
  } catch (err) {
    owner.logger.warn(`${cls.name} could not be constructed to read its default property values`, err);
    return api.properties.map(() => undefined);
  }
}

/** The replica class for an API class (generated once per class). */
export function typedReplicaFor(cls: AnyClass, owner: ReplicaOwner): { ctor: TypedReplicaClass; api: ApiDescription; defaults: readonly unknown[] } {
  const api = apiOf(cls);
  let entry = classes.get(cls);
  if (!entry) {
    const Generated = class extends TypedReplica {};
    Object.defineProperty(Generated, 'name', { value: `${cls.name}Replica` });
    for (const p of api.properties) {
      Object.defineProperty(Generated.prototype, p.name, {
        configurable: true,
        enumerable: true,
        get(this: TypedReplica) {
          return this.readProperty(p.index);
        },
        set(this: TypedReplica, value: unknown) {
          this.assignProperty(p.index, value);
        },
      });
    }
    for (const s of api.slots) {
      const method = {
        [s.name](this: TypedReplica, ...args: unknown[]): Promise<unknown> {
          return this.call(s.index, args);
        },
      }[s.name]!;
      Object.defineProperty(Generated.prototype, s.name, { configurable: true, writable: true, value: method });
    }
    entry = { ctor: Generated, defaults: readDefaults(cls, api, owner) };
    classes.set(cls, entry);
  }
  return { ctor: entry.ctor, api, defaults: entry.defaults };
}
