// Typed replicas: `node.acquire(Printer)` returns an object with Printer's properties as fields
// (the class's initial values until initialized), its slots as methods returning Promises and
// its signals as events. One replica class is generated per API class, with accessors and
// methods on its prototype, so handles themselves stay small.
//
// Value types: the core keeps values as received (plain objects, shared with dynamic handles).
// A typed handle of an API that uses value types shows instances of their classes instead: a
// property is revived when read (or delivered with its change event) and kept, per handle, until
// the core's value for it is another object; signal arguments and slot results are revived as
// they arrive. APIs without value types get the plain classes, with none of this on their paths.

import type { ApiDescription } from '../api/api-description';
import { conformValue, needsRevive, reviveValue } from '../api/conform';
import { apiOf, type AnyClass } from '../api/metadata';
import { currentSourceValue } from '../api/source-state';
import { childTypeClass, isChildType } from '../api/wire-type';
import { isModelType, modelRowType } from '../api/model-type';
import { copyValue } from '../util/objects';
import type { ReplicaCore } from './replica-core';
import { ReplicaHandle, replicaViewOf } from './replica-handle';
import type { CallOptions } from './call-options';
import { makeChildReplica, ReplicaView, type ReplicaOwner } from './replica-view';

/** Which members of an API carry value types to revive; undefined when none does. */
interface RevivalPlan {
  readonly props: readonly boolean[];
  readonly signals: readonly boolean[];
  readonly slots: readonly boolean[];
}

const plans = new WeakMap<ApiDescription, RevivalPlan | null>();

function revivalPlan(api: ApiDescription): RevivalPlan | undefined {
  let plan = plans.get(api);
  if (plan === undefined) {
    // Child objects are presented too: as typed replicas of the child source.
    const props = api.properties.map((p) => needsRevive(p.type) || isChildType(p.type));
    const signals = api.signals.map((s) => s.params.some((p) => needsRevive(p.type)));
    const slots = api.slots.map((s) => needsRevive(s.returns));
    plan = [...props, ...signals, ...slots].some(Boolean) ? { props, signals, slots } : null;
    plans.set(api, plan);
  }
  return plan ?? undefined;
}

const UNSET: unique symbol = Symbol('unset');

/** The view behind a typed replica: the class's defaults until the source's values arrive. */
export class TypedView extends ReplicaView {
  /** This handle's own copy of the class defaults: mutating one never reaches another handle. */
  private readonly defaults: readonly unknown[];
  /** Revived property values, each with the raw value it was made from. */
  private readonly reviveState: { readonly raw: unknown[]; readonly shown: unknown[]; readonly plan: RevivalPlan } | undefined;

  constructor(
    core: ReplicaCore,
    owner: ReplicaOwner,
    private readonly api: ApiDescription,
    defaults: readonly unknown[],
  ) {
    super(core, owner);
    this.defaults = defaults.map((d) => copyValue(d));
    this.current = this.defaults;
    this.sourceChanged();
    const plan = revivalPlan(api);
    this.reviveState = plan && {
      raw: api.properties.map(() => UNSET),
      shown: api.properties.map(() => undefined),
      plan,
    };
  }

  get classApi(): ApiDescription {
    return this.api;
  }

  snapshot(): readonly unknown[] {
    const values = this.core.values;
    return values && this.core.api?.signature === this.api.signature ? values : this.defaults;
  }

  /**
   * What the property getters read: the core's values while they are of this class's API, else
   * this handle's defaults. Kept current by sourceChanged (values change in place, the array
   * only with an Init), so that a getter is two loads and an index (~2 ns), not a walk through
   * the core's state and a signature comparison per read.
   */
  current: readonly unknown[];

  override sourceChanged(): void {
    const core = this.core;
    const values = core.values;
    this.current = values !== undefined && core.api?.signature === this.api.signature ? values : this.defaults;
  }


  override presentedValue(index: number, raw: unknown): unknown {
    const r = this.reviveState;
    if (r === undefined || !r.plan.props[index]) return raw;
    if (r.raw[index] === raw) return r.shown[index];
    const type = this.api.properties[index]!.type;
    if (isChildType(type)) {
      // A child object: a typed replica of the child source, kept until its name changes.
      if (this.released) return null;
      const old = r.shown[index] as ReplicaHandle | null | undefined;
      const cls = childTypeClass(type);
      const owner = this.owner;
      const shown = makeChildReplica(owner, raw, (name) =>
        isModelType(type)
          ? owner.acquireModel(name, { rowType: modelRowType(type) })
          : ((cls ? owner.acquire(cls, name) : owner.acquireDynamic(name)) as unknown as ReplicaHandle),
      );
      r.raw[index] = raw;
      r.shown[index] = shown;
      old?.release();
      return shown;
    }
    const shown = reviveValue(type, raw);
    r.raw[index] = raw;
    r.shown[index] = shown;
    return shown;
  }

  /** Drops this handle, and the replicas of its child objects. */
  override release(): void {
    super.release();
    const r = this.reviveState;
    if (r === undefined) return;
    for (const p of this.api.properties) {
      if (!isChildType(p.type)) continue;
      const child = r.shown[p.index] as ReplicaHandle | null | undefined;
      r.raw[p.index] = UNSET;
      r.shown[p.index] = null;
      child?.release();
    }
  }

  assignProperty(index: number, value: unknown, options?: CallOptions): void {
    const prop = this.api.properties[index]!;
    this.writeProperty(prop, value, options).catch((err: unknown) =>
      this.owner.logger.warn(`setting property "${prop.name}" of "${this.name}" failed`, err),
    );
  }

  call(index: number, args: unknown[], options?: CallOptions): Promise<unknown> {
    return this.callSlot(this.api.slots[index]!, args, options);
  }

  /** A call-options view: the slots call with its options. */
  override boundMember(key: string | symbol, options: CallOptions): ((...args: never[]) => unknown) | undefined {
    if (typeof key !== 'string') return undefined;
    const slot = this.api.slotByName.get(key);
    return slot && ((...args: unknown[]) => this.call(slot.index, args, options));
  }

  /** A call-options view: assigning a property sets it with the view's options. */
  override boundAssign(key: string | symbol, value: unknown, options: CallOptions): boolean {
    const prop = typeof key === 'string' ? this.api.propertyByName.get(key) : undefined;
    if (!prop) return false;
    this.assignProperty(prop.index, value, options);
    return true;
  }
}

/** The view of an API that carries value types: revives what arrives. */
class RevivingTypedView extends TypedView {
  override deliverChange(event: string, value: unknown, index: number): void {
    super.deliverChange(event, this.state === 'signatureMismatch' ? value : this.presentedValue(index, value), index);
  }

  override deliverSignal(name: string, args: unknown[], index: number): void {
    const signal = this.classApi.signals[index];
    if (signal && revivalPlan(this.classApi)?.signals[index] && this.state !== 'signatureMismatch') {
      args = args.map((a, i) => (i < signal.params.length ? reviveValue(signal.params[i]!.type, a) : a));
    }
    super.deliverSignal(name, args, index);
  }

  override call(index: number, args: unknown[], options?: CallOptions): Promise<unknown> {
    const slot = this.classApi.slots[index]!;
    if (slot.stream === true) {
      const type = slot.returns;
      const map = revivalPlan(this.classApi)?.slots[index] ? (item: unknown) => reviveValue(type, item) : undefined;
      return this.streamSlot(slot, args, options, map) as unknown as Promise<unknown>;
    }
    const result = super.call(index, args, options);
    if (!revivalPlan(this.classApi)?.slots[index]) return result;
    const type = this.classApi.slots[index]!.returns;
    return result.then((v) => reviveValue(type, v));
  }
}

type TypedReplicaClass = new (view: TypedView) => ReplicaHandle;

/** A generated replica class and how to make the view behind each of its handles. */
interface TypedReplicaEntry {
  readonly ctor: TypedReplicaClass;
  readonly View: typeof TypedView;
  readonly defaults: readonly unknown[];
}

const classes = new WeakMap<object, TypedReplicaEntry>();

/**
 * The class's initial property values: it is constructed once, with no arguments, and its
 * decorated properties read. A constructor that needs arguments or throws leaves them undefined.
 * Values of value types are kept in the form they travel in (plain objects), like received ones.
 */
function readDefaults(cls: AnyClass, api: ApiDescription, owner: ReplicaOwner): readonly unknown[] {
  try {
    const instance = new (cls as unknown as new () => object)();
    return api.properties.map((p) => {
      if (isChildType(p.type)) return null; // a child object: no replica until the source names one
      const v = currentSourceValue(instance, p.name);
      if (!needsRevive(p.type)) return v;
      try {
        return conformValue(p.type, v, `default of property "${p.name}"`);
      } catch {
        return v;
      }
    });
  } catch (err) {
    owner.logger.warn(`${cls.name} could not be constructed to read its default property values`, err);
    return api.properties.map(() => undefined);
  }
}

/** The replica class for an API class (generated once per class), with its view class and defaults. */
export function typedReplicaFor(cls: AnyClass, owner: ReplicaOwner): TypedReplicaEntry & { readonly api: ApiDescription } {
  const api = apiOf(cls);
  let entry = classes.get(cls);
  if (!entry) {
    const plan = revivalPlan(api);
    // A local binding: the accessors below run on every property read.
    const viewOf = replicaViewOf as (handle: ReplicaHandle) => TypedView;
    const Generated = class extends ReplicaHandle {};
    Object.defineProperty(Generated, 'name', { value: `${cls.name}Replica` });
    for (const p of api.properties) {
      const revived = plan?.props[p.index] === true;
      const index = p.index;
      Object.defineProperty(Generated.prototype, p.name, {
        configurable: true,
        enumerable: true,
        get: revived
          ? function (this: ReplicaHandle) {
              const view = viewOf(this);
              return view.presentedValue(index, view.current[index]);
            }
          : function (this: ReplicaHandle) {
              return viewOf(this).current[index];
            },
        set(this: ReplicaHandle, value: unknown) {
          viewOf(this).assignProperty(index, value);
        },
      });
    }
    for (const s of api.slots) {
      const method = {
        [s.name](this: ReplicaHandle, ...args: unknown[]): Promise<unknown> {
          return viewOf(this).call(s.index, args);
        },
      }[s.name]!;
      Object.defineProperty(Generated.prototype, s.name, { configurable: true, writable: true, value: method });
    }
    entry = { ctor: Generated, View: plan ? RevivingTypedView : TypedView, defaults: readDefaults(cls, api, owner) };
    classes.set(cls, entry);
  }
  return { ...entry, api };
}
